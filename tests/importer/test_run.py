"""The import end to end over the fixture checkout: files, determinism, layering, reports."""

from __future__ import annotations

import hashlib
from pathlib import Path

from codegen.importer.__main__ import main
from codegen.importer.run import run
from codegen.load import load_tree, read_yaml
from codegen.spec_checks import check_tree

from .conftest import FIXTURE_DOCS

CURATED_LIST = """method: widget.thing.list
title: List things
docs: api-reference/widgets/things/widget-thing-list.md
scope: widgets
idempotent: true
params:
  filter: {type: object}
  start: {type: string}
  limit: {type: integer}
result: {schema: {type: array}}
errors:
  - {code: "0", status: 404, class: NotFound}
"""
OVERRIDE_ADD = "params:\n  NAME: {required: false}\nconstraints:\n  - {rule: at_least_one_of, params: [PAY_ID, VALUE]}\n"


def snapshot(root: Path) -> dict[str, str]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_writes_one_file_per_method_and_they_pass_the_checker(spec_root: Path, tmp_path: Path) -> None:
    summary = run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    assert sorted(p.name for p in (spec_root / "imported").glob("*.yaml")) == [
        "widget.thing.add.yaml",
        "widget.thing.delete.yaml",
        "widget.thing.get@v3.yaml",
        "widget.thing.list.yaml",
    ]
    assert summary.pages == 6  # _includes/ left out
    assert (summary.kinds["method"], summary.kinds["event"], summary.kinds["overview"]) == (4, 1, 1)
    assert summary.passing == sorted(summary.chosen) and not summary.failing
    tree = load_tree(spec_root)
    assert check_tree(tree) == []
    assert read_yaml(spec_root / "imported-types.yaml")["types"] == {
        "thing_item": {"base": "object", "summary": "Imported from the docs; base guessed from the name 'thing_item'."},
    }


def test_importing_twice_changes_nothing(spec_root: Path, tmp_path: Path) -> None:
    run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    before = snapshot(tmp_path)
    summary = run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=2)
    assert (summary.written, summary.deleted) == (0, 0)
    assert snapshot(tmp_path) == before


def test_a_changed_page_changes_only_its_spec_and_a_removed_page_removes_it(
    spec_root: Path, docs_copy: Path, tmp_path: Path
) -> None:
    run(docs_copy, spec_root, tmp_path / "reports", jobs=1)
    before = snapshot(spec_root / "imported")
    page = docs_copy / "api-reference/widgets/things/widget-thing-list.md"
    page.write_text(page.read_text().replace("|| **start**", "|| **limit**\n[`integer`](x.md) | New ||\n|| **start**"))
    (docs_copy / "api-reference/widgets/things/widget-thing-delete.md").unlink()
    summary = run(docs_copy, spec_root, tmp_path / "reports", jobs=1)
    after = snapshot(spec_root / "imported")
    assert (summary.written, summary.deleted) == (1, 1)
    assert set(before) - set(after) == {"widget.thing.delete.yaml"}
    assert [name for name in after if after[name] != before[name]] == ["widget.thing.list.yaml"]
    assert "limit" in read_yaml(spec_root / "imported" / "widget.thing.list.yaml")["params"]


def test_curated_specs_and_overrides_survive_and_drift_is_reported(spec_root: Path, tmp_path: Path) -> None:
    (spec_root / "methods" / "widget.thing.list.yaml").write_text(CURATED_LIST)
    (spec_root / "overrides" / "widget.thing.add.yaml").write_text(OVERRIDE_ADD)
    untouched = {k: v for k, v in snapshot(spec_root).items() if not k.startswith("imported")}
    run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    assert {k: v for k, v in snapshot(spec_root).items() if not k.startswith("imported")} == untouched
    tree = load_tree(spec_root)
    assert tree.specs["widget.thing.add"].origin == "imported+override"
    assert tree.specs["widget.thing.add"].data["params"]["NAME"] == {"type": "string", "required": False}
    assert tree.specs["widget.thing.list"].origin == "curated"
    drift = (tmp_path / "reports" / "drift.md").read_text()
    assert "param `start`: type curated `string`, docs `integer`" in drift
    assert "param `order`: in the docs, not in the curated spec" in drift
    assert "param `limit`: in the curated spec, not in the docs" in drift
    assert "error `0`: docs status 400, curated [404]" in drift
    either_or = (tmp_path / "reports" / "either-or-candidates.md").read_text()
    assert "| `widget.thing.add` | override | PAY_ID, VALUE |" in either_or


def test_coverage_report(spec_root: Path, tmp_path: Path) -> None:
    run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    coverage = (tmp_path / "reports" / "coverage.md").read_text()
    assert "| **coverage** | **100.0%** |" in coverage
    assert "| REST v3 methods (files `<method>@v3.yaml`) | 1 |" in coverage
    assert "`widget.thing.missing`" in coverage  # listed in the overview, no page
    assert "| `widget.thing.delete` | api-reference/widgets/things/widget-thing-delete.md | placeholder value |" in coverage
    assert "taken as `widget.thing.delete`; also names `widget.thing.remove`" in coverage


def test_a_failing_draft_is_listed_with_its_reason(spec_root: Path, tmp_path: Path) -> None:
    broken = "constraints:\n  - {rule: at_least_one_of, params: [NOPE, VALUE]}\n"
    (spec_root / "overrides" / "widget.thing.add.yaml").write_text(broken)
    summary = run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    assert list(summary.failing) == ["widget.thing.add"]
    assert "'NOPE', which is not a parameter here" in (tmp_path / "reports" / "coverage.md").read_text()
    assert summary.percent == 75.0


def test_command_line(spec_root: Path, tmp_path: Path, capsys: object) -> None:
    assert main(["--docs", str(FIXTURE_DOCS), "--out", str(spec_root), "--reports", str(tmp_path / "r"), "--jobs", "1"]) == 0
    assert main(["--docs", str(tmp_path / "nowhere"), "--out", str(spec_root)]) == 2


def test_dump_is_plain_safe_dump(spec_root: Path, tmp_path: Path) -> None:
    import yaml

    from codegen.importer import writer

    run(FIXTURE_DOCS, spec_root, tmp_path / "reports", jobs=1)
    for path in (spec_root / "imported").glob("*.yaml"):
        data = read_yaml(path)
        assert writer.dump(data) == yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        assert writer.dump(data) == path.read_text(encoding="utf-8")
