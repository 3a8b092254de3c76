"""Value lists, bounds, anchor-linked sub-tables, per-variant tabs and docs `array`s with fields."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from b24client.runtime.validate import check
from codegen.compile import compile_param
from codegen.importer import params, shapes, subtables, values, yfm
from codegen.load import load_tree, with_list_params
from codegen.typeexpr import TypeRegistry

from .test_whole_docs import DOCS

HEAD = "#|\n|| **Name**\n`type` | **Description** ||\n"


def tree_of(page: str) -> subtables.Outcome:
    return subtables.assemble(yfm.parse(page), params.TableStats())


def test_a_bullet_list_of_values_is_an_enum_and_integers_are_numbers() -> None:
    assert values.read("Activity. Possible values:\n- `Y` — yes\n- `N` — no\n\nDefault `Y`", "string") == ["Y", "N"]
    assert values.read("Action:\n- `1` — add\n- `2` — change\n- `3` — remove", "integer") == [1, 2, 3]
    assert values.read("Supported values are `male` and `female`", "string") == ["male", "female"]


def test_sort_directions_take_both_cases() -> None:
    assert values.read("Direction:\n- `ASC` — up\n- `DESC` — down", "string") == ["asc", "desc", "ASC", "DESC"]
    order: dict[str, Any] = {"type": "object"}
    values.apply(order, "order", "Possible values for `order`:\n- `asc` — up\n- `desc` — down")
    assert order["values"] == {"type": "string", "enum": ["asc", "desc", "ASC", "DESC"]}


@pytest.mark.parametrize(
    "cell, type_",
    [
        ("Possible prefix values:\n- `>=` — at least\n- `<` — less", "string"),  # filter prefixes
        ("Value examples:\n- `string` — a\n- `integer` — b", "string"),  # examples, not the set
        ("Flag. Possible values:\n- `Y` — yes\n- `N` — no", "boolean"),  # the boolean type already says it
        ("Fields:\n- `ID` — id\n- `NAME` — name", "object"),  # members of an object
        ("Kind. Possible values:\n- `a` — x\n- `b` — y\n\nDefault `c`", "string"),  # the default is not listed
        ("Chat in the format:\n- `chatXXX` — a chat\n- `XXX` — a user", "string"),  # a format
        ("The `align` parameter is one of `left`, `right`", "string"),  # a sentence about another name
    ],
)
def test_lists_that_are_not_the_closed_set_are_no_enum(cell: str, type_: str) -> None:
    assert values.read(cell, type_) is None


def test_stated_bounds() -> None:
    assert values.bounds("Title, up to `255` characters", "string") == {"max_length": 255}
    assert values.bounds("Rows. Must be greater than 0.", "integer") == {"minimum": 1}
    assert values.bounds("Sort. Must be greater than or equal to 0", "integer") == {"minimum": 0}
    assert values.bounds("Limit. Maximum value is `50`", "integer") == {"maximum": 50}
    assert values.bounds("Ids. Maximum number of values — 20", "string[]") == {"max_items": 20}
    assert values.bounds("If it is greater than 0, the other is ignored", "integer") == {}


def test_a_table_linked_from_select_lists_field_names_not_members() -> None:
    page = (
        HEAD + "|| **select**\n`array` | fields, see [fields](#fields) ||\n"
        "|| **filter**\n`object` | by [fields](#fields) ||\n|#\n\n### Fields {#fields}\n\n"
        + HEAD
        + "|| **ID**\n`integer` | x ||\n|#\n"
    )
    outcome = tree_of(page)
    assert outcome.tree == {"select": {"type": "array"}, "filter": {"type": "object"}}
    assert outcome.field_name_tables == ["Fields"]


def test_a_table_attaches_to_every_structured_parameter_that_links_it_and_not_to_a_string() -> None:
    page = (
        HEAD + "|| **PROPERTIES**\n`object` | [property](#prop) ||\n"
        "|| **RETURN**\n`object` | [property](#prop) ||\n|| **HANDLER**\n`string` | posts [data](#posted) ||\n|#\n"
        "\n### Property {#prop}\n\n" + HEAD + "|| **Name***\n`string` | x ||\n|#\n"
        "\n### Posted data {#posted}\n\n" + HEAD + "|| **code**\n`string` | x ||\n|#\n"
    )
    outcome = tree_of(page)
    fields = {"Name": {"type": "string", "required": True}}
    assert outcome.tree["PROPERTIES"]["properties"] == fields
    assert outcome.tree["RETURN"]["properties"] == fields
    assert outcome.tree["HANDLER"] == {"type": "string"}
    assert outcome.scalar_linked == ["Posted data"]


def test_a_linked_section_yields_to_its_sub_heading_that_names_the_parameter() -> None:
    """sale.paysystem.handler.add: the #checkout section first tables what the portal posts to
    ACTION_URI; the members of CHECKOUT_DATA sit under a sub-heading that names it."""
    page = (
        HEAD
        + "|| **SETTINGS**\n`object` | [below](#settings) ||\n|#\n\n### SETTINGS {#settings}\n\n"
        + HEAD
        + "|| **CHECKOUT_DATA**\n`object` | see [checkout](#checkout) ||\n|#\n"
        "\n## Checkout mode {#checkout}\n\nPosted to ACTION_URI:\n\n" + HEAD + "|| **PAYMENT_ID**\n`integer` | x ||\n|#\n"
        "\n### Passed in the CHECKOUT_DATA array\n\n" + HEAD + "|| **ACTION_URI***\n`string` | x ||\n|#\n"
    )
    outcome = tree_of(page)
    assert outcome.tree["SETTINGS"]["properties"]["CHECKOUT_DATA"]["properties"] == {
        "ACTION_URI": {"type": "string", "required": True}
    }
    assert outcome.shadowed == ["Checkout mode"]


def test_a_linked_section_keeps_its_table_when_sub_headings_name_other_things() -> None:
    page = (
        HEAD
        + "|| **settings**\n`object` | [below](#settings) ||\n|#\n\n### Parameter settings {#settings}\n\n"
        + HEAD
        + "|| **view**\n`string` | x ||\n|| **reminders**\n`object` | [r](#reminders) ||\n|#\n"
        "\n#### Reminder settings object {#reminders}\n\n" + HEAD + "|| **count**\n`integer` | x ||\n|#\n"
    )
    outcome = tree_of(page)
    assert set(outcome.tree["settings"]["properties"]) == {"view", "reminders"}
    assert outcome.shadowed == []


def test_per_variant_tabs_are_joined_without_refusing_any_tab() -> None:
    tab = "- {name}\n\n    " + HEAD.replace("\n", "\n    ") + "{rows}    |#\n\n"
    page = (
        HEAD + "|| **SETTINGS**\n`object` | per type, [below](#settings) ||\n|#\n\n### SETTINGS {#settings}\n\n"
        "{% list tabs %}\n\n"
        + tab.format(
            name="boolean",
            rows="|| **DISPLAY***\n    `string` | Possible values:\n    - `CHECKBOX` — a\n"
            "    - `RADIO` — b ||\n    || **DEFAULT_VALUE**\n    `integer` | x ||\n",
        )
        + tab.format(
            name="enumeration",
            rows="|| **DISPLAY***\n    `string` | Possible values:\n    - `LIST` — a\n"
            "    - `UI` — b ||\n    || **DEFAULT_VALUE**\n    `string` | x ||\n",
        )
        + "{% endlist %}\n"
    )
    outcome = tree_of(page)
    settings = outcome.tree["SETTINGS"]
    assert settings["open"] is True
    assert settings["properties"]["DISPLAY"] == {"type": "string", "required": True, "enum": ["CHECKBOX", "RADIO", "LIST", "UI"]}
    assert settings["properties"]["DEFAULT_VALUE"] == {"type": "integer|string"}
    assert outcome.tab_groups == ["SETTINGS"]


def test_a_docs_array_with_fields_is_checked_as_an_object_and_as_a_list_of_them() -> None:
    registry = TypeRegistry({})
    param = {
        "type": "array",
        "required": True,
        "properties": {"SUBJECT": {"type": "string"}, "OWNER_ID": {"type": "integer", "required": True}},
    }
    spec = {"method": "m.add", "params": {"fields": compile_param(param, registry)}}
    assert [p.path for p in check(spec, {"fields": {"SUBJECT": "x"}}).problems] == ["fields.OWNER_ID"]
    assert [p.path for p in check(spec, {"fields": [{"SUBJECT": "x"}]}).problems] == ["fields[0].OWNER_ID"]
    assert check(spec, {"fields": {"OWNER_ID": 1}}).problems == []
    listed = {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer", "required": True}}}}
    spec = {"method": "m.set", "params": {"clients": compile_param(listed, registry)}}
    assert [p.path for p in check(spec, {"clients": [{}]}).problems] == ["clients[0].id"]


def test_the_page_examples_win_over_enums_bounds_and_nested_required() -> None:
    tree: dict[str, Any] = {
        "TYPE": {"type": "string", "enum": ["CPC", "CPM"]},
        "TITLE": {"type": "string", "max_length": 5},
        "fields": {
            "type": "object",
            "properties": {"NAME": {"type": "string", "required": True}, "ROWS": {"type": "object", "properties": {}}},
        },
    }
    notes: list[str] = []
    texts = ['-d \'{"TYPE": "cpc", "TITLE": "long title", "fields": {"ROWS": [{"A": 1}]}}\'']
    assert shapes.drop_contradicted(tree, texts, notes) == 2
    shapes.reconcile(tree, {"TYPE": "cpc", "fields": {"ROWS": [{"A": 1}]}}, "", notes)
    assert "enum" not in tree["TYPE"] and "max_length" not in tree["TITLE"]
    assert "required" not in tree["fields"]["properties"]["NAME"]
    assert tree["fields"]["properties"]["ROWS"]["type"] == "object|object[]"
    assert len(notes) == 4


def test_names_that_differ_only_in_case_keep_the_examples_spelling() -> None:
    tree: dict[str, Any] = {"sort": {"type": "string"}, "order": {"type": "string"}, "SORT": {"type": "integer"}}
    notes: list[str] = []
    shapes.settle_case_clashes(tree, {"sort": "NAME"}, notes)
    assert list(tree) == ["sort", "order"] and len(notes) == 1


SHAPE_RULES = {"enum", "minimum", "maximum", "max_length", "max_items"}


@pytest.mark.skipif(DOCS is None, reason="no docs checkout")
def test_no_docs_request_example_is_refused_by_a_shape_rule() -> None:
    """Every cURL body on every method page, against the spec tree: no enum, bound or nested required refuses it."""
    from codegen.importer.run import pages

    assert DOCS is not None
    tree = load_tree()
    registry = TypeRegistry(tree.types)
    by_page: dict[str, list[str]] = {}
    for method_id, spec_file in tree.specs.items():
        by_page.setdefault(spec_file.data["docs"], []).append(method_id)
    seen: Counter[str] = Counter()
    refused = []
    for path, docs in pages(DOCS):
        if docs not in by_page:
            continue
        blocks = yfm.parse(Path(path).read_text(encoding="utf-8"))
        for method_id in by_page[docs]:
            data = with_list_params(tree.specs[method_id].data)
            spec = {
                "method": method_id,
                "api_version": data.get("api_version", 2),
                "params": {name: compile_param(param, registry) for name, param in data["params"].items()},
                "open_params": data.get("open_params", False),
            }
            for body in shapes.request_bodies(blocks, method_id.split("@")[0]):
                seen["bodies"] += 1
                for problem in check(spec, body).problems:
                    nested = problem.rule == "required" and ("." in problem.path or "[" in problem.path)
                    if problem.rule in SHAPE_RULES or nested:
                        refused.append(str(problem))
    assert seen["bodies"] > 2000
    assert refused == []
