"""The API diff on small fixture trees: every kind of change, and the verdict a caller needs.

Each case edits a copy of tests/codegen/fixtures/spec and states, independently of the rules
table, which changes must be found and whether each breaks a caller. A last check makes sure
every kind in the table has a case here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.apidiff import cli
from codegen.apidiff.compare import ApiDiff, diff_trees
from codegen.apidiff.report import as_json, as_markdown
from codegen.apidiff.rules import RULES, rules_markdown
from codegen.apidiff.sources import load_pair
from codegen.load import load_tree

FIXTURE = Path(__file__).parent / "fixtures" / "spec"
REPO = Path(__file__).resolve().parents[2]

Spec = dict[str, Any]
Edit = Callable[[Path], None]


def spec_file(root: Path, method_id: str) -> Path:
    return root / "methods" / f"{method_id}.yaml"


def edit(method_id: str, change: Callable[[Spec], None]) -> Edit:
    def apply(root: Path) -> None:
        path = spec_file(root, method_id)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    return apply


def remove(method_id: str) -> Edit:
    return lambda root: spec_file(root, method_id).unlink()


def add_v2_get(root: Path) -> None:
    """A v2 demo.widget.get next to the fixture's v3 one, so that the v3 file is a twin."""
    data = yaml.safe_load(spec_file(root, "demo.widget.get@v3").read_text(encoding="utf-8"))
    del data["api_version"]
    spec_file(root, "demo.widget.get").write_text(yaml.safe_dump(data), encoding="utf-8")


def add_method(root: Path) -> None:
    data = yaml.safe_load(spec_file(root, "demo.widget.get@v3").read_text(encoding="utf-8"))
    data.update(method="demo.widget.delete", idempotent=False)
    del data["api_version"]
    spec_file(root, "demo.widget.delete").write_text(yaml.safe_dump(data), encoding="utf-8")


def rebase_widget_id(root: Path) -> None:
    registry = root / "types.yaml"
    data = yaml.safe_load(registry.read_text(encoding="utf-8"))
    data["types"]["widget.ID"]["base"] = "string"
    registry.write_text(yaml.safe_dump(data), encoding="utf-8")


def add_param(name: str, **param: Any) -> Callable[[Spec], None]:
    return lambda data: data["params"].__setitem__(name, {"type": "string", **param})


def param(data: Spec, path: str) -> Spec:
    """The parameter at a dotted path (`FIELDS.SIZE.W`)."""
    first, *rest = path.split(".")
    found: Spec = data["params"][first]
    for name in rest:
        found = found["properties"][name]
    return found


def set_in(path: str, **values: Any) -> Callable[[Spec], None]:
    def change(data: Spec) -> None:
        target = param(data, path)
        for key, value in values.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = value

    return change


def widget_schema(data: Spec) -> Spec:
    widget: Spec = data["result"]["schema"]["$defs"]["Widget"]
    return widget


def error_entry(data: Spec, code: str) -> Spec:
    return next(error for error in data["errors"] if error["code"] == code)


@dataclass(frozen=True)
class Case:
    name: str
    edit: Edit  # applied to the new side (to the old side when `reverse`)
    expected: set[tuple[str, str, str, bool]]  # (method, kind, path, breaking)
    both: Edit | None = None  # applied to both sides first
    reverse: bool = False


ADD, LIST, GET3 = "demo.widget.add", "demo.widget.list", "demo.widget.get@v3"

CASES = [
    Case("method added", add_method, {("demo.widget.delete", "method_added", "", False)}),
    Case("method removed", remove(LIST), {(LIST, "method_removed", "", True)}),
    Case("v3 without a v2 name is a method, not a twin", remove(GET3), {(GET3, "method_removed", "", True)}),
    Case(
        "method deprecated",
        edit(ADD, lambda d: d.update(deprecated={"reason": "old", "replacement": "x.add"})),
        {(ADD, "method_deprecated", "", False)},
    ),
    Case(
        "method undeprecated",
        edit(ADD, lambda d: d.update(deprecated={"reason": "old"})),
        {(ADD, "method_undeprecated", "", False)},
        reverse=True,
    ),
    Case("v3 twin added", remove(GET3), {(GET3, "twin_added", "", False)}, both=add_v2_get, reverse=True),
    Case("v3 twin removed", remove(GET3), {(GET3, "twin_removed", "", True)}, both=add_v2_get),
    Case("idempotency changed", edit(ADD, lambda d: d.update(idempotent=True)), {(ADD, "idempotency_changed", "", False)}),
    Case("refused inside batch", edit(ADD, lambda d: d.update(batchable=False)), {(ADD, "batch_refused", "", True)}),
    Case(
        "allowed inside batch", edit(ADD, lambda d: d.update(batchable=False)), {(ADD, "batch_allowed", "", False)}, reverse=True
    ),
    Case("optional parameter added", edit(ADD, add_param("COMMENT")), {(ADD, "param_added_optional", "COMMENT", False)}),
    Case(
        "required parameter added",
        edit(ADD, add_param("COMMENT", required=True)),
        {(ADD, "param_added_required", "COMMENT", True)},
    ),
    Case(
        "nested required parameter added",
        edit(ADD, lambda d: param(d, "FIELDS.SIZE")["properties"].update(D={"type": "integer", "required": True})),
        {(ADD, "param_added_required", "FIELDS.SIZE.D", True)},
    ),
    Case("optional parameter removed", edit(ADD, lambda d: d["params"].pop("class")), {(ADD, "param_removed", "class", True)}),
    Case(
        "nested parameter removed",
        edit(ADD, lambda d: param(d, "FIELDS")["properties"].pop("ACTIVE")),
        {(ADD, "param_removed", "FIELDS.ACTIVE", True)},
    ),
    Case(
        "parameter becomes required", edit(ADD, set_in("class", required=True)), {(ADD, "param_became_required", "class", True)}
    ),
    Case(
        "nested parameter becomes optional",
        edit(ADD, set_in("FIELDS.SIZE.W", required=None)),
        {(ADD, "param_became_optional", "FIELDS.SIZE.W", False)},
    ),
    Case(
        "type widened: integer to integer|string",
        edit(ADD, set_in("OWNER_ID", type="integer|string")),
        {(ADD, "param_type_widened", "OWNER_ID", False)},
    ),
    Case("type widened: nullable", edit(ADD, set_in("class", nullable=True)), {(ADD, "param_type_widened", "class", False)}),
    Case(
        "registry type re-based: the spec is unchanged, its kind is not",
        rebase_widget_id,
        {(ADD, "param_type_widened", "OWNER_ID", False)},
    ),
    Case(
        "type narrowed: string to integer",
        edit(ADD, set_in("OWNER_CODE", type="integer")),
        {(ADD, "param_type_narrowed", "OWNER_CODE", True)},
    ),
    Case(
        "type changed: string to boolean",
        edit(ADD, set_in("OWNER_CODE", type="boolean")),
        {(ADD, "param_type_changed", "OWNER_CODE", True)},
    ),
    Case(
        "array element type narrowed",
        edit(ADD, set_in("OWNER_CODE", type="string[]")),
        {(ADD, "param_type_narrowed", "OWNER_CODE", True)},
        both=edit(ADD, set_in("OWNER_CODE", type="array")),
    ),
    Case(
        "enum value added",
        edit(ADD, set_in("FIELDS.COLOR", enum=["red", "green", "blue"])),
        {(ADD, "enum_value_added", "FIELDS.COLOR", False)},
    ),
    Case(
        "enum value removed", edit(ADD, set_in("FIELDS.COLOR", enum=["red"])), {(ADD, "enum_value_removed", "FIELDS.COLOR", True)}
    ),
    Case(
        "enum added",
        edit(ADD, set_in("OWNER_CODE", enum=["a", {"value": "b", "summary": "B."}])),
        {(ADD, "enum_added", "OWNER_CODE", True)},
    ),
    Case("enum dropped", edit(ADD, set_in("FIELDS.COLOR", enum=None)), {(ADD, "enum_dropped", "FIELDS.COLOR", False)}),
    Case("parameter deprecated", edit(ADD, set_in("class", deprecated=True)), {(ADD, "param_deprecated", "class", False)}),
    Case(
        "rule between parameters added",
        edit(ADD, lambda d: d["constraints"].append({"rule": "mutually_exclusive", "params": ["class", "NAME"]})),
        {(ADD, "constraint_added", "", True)},
    ),
    Case("bound added", edit(ADD, set_in("NAME", max_length=10)), {(ADD, "constraint_added", "NAME", True)}),
    Case(
        "nested rule dropped",
        edit(ADD, lambda d: param(d, "FIELDS").pop("constraints")),
        {(ADD, "constraint_dropped", "FIELDS", False)},
    ),
    Case(
        "bound dropped",
        edit(ADD, set_in("NAME", max_length=None)),
        {(ADD, "constraint_dropped", "NAME", False)},
        both=edit(ADD, set_in("NAME", max_length=20)),
    ),
    Case(
        "bound tightened",
        edit(ADD, set_in("NAME", max_length=10)),
        {(ADD, "bound_tightened", "NAME", True)},
        both=edit(ADD, set_in("NAME", max_length=20)),
    ),
    Case(
        "minimum raised is tighter",
        edit(ADD, set_in("OWNER_ID", minimum=5)),
        {(ADD, "bound_tightened", "OWNER_ID", True)},
        both=edit(ADD, set_in("OWNER_ID", minimum=1)),
    ),
    Case(
        "bound loosened",
        edit(ADD, set_in("NAME", max_length=30)),
        {(ADD, "bound_loosened", "NAME", False)},
        both=edit(ADD, set_in("NAME", max_length=20)),
    ),
    Case(
        "precedence added",
        edit(ADD, lambda d: d["constraints"].append({"rule": "precedence", "params": ["OWNER_ID", "OWNER_CODE"]})),
        {(ADD, "precedence_changed", "", False)},
    ),
    Case(
        "result field added",
        edit(LIST, lambda d: widget_schema(d)["properties"].update(COLOR={"type": "string"})),
        {(LIST, "result_field_added", "[].COLOR", False)},
    ),
    Case(
        "result field removed",
        edit(LIST, lambda d: widget_schema(d)["properties"].pop("NAME")),
        {(LIST, "result_field_removed", "[].NAME", True)},
    ),
    Case(
        "result object removed is one change",
        edit(GET3, lambda d: d["result"]["schema"]["properties"].pop("item")),
        {(GET3, "result_field_removed", "item", True)},
        both=edit(
            GET3,
            lambda d: d["result"]["schema"]["properties"]["item"].update(
                properties={"id": {"type": "integer"}, "name": {"type": "string"}}
            ),
        ),
    ),
    Case(
        "result type narrowed",
        edit(ADD, lambda d: d["result"].update(schema={"type": "integer"})),
        {(ADD, "result_type_narrowed", "", False)},
        both=edit(ADD, lambda d: d["result"].update(schema={"type": "number"})),
    ),
    Case(
        "result type widened",
        edit(ADD, lambda d: d["result"].update(schema={"type": ["integer", "null"]})),
        {(ADD, "result_type_widened", "", True)},
    ),
    Case(
        "result type changed",
        edit(LIST, lambda d: widget_schema(d)["properties"]["ID"].update(type="integer")),
        {(LIST, "result_type_changed", "[].ID", True)},
    ),
    Case(
        "result field may be absent",
        edit(LIST, lambda d: widget_schema(d).update(required=[])),
        {(LIST, "result_field_became_optional", "[].ID", True)},
    ),
    Case(
        "result field always present",
        edit(LIST, lambda d: widget_schema(d).update(required=["ID", "NAME"])),
        {(LIST, "result_field_became_required", "[].NAME", False)},
    ),
    Case(
        "error added",
        edit(ADD, lambda d: d["errors"].append({"code": "NAME_TOO_LONG", "status": 400})),
        {(ADD, "error_added", "NAME_TOO_LONG", False)},
    ),
    Case(
        "error added whose code another method maps to another class",
        edit(
            ADD,
            lambda d: d["errors"].append({"code": "WIDGET_GONE", "status": 404, "match": "(?i)gone", "class": "WidgetVanished"}),
        ),
        {(ADD, "error_class_changed", "WIDGET_GONE", True)},
        both=edit(LIST, lambda d: d["errors"].append({"code": "WIDGET_GONE", "status": 404})),
    ),
    Case(
        "error removed, class still generated",
        edit(ADD, lambda d: d["errors"].pop(0)),
        {(ADD, "error_removed", "WIDGET_EXISTS", False)},
        both=edit(LIST, lambda d: d["errors"].append({"code": "WIDGET_EXISTS", "status": 400, "category": "conflict"})),
    ),
    Case(
        "error removed: its class lives on elsewhere, but only by description match",
        edit(ADD, lambda d: d["errors"].pop(1)),
        {(ADD, "error_class_changed", "0", True)},
        both=edit(
            LIST,
            lambda d: d["errors"].append(
                {"code": "0", "status": 400, "match": "(?i)denied", "class": "WidgetAccessDenied", "category": "permission"}
            ),
        ),
    ),
    Case(
        "error removed with its class",
        edit(ADD, lambda d: d["errors"].pop(0)),
        {(ADD, "error_class_removed", "WIDGET_EXISTS", True)},
    ),
    Case(
        "error moved to another status",
        edit(ADD, lambda d: error_entry(d, "WIDGET_EXISTS").update(status=409)),
        {(ADD, "error_status_changed", "WIDGET_EXISTS", False)},
    ),
    Case(
        "error moved to another class",
        edit(ADD, lambda d: error_entry(d, "0").update({"class": "WidgetForbidden"})),
        {(ADD, "error_class_changed", "0", True)},
    ),
    Case(
        "error class moved to another base",
        edit(ADD, lambda d: error_entry(d, "WIDGET_EXISTS").update(category="invalid")),
        {(ADD, "error_base_changed", "WIDGET_EXISTS", True)},
    ),
    Case(
        "status move that changes the base",
        edit(LIST, lambda d: error_entry(d, "GONE").update(status=400)),
        {(LIST, "error_status_changed", "GONE", False), (LIST, "error_base_changed", "GONE", True)},
        both=edit(LIST, lambda d: d["errors"].append({"code": "GONE", "status": 404})),
    ),
    Case(
        "error base refined from ApiError",
        edit(LIST, lambda d: error_entry(d, "ODD").update(status=400)),
        {(LIST, "error_status_changed", "ODD", False), (LIST, "error_base_specialised", "ODD", False)},
        both=edit(LIST, lambda d: d["errors"].append({"code": "ODD", "status": 200})),
    ),
    Case(
        "pagination removed",
        edit(LIST, lambda d: d.pop("pagination")),
        {
            (LIST, "pagination_style_changed", "", True),
            (LIST, "param_removed", "select", True),
            (LIST, "param_removed", "order", True),
        },
    ),
    Case(
        "offset pagination added implies list parameters",
        edit(LIST, lambda d: d.pop("pagination")),
        {
            (LIST, "pagination_style_improved", "", False),
            (LIST, "param_added_optional", "select", False),
            (LIST, "param_added_optional", "order", False),
        },
        reverse=True,
    ),
    Case(
        "pagination to page style",
        edit(GET3, lambda d: d.update(pagination={"style": "page"})),
        {(GET3, "pagination_style_changed", "", True)},
    ),
    Case(
        "records moved", edit(LIST, lambda d: d["pagination"].update(items="items")), {(LIST, "pagination_items_moved", "", True)}
    ),
    Case(
        "id cursors lost",
        edit(LIST, lambda d: d["pagination"].update(no_count=False)),
        {(LIST, "pagination_cursor_lost", "", True)},
    ),
    Case(
        "id cursors gained",
        edit(LIST, lambda d: d["pagination"].pop("id_field")),
        {(LIST, "pagination_cursor_gained", "", False)},
        reverse=True,
    ),
    Case(
        "page size changed",
        edit(LIST, lambda d: d["pagination"].update(page_size=100)),
        {(LIST, "pagination_page_size_changed", "", False)},
    ),
]


def trees(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    for root in (old, new):
        shutil.copytree(FIXTURE, root)
        if case.both:
            case.both(root)
    case.edit(old if case.reverse else new)
    return old, new


def diff_of(old: Path, new: Path) -> ApiDiff:
    return diff_trees(load_tree(old), load_tree(new))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_change_is_found_with_its_verdict(tmp_path: Path, case: Case) -> None:
    old, new = trees(tmp_path, case)
    found = {(c.method, c.kind, c.path, c.breaking) for c in diff_of(old, new).changes}
    assert found == case.expected


def test_every_kind_in_the_rules_table_has_a_case() -> None:
    covered = {kind for case in CASES for _, kind, _, _ in case.expected}
    assert covered == {rule.kind for rule in RULES}


def test_identical_trees_and_same_kind_under_another_name_show_no_change(tmp_path: Path) -> None:
    case = Case("registry name to its kind", edit(ADD, set_in("OWNER_ID", type="integer")), set())
    old, new = trees(tmp_path, case)
    assert diff_of(old, old).changes == []
    result = diff_of(old, new)
    assert result.changes == [] and result.edited_without_api_change == [ADD]


def test_report_names_the_registry_type_behind_type_changes(tmp_path: Path) -> None:
    old, new = trees(tmp_path, Case("re-based", rebase_widget_id, set()))
    result = diff_of(old, new)
    assert result.retyped == [("widget.ID", "integer", "string")]
    assert "`widget.ID` integer → string" in as_markdown(result, "old", "new")
    assert json.loads(as_json(result, "old", "new"))["retyped"] == [{"type": "widget.ID", "old": "integer", "new": "string"}]


def test_summary_edits_are_not_api_changes(tmp_path: Path) -> None:
    old, new = trees(tmp_path, Case("summary", edit(ADD, lambda d: d.update(summary="Other words.")), set()))
    result = diff_of(old, new)
    assert result.changes == [] and result.edited_without_api_change == [ADD]


def add_comment_and_require_class(data: Spec) -> None:
    add_param("COMMENT")(data)
    set_in("class", required=True)(data)


MIXED = Case("mixed", edit(ADD, add_comment_and_require_class), set())


def test_markdown_puts_counts_and_breaking_changes_first_and_json_lists_the_same(tmp_path: Path) -> None:
    old, new = trees(tmp_path, MIXED)
    result = diff_of(old, new)
    markdown = as_markdown(result, "old", "new")
    document = json.loads(as_json(result, "old", "new"))
    assert "**1 breaking** and 1 compatible change(s) in 1 method(s)." in markdown
    assert markdown.index("### Breaking changes (1)") < markdown.index("### Compatible changes (1)")
    assert markdown.index("parameter `class` is now required") < markdown.index("optional parameter `COMMENT` added")
    assert [(c["kind"], c["breaking"]) for c in document["changes"]] == [
        ("param_became_required", True),
        ("param_added_optional", False),
    ]
    assert all(change["message"] in markdown for change in document["changes"])
    assert document["summary"]["breaking"] == 1 and document["summary"]["compatible"] == 1


def test_cli_exit_status_says_whether_anything_breaks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = trees(tmp_path, MIXED)
    assert cli.main(["diff", str(old), str(new), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["summary"]["breaking"] == 1
    assert cli.main(["diff", str(new), str(new)]) == 0
    assert "No change to the API" in capsys.readouterr().out
    assert cli.main(["diff", "no-such-folder-or-revision", str(new)]) == 2
    assert "neither a spec folder" in capsys.readouterr().err


def test_a_side_may_be_a_checkout_holding_spec(tmp_path: Path) -> None:
    from codegen.apidiff.sources import opened

    shutil.copytree(FIXTURE, tmp_path / "spec")
    with opened(str(tmp_path)) as side:
        assert side.root == tmp_path / "spec"


def test_rules_table_in_the_docs_is_the_one_in_the_module() -> None:
    docs = (REPO / "docs" / "api-diff.md").read_text(encoding="utf-8")
    assert rules_markdown() in docs, "docs/api-diff.md is stale: paste `python -m codegen diff --rules` into it"


def test_changelog_section_is_drafted_and_replaced_on_rerun(tmp_path: Path) -> None:
    old, new = trees(tmp_path, MIXED)
    changelog = tmp_path / "CHANGELOG.md"
    arguments = ["changelog", "--since", str(old), "--until", str(new), "--previous", "0.1.0", "--file", str(changelog)]
    assert cli.main(arguments) == 0
    changelog.write_text(changelog.read_text(encoding="utf-8") + "### Notes\n\n- Written by hand.\n", encoding="utf-8")
    assert cli.main(arguments) == 0
    text = changelog.read_text(encoding="utf-8")
    assert text.startswith("# Changelog") and text.count("## Unreleased") == 1
    assert text.count("- Written by hand.") == 1
    breaking, added = text.index("### Breaking"), text.index("### Added")
    assert breaking < text.index("parameter `class` is now required") < added
    assert added < text.index("optional parameter `COMMENT` added")
    assert cli.main([*arguments[:-2], "--version", "0.2.0", "--date", "2026-12-01", "--file", str(changelog)]) == 0
    text = changelog.read_text(encoding="utf-8")
    assert text.index("## 0.2.0 — 2026-12-01") < text.index("## Unreleased")


# Two revisions of this repository: the registry re-based ids and codes (4f08b56), so
# parameters typed `user` or `crm_status` changed kind. Pinned commits keep the figures fixed.
BEFORE, AFTER = "4d61ad5", "4f08b56"


def test_two_real_revisions(tmp_path: Path) -> None:
    from codegen.apidiff.sources import SourceError, opened

    try:
        with opened(BEFORE) as old, opened(AFTER) as new:
            result = diff_trees(*load_pair(old.root, new.root))
    except SourceError as exc:  # a shallow clone lacks the history
        pytest.skip(str(exc))
    found = {(c.method, c.kind, c.path): c for c in result.changes}
    assert result.methods_old == result.methods_new == 1668
    assert found[("sale.status.get", "param_type_widened", "id")].message.endswith("integer → string")
    assert found[("crm.contact.add", "param_type_changed", "fields.ASSIGNED_BY_ID")].breaking
    assert {c.kind for c in result.changes} == {"param_type_widened", "param_type_changed"}
    assert result.breaking == sum(c.kind == "param_type_changed" for c in result.changes) > 100
