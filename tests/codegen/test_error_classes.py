"""Which base an error class sits under, its name and its docstring, from the whole spec tree.

A code means the same on every page that lists it: the shared tables (system errors, the
error-class catalogue) settle its category, then categories that entries state, and only then
the HTTP statuses pages give. 505 imported pages list ACCESS_DENIED with 400, and a majority
vote of statuses made `errors.AccessDenied` an InvalidRequestError.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from codegen.compile import error_classes
from codegen.load import SpecFile, SpecTree, load_tree, shared_error_facts, with_shared_error_facts
from codegen.spec_checks import shared_error_problems
from codegen.testcases import ErrorFacts, error_cases

FIXTURE_SPECS = Path(__file__).parent / "fixtures" / "spec"


def _tree(
    entries_per_method: dict[str, list[dict[str, Any]]],
    *,
    system: list[dict[str, Any]] | None = None,
    catalogue: list[dict[str, Any]] | None = None,
) -> SpecTree:
    template = load_tree(FIXTURE_SPECS).specs["demo.widget.list"].data
    tree = SpecTree(root=FIXTURE_SPECS, system_errors=system or [], error_catalogue=catalogue or [])
    for method_id, errors in entries_per_method.items():
        data = copy.deepcopy(template) | {"method": method_id, "errors": errors}
        tree.specs[method_id] = SpecFile(method_id, data, (), "imported")
    return tree


def _classes(tree: SpecTree) -> dict[str, Any]:
    classes, _, problems = error_classes(tree)
    assert problems == []
    return {c.name: c for c in classes}


def test_the_system_table_beats_a_majority_of_statuses() -> None:
    pages = {f"demo.m{i}.get": [{"code": "ACCESS_DENIED", "status": 400}] for i in range(5)}
    system = [{"code": "ACCESS_DENIED", "status": 403, "category": "permission", "summary": "No rights."}]
    assert _classes(_tree(pages))["AccessDenied"].category == "invalid"  # statuses alone: the old vote
    found = _classes(_tree(pages, system=system))["AccessDenied"]
    assert (found.category, found.summary) == ("permission", "No rights.")


def test_a_stated_category_beats_statuses() -> None:
    pages = {f"demo.m{i}.get": [{"code": "ENTITY_NOT_FOUND", "status": 400}] for i in range(3)}
    pages["demo.one.get"] = [{"code": "ENTITY_NOT_FOUND", "status": 400, "category": "not_found"}]
    assert _classes(_tree(pages))["EntityNotFound"].category == "not_found"


def test_the_catalogue_names_a_code_and_its_entries_inherit_it() -> None:
    code = "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION"
    catalogue = [{"code": code, "class": "V3AccessDenied", "category": "permission", "summary": "v3: no rights."}]
    tree = _tree({"demo.v3.get": [{"code": code, "status": 400}]}, catalogue=catalogue)
    spec = with_shared_error_facts(tree.specs["demo.v3.get"], shared_error_facts(tree))
    assert spec.data["errors"] == [{"code": code, "status": 400, "class": "V3AccessDenied", "category": "permission"}]
    tree.specs["demo.v3.get"] = spec
    classes, by_code, _ = error_classes(tree)
    assert by_code[code] == "V3AccessDenied"
    assert [c.name for c in classes] == ["V3AccessDenied"]


def test_one_pages_summary_does_not_describe_a_shared_class() -> None:
    pages = {
        "demo.a.get": [{"code": "NOT_FOUND", "status": 404, "summary": "No widget has this id."}],
        "demo.b.get": [{"code": "NOT_FOUND", "status": 404}],
    }
    doc = _classes(_tree(pages))["NotFound"].summary
    assert "widget" not in doc
    assert doc == "The portal answered `error` 'NOT_FOUND'. Documented by demo.a.get, demo.b.get."
    alone = _classes(_tree({"demo.a.get": pages["demo.a.get"]}))["NotFound"].summary
    assert alone == "No widget has this id."


def test_a_status_only_entry_is_no_disagreement_but_a_stated_one_is() -> None:
    stated_permission = {"demo.a.get": [{"code": "X_DENIED", "status": 400, "category": "permission"}]}
    classes = error_classes(_tree(stated_permission))[0]
    facts = ErrorFacts.of([], classes)
    by_status = error_cases({"errors": [{"code": "X_DENIED", "status": 400}]}, facts, [])
    assert [(c.base_name, c.known_base) for c in by_status] == [("PermissionDeniedError", None)]
    stated = error_cases({"errors": [{"code": "X_DENIED", "status": 400, "category": "invalid"}]}, facts, [])
    assert [(c.base_name, c.known_base) for c in stated] == [("InvalidRequestError", "PermissionDeniedError")]


def test_the_shared_tables_are_checked_against_the_format() -> None:
    tree = _tree(
        {},
        system=[{"code": "X", "status": 99}],
        catalogue=[{"code": "Y", "class": "lower", "summary": "s"}, {"code": "Y", "summary": "s"}],
    )
    problems = shared_error_problems(tree)
    assert any(p.startswith("spec/system-errors.yaml: /0/status") for p in problems), problems
    assert any(p.startswith("spec/error-classes.yaml: /0/class") for p in problems), problems
    assert "spec/error-classes.yaml: code 'Y' is listed more than once" in problems
    assert shared_error_problems(load_tree()) == []
