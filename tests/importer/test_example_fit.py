"""The importer fits a draft to its page's own example request (codegen/importer/example_fit.py).

Each rule is run on a small draft and a request the tables refuse; afterwards the strict
runtime validator accepts the request, the change is noted, and what the draft still
checks (typos, other types, required members) is still refused.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from codegen.importer import example_fit
from codegen.importer.registry import ImportRegistry
from codegen.importer.validate_example import request_problems
from codegen.load import read_yaml

from .conftest import REPO


@pytest.fixture(scope="module")
def registry() -> ImportRegistry:
    return ImportRegistry(read_yaml(REPO / "spec" / "types.yaml")["types"])


def fitted(params: dict[str, Any], body: dict[str, Any], registry: ImportRegistry) -> tuple[dict[str, Any], list[str]]:
    spec: dict[str, Any] = {"method": "x.y.add", "params": params, "pagination": {"style": "none"}}
    notes: list[str] = []
    left = example_fit.fit(spec, body, registry, notes, Counter())
    assert left == []
    assert request_problems(spec, body, registry, strict=True) == []
    return spec, notes


def rules(spec: dict[str, Any], body: dict[str, Any], registry: ImportRegistry) -> list[tuple[str, str]]:
    return [(p.path, p.rule) for p in request_problems(spec, body, registry, strict=True)]


def test_a_text_id_where_an_integer_is_typed_makes_it_a_string(registry: ImportRegistry) -> None:
    spec, notes = fitted({"ID": {"type": "integer", "required": True}}, {"ID": "65e5a449e8f135.21284909"}, registry)
    assert spec["params"]["ID"] == {"type": "string", "required": True}
    assert notes and "`ID`" in notes[0]
    assert rules(spec, {}, registry) == [("ID", "required")]


def test_a_placeholder_value_settles_nothing(registry: ImportRegistry) -> None:
    spec: dict[str, Any] = {"method": "x.y.get", "params": {"id": {"type": "integer"}}}
    left = example_fit.fit(spec, {"id": "your_product_id"}, registry, [], Counter())
    assert [(p.path, p.rule) for p in left] == [("id", "type")]
    assert spec["params"]["id"] == {"type": "integer"}
    assert all(example_fit.is_placeholder(v) for v in ("**put_id_here**", "your_invoice_id", "<id>", "_USER_ID_"))
    assert not any(example_fit.is_placeholder(v) for v in ("65e5a449e8f135.21284909", "Uber Description", "N"))


def test_a_list_where_one_value_is_typed_takes_both(registry: ImportRegistry) -> None:
    params = {"FILE_ID": {"type": "integer"}, "items": {"type": "object", "properties": {"A": {"type": "integer"}}}}
    spec, _ = fitted(params, {"FILE_ID": [1, 2], "items": [{"A": 1}, {"A": 2}]}, registry)
    assert spec["params"]["FILE_ID"]["type"] == "integer|integer[]"
    assert spec["params"]["items"]["type"] == "object|object[]"
    assert rules(spec, {"FILE_ID": 3, "items": [{"A": "x"}]}, registry) == [("items[0].A", "type")]


def test_a_member_in_another_case_takes_the_examples_spelling(registry: ImportRegistry) -> None:
    params = {"fields": {"type": "object", "properties": {"productid": {"type": "integer"}}}}
    spec, notes = fitted(params, {"fields": {"productId": 5}}, registry)
    assert list(spec["params"]["fields"]["properties"]) == ["productId"]
    assert "spells it `productid`" in notes[0]


def test_unlisted_keys_holding_records_make_a_keyed_map(registry: ImportRegistry) -> None:
    record = {"TYPE": {"type": "string", "required": True}, "VALUE": {"type": "string"}}
    params = {"SETTINGS": {"type": "object", "properties": record}}
    spec, _ = fitted(params, {"SETTINGS": {"KEY_ONE": {"TYPE": "VALUE", "VALUE": "k"}}}, registry)
    assert spec["params"]["SETTINGS"] == {"type": "object", "values": {"type": "object", "properties": record}}
    assert rules(spec, {"SETTINGS": {"OTHER": {"VALUE": "k"}}}, registry) == [("SETTINGS.OTHER.TYPE", "required")]


def test_a_key_beside_a_placeholder_row_opens_the_object(registry: ImportRegistry) -> None:
    params = {"FIELDS": {"type": "object", "properties": {"NAME": {"type": "string"}, "PROPERTY_PropertyId": {"type": "string"}}}}
    spec, _ = fitted(params, {"FIELDS": {"NAME": "x", "PROPERTY_951": "y"}}, registry)
    assert spec["params"]["FIELDS"]["open"] is True


def test_a_name_the_table_forgot_is_added_and_typos_are_still_refused(registry: ImportRegistry) -> None:
    params = {"fields": {"type": "object", "properties": {"SUBJECT": {"type": "string"}}}}
    spec, notes = fitted(params, {"order": {"ID": "asc"}, "fields": {"SUBJECT": "s", "COMPLETED": "N"}}, registry)
    assert spec["params"]["order"] == {"type": "object"}
    assert spec["params"]["fields"]["properties"]["COMPLETED"] == {"type": "string"}
    assert len(notes) == 2
    assert rules(spec, {"fields": {"SUBJCT": "s"}}, registry) == [("fields.SUBJCT", "unknown")]


def test_a_likely_typo_in_the_example_is_not_added(registry: ImportRegistry) -> None:
    spec: dict[str, Any] = {"method": "x.y.get", "params": {"ACTIONID": {"type": "integer"}}}
    left = example_fit.fit(spec, {"ACTIONI": 6}, registry, [], Counter())
    assert [(p.path, p.rule) for p in left] == [("ACTIONI", "unknown")]
    assert list(spec["params"]) == ["ACTIONID"]


def test_a_nested_member_the_example_leaves_out_is_not_required_but_a_top_level_one_stays(registry: ImportRegistry) -> None:
    params = {
        "ID": {"type": "integer", "required": True},
        "fields": {"type": "object", "properties": {"A": {"type": "string", "required": True}}},
    }
    spec: dict[str, Any] = {"method": "x.y.add", "params": params}
    left = example_fit.fit(spec, {"fields": {}}, registry, [], Counter())
    assert [(p.path, p.rule) for p in left] == [("ID", "required")]
    assert "required" not in params["fields"]["properties"]["A"]
