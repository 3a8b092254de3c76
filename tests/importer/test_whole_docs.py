"""The importer over the real docs checkout (present in CI; skipped where it is absent)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from codegen.events.load import load_events
from codegen.events.spec_checks import event_problems, method_scopes
from codegen.importer import curation
from codegen.importer.report import Summary
from codegen.importer.run import run
from codegen.load import load_tree, read_yaml
from codegen.spec_checks import check_tree, problems_by_method
from codegen.typeexpr import TypeRegistry

from .conftest import REPO, make_spec_root

CANDIDATES = [os.environ.get("B24_DOCS", ""), "/work/shared/b24restdocs", str(REPO.parent / "shared" / "b24restdocs")]
DOCS = next((Path(c) for c in CANDIDATES if c and (Path(c) / "api-reference").is_dir()), None)

pytestmark = pytest.mark.skipif(DOCS is None, reason="no docs checkout (set B24_DOCS or put it at ../shared/b24restdocs)")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Summary]:
    assert DOCS is not None
    root = tmp_path_factory.mktemp("whole")
    spec = make_spec_root(root / "spec")
    for folder in ("methods", "overrides"):
        shutil.rmtree(spec / folder)
        shutil.copytree(REPO / "spec" / folder, spec / folder)
    shutil.copy(REPO / "spec" / curation.DECISIONS_FILE, spec / curation.DECISIONS_FILE)
    shutil.copytree(REPO / "spec" / "events", spec / "events", ignore=lambda folder, names: ["imported"])
    return spec, run(DOCS, spec, root / "reports", jobs=2)


def test_every_single_event_page_has_a_spec_that_passes_the_checks(imported: tuple[Path, Summary]) -> None:
    """Counted against the importer's own classification of the pages, not a fixed number."""
    spec, summary = imported
    assert summary.events is not None
    pages = [o for o in summary.outcomes if o.kind == "event"]
    assert len(pages) == summary.kinds["event"] and all(page.events for page in pages)
    drafts = [draft for page in pages for draft in page.events]
    single = {(d.docs, d.event) for d in drafts if d.spec is not None}
    skipped = [page for page in pages if page.events[0].spec is None]
    assert all(len(page.events) == 1 and page.events[0].skipped for page in skipped)  # each says why
    assert {docs for docs, _ in single} | {page.docs for page in skipped} == {page.docs for page in pages}
    tree = load_tree(spec)
    events = load_events(spec)
    assert events is not None
    shared, per_event = event_problems(events, TypeRegistry(tree.types), method_scopes(tree.specs.values()))
    assert shared == [] and per_event == {}
    codes = {code for _, code in single}
    assert codes <= set(events.specs)
    documented = {(events.specs[code].data["docs"], code) for code in codes}
    duplicates = {(docs, code) for code, docs_list in summary.events.duplicates.items() for docs in docs_list[1:]}
    assert documented | duplicates == single


def test_the_committed_event_drafts_are_what_the_import_writes(imported: tuple[Path, Summary]) -> None:
    spec, _ = imported
    fresh = {p.name: p.read_bytes() for p in (spec / "events" / "imported").glob("*.yaml")}
    committed = {p.name: p.read_bytes() for p in (REPO / "spec" / "events" / "imported").glob("*.yaml")}
    assert sorted(fresh) == sorted(committed)
    assert [name for name in sorted(fresh) if fresh[name] != committed[name]] == []


def test_at_least_95_percent_of_documented_methods_pass_the_checker(imported: tuple[Path, Summary]) -> None:
    spec, summary = imported
    tree = load_tree(spec)
    shared, per_method = problems_by_method(tree)
    assert shared == []
    assert len(check_tree(tree)) == sum(len(found) for found in per_method.values())
    failing = set(per_method)
    documented = set(summary.chosen)
    assert len(documented) > 1500
    passing = documented - failing
    assert len(passing) / len(documented) >= 0.95
    assert sorted(passing) == sorted(summary.passing)  # the report's figure is the checker's


def test_rest_v3_methods_have_their_own_files(imported: tuple[Path, Summary]) -> None:
    _, summary = imported
    v3 = {key for key in summary.chosen if key.endswith("@v3")}
    assert len(v3) >= 100
    assert {key[: -len("@v3")] for key in v3} & set(summary.chosen) >= {"tasks.task.add", "tasks.task.get", "tasks.task.list"}


def test_a_second_import_writes_nothing(imported: tuple[Path, Summary]) -> None:
    spec, _ = imported
    assert DOCS is not None
    again = run(DOCS, spec, spec.parent / "reports", jobs=2)
    assert (again.written, again.deleted) == (0, 0)


def test_committed_drafts_are_what_this_checkout_gives(imported: tuple[Path, Summary]) -> None:
    spec, _ = imported
    fresh = {p.name: p.read_bytes() for p in (spec / "imported").glob("*.yaml")}
    committed = {p.name: p.read_bytes() for p in (REPO / "spec" / "imported").glob("*.yaml")}
    assert sorted(fresh) == sorted(committed)
    assert [name for name in sorted(fresh) if fresh[name] != committed[name]] == []
    assert (spec / "imported-types.yaml").read_bytes() == (REPO / "spec" / "imported-types.yaml").read_bytes()


def test_every_success_example_fits_its_result_schema(imported: tuple[Path, Summary]) -> None:
    spec, _ = imported
    misfits = []
    for path in sorted((spec / "imported").glob("*.yaml")):
        data = read_yaml(path)
        for example in data.get("examples", []):
            body = example["response"]["body"]
            if example["response"]["status"] == 200 and "result" in body:
                if not Draft202012Validator(data["result"]["schema"]).is_valid(body["result"]):
                    misfits.append(f"{path.name}: {example['name']}")
    assert misfits == []


def test_every_either_or_candidate_is_encoded_or_dismissed(imported: tuple[Path, Summary]) -> None:
    """Each sentence that may state a rule between parameters ends as a rule in the specs or
    as a decision with a reason in spec/either-or-decisions.yaml; none is left unread."""
    _, summary = imported
    open_rows = []
    for result in summary.chosen.values():
        for candidate in result.candidates:
            spec = summary.effective.get(candidate.method, summary.effective.get(f"{candidate.method}@v3"))
            if curation.status(candidate.method, candidate.params, candidate.cue, spec, summary.decisions) == "open":
                open_rows.append((candidate.method, candidate.params))
    assert sum(len(result.candidates) for result in summary.chosen.values()) > 100
    assert open_rows == []


def test_every_docs_request_example_validates_or_is_listed_with_its_reason(imported: tuple[Path, Summary]) -> None:
    """The Done-when of issue 8: a page's request examples all validate, strict mode too, except
    placeholder-valued ones and broken ones whose override records why (an `Example request` note)."""
    spec, summary = imported
    unexplained = []
    for key, result in summary.chosen.items():
        for kind, detail in result.refused_requests:
            notes = (summary.effective.get(key) or {}).get("notes", [])
            if kind != "placeholder value" and not any(note["topic"] == "Example request" for note in notes):
                unexplained.append(f"{key}: {detail}")
    assert unexplained == []
    assert sum(result.requests for result in summary.chosen.values()) > 1600
    coverage = (spec.parent / "reports" / "coverage.md").read_text()
    refused = [found for result in summary.chosen.values() for found in result.refused_requests]
    assert (
        f"| validating clean, strict mode too | {sum(r.requests for r in summary.chosen.values()) - len(refused)} |" in coverage
    )
