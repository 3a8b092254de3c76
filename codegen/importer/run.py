"""The import as a whole: read every page, build drafts, settle duplicates, write, report.

Pages are independent, so they are read in a small process pool; everything after that
(choosing between pages that claim one method, types, files, reports) runs in one
process over results sorted by path, which keeps the output the same on every run.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..load import merge_override, read_yaml
from . import checking, curation, event_report, events, identify, page, report, writer, yfm
from .registry import ImportRegistry

_METHOD_HEADER = re.compile(r"^method", re.IGNORECASE)
_LISTED_NAME = re.compile(r"\[?`?([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)`?\]?")

_registry: ImportRegistry | None = None
_overrides: dict[str, dict[str, Any]] = {}
_shared_events: dict[str, Any] = {}


@dataclass
class PageOutcome:
    """What one page gave: a method draft, or the page's kind and the methods it lists."""

    docs: str
    kind: str
    result: page.PageResult | None = None
    text: str = ""  # the draft as written to spec/imported/
    problems: list[str] = field(default_factory=list)  # codegen.spec_checks on draft + override
    listed: list[str] = field(default_factory=list)
    error: str | None = None
    events: list[events.EventDraft] = field(default_factory=list)  # kind `event`: the drafts, or why none


def _init_worker(types: dict[str, dict[str, Any]], overrides: dict[str, dict[str, Any]], shared_events: dict[str, Any]) -> None:
    global _registry, _overrides, _shared_events
    _registry = ImportRegistry(types)
    _overrides = overrides
    _shared_events = shared_events


def _listed_methods(blocks: list[yfm.Block]) -> list[str]:
    """Method names in the first column of "Method | Description" overview tables."""
    names: list[str] = []
    for block in blocks:
        if isinstance(block, yfm.Table) and block.rows and _METHOD_HEADER.match(yfm.plain(block.rows[0][0])):
            for cells in block.rows[1:]:
                found = _LISTED_NAME.match(yfm.plain(cells[0]).split(" ")[0])
                if found:
                    names.append(found.group(1))
    return names


def process(args: tuple[str, str]) -> PageOutcome:
    """Read one page (`docs` is its path inside the checkout)."""
    path, docs = args
    assert _registry is not None
    try:
        blocks = yfm.parse(Path(path).read_text(encoding="utf-8"))
        identity = identify.identify(docs, blocks)
        if identity.kind == "event" and _shared_events:
            drafts = events.build(docs, identity.title, blocks, _shared_events, _registry.types)
            return PageOutcome(docs, "event", listed=_listed_methods(blocks), events=drafts)
        if identity.kind != "method":
            return PageOutcome(docs, identity.kind, listed=_listed_methods(blocks))
        assert identity.method is not None
        method_id = identity.method + ("@v3" if identity.api_version == 3 else "")
        override = _overrides.get(method_id)
        result = page.build(identity, docs, blocks, _registry, override)
        assert result.spec is not None
        effective = merge_override(result.spec, override) if override else result.spec
        origin = "imported+override" if override else "imported"
        return PageOutcome(
            docs,
            "method",
            result,
            writer.dump(writer.canonical(result.spec)),
            checking.problems(method_id, effective, _registry, origin),
        )
    except Exception as exc:  # one broken page must not stop the import; it is reported
        return PageOutcome(docs, "failed", error=f"{type(exc).__name__}: {exc}")


def pages(docs_root: Path) -> list[tuple[str, str]]:
    """(file path, path inside the checkout) of every page under api-reference/, includes left out."""
    base = docs_root / "api-reference"
    found = []
    for path in sorted(base.rglob("*.md")):
        relative = path.relative_to(docs_root).as_posix()
        if "/_includes/" in relative:
            continue
        found.append((str(path), relative))
    return found


def method_id(result: page.PageResult) -> str:
    assert result.identity.method is not None
    return result.identity.method + ("@v3" if result.identity.api_version == 3 else "")


def _preference(docs: str) -> tuple[int, int, str]:
    """Between pages claiming one method: current before outdated, then shorter path, then name."""
    outdated = bool(re.search(r"/(outdated|deprecated)/", docs))
    return (outdated, len(docs), docs)


def run(docs_root: Path, out: Path, reports: Path, jobs: int = 2) -> report.Summary:
    types = read_yaml(out / "types.yaml")["types"]
    overrides = {p.name[: -len(".yaml")]: read_yaml(p) for p in sorted((out / "overrides").glob("*.yaml"))}
    shared_path = out / "events" / "shared.yaml"
    shared_events = read_yaml(shared_path) if shared_path.exists() else {}
    work = pages(docs_root)
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(types, overrides, shared_events)) as pool:
            outcomes = list(pool.map(process, work, chunksize=32))
    else:
        _init_worker(types, overrides, shared_events)
        outcomes = [process(item) for item in work]

    claims: dict[str, list[PageOutcome]] = {}
    for outcome in outcomes:
        if outcome.result is not None:
            claims.setdefault(method_id(outcome.result), []).append(outcome)
    chosen, duplicates = _settle_claims(claims)

    registry = ImportRegistry(types)
    used: set[str] = set()
    for outcome in chosen.values():
        assert outcome.result is not None
        used |= outcome.result.types
    event_drafts, event_duplicates = _chosen_events(outcomes)
    page_scopes = {o.docs: o.result.spec["scope"] for o in chosen.values() if o.result is not None and o.result.spec}
    for draft in event_drafts.values():
        if draft.spec and {"topic": "Scope", "choice": events.SCOPE_GUESSED} in draft.spec.get("notes", []):
            draft.spec["scope"] = events.nearest_scope(draft.docs, page_scopes) or draft.spec["scope"]
    for draft in event_drafts.values():
        used |= draft.types
    proposed = registry.proposed(used)
    written, deleted = writer.write_texts(out / "imported", {key: o.text for key, o in chosen.items()})
    if shared_events:
        event_texts = {key: writer.dump(writer.canonical_event(d.spec)) for key, d in event_drafts.items() if d.spec}
        summary_events = writer.write_texts(out / "events" / "imported", event_texts)
    else:
        summary_events = (0, 0)
    writer.write_if_changed(out / "imported-types.yaml", _types_text(proposed))

    curated = {p.name[: -len(".yaml")]: read_yaml(p) for p in sorted((out / "methods").glob("*.yaml"))}
    summary = report.Summary(
        pages=len(work),
        kinds=Counter(o.kind for o in outcomes),
        outcomes=outcomes,
        chosen={key: o.result for key, o in chosen.items() if o.result is not None},
        duplicates=duplicates,
        proposed_types=len(proposed),
        written=written,
        deleted=deleted,
    )
    for key, outcome in chosen.items():
        found = checking.problems(key, curated[key], registry, "methods") if key in curated else outcome.problems
        (summary.failing.__setitem__(key, found) if found else summary.passing.append(key))
    summary.curated = curated
    summary.overridden = set(overrides)
    summary.effective = {
        key: curated[key]
        if key in curated
        else merge_override(o.result.spec, overrides[key])
        if key in overrides
        else o.result.spec
        for key, o in chosen.items()
        if o.result is not None and o.result.spec is not None
    }
    summary.decisions = curation.read_decisions(out)
    summary.types = {**proposed, **types}
    summary.events = event_report.EventFigures(
        drafts=event_drafts, duplicates=event_duplicates, written=summary_events[0], deleted=summary_events[1]
    )
    if shared_events:
        summary.events.problems = _event_problems(out, summary)
    report.write_all(summary, reports)
    return summary


def _chosen_events(outcomes: list[PageOutcome]) -> tuple[dict[str, events.EventDraft], dict[str, list[str]]]:
    """One draft per event code: pages claiming one code are ranked as method pages are."""
    claims: dict[str, list[events.EventDraft]] = {}
    for outcome in outcomes:
        for draft in outcome.events:
            if draft.spec is not None and draft.event is not None:
                claims.setdefault(draft.event, []).append(draft)
    return _settle_claims(claims)


class _FromPage(Protocol):
    docs: str


_Claim = TypeVar("_Claim", bound=_FromPage)


def _settle_claims(claims: dict[str, list[_Claim]]) -> tuple[dict[str, _Claim], dict[str, list[str]]]:
    """(the page kept for each name, every page of names several claim, the kept one first)."""
    chosen: dict[str, _Claim] = {}
    duplicates: dict[str, list[str]] = {}
    for key in sorted(claims):
        ranked = sorted(claims[key], key=lambda claim: _preference(claim.docs))
        chosen[key] = ranked[0]
        if len(ranked) > 1:
            duplicates[key] = [claim.docs for claim in ranked]
    return chosen, duplicates


def _event_problems(out: Path, summary: report.Summary) -> dict[str, list[str]]:
    """codegen's own event checks over the written tree (drafts with their overrides)."""
    from ..events.load import load_events
    from ..events.spec_checks import event_problems, scopes_of
    from ..typeexpr import TypeRegistry

    tree = load_events(out)
    assert tree is not None
    scopes = set().union(*(scopes_of(spec) for spec in summary.effective.values()))
    shared, per_event = event_problems(tree, TypeRegistry(summary.types or {}), scopes)
    return {"(shared)": shared, **per_event} if shared else per_event


def _types_text(proposed: dict[str, dict[str, str]]) -> str:
    header = (
        "# Written by the docs importer (python -m codegen.importer): type names the docs use that\n"
        "# spec/types.yaml lacks, with a base guessed from the name (.id/.ID → integer, other dotted\n"
        "# names → string, anything else → object). types.yaml wins; move entries there to curate them.\n"
    )
    return header + writer.dump({"types": proposed})
