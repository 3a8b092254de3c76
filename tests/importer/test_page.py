"""Fixture pages become the draft specs their tables and examples describe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.importer import facts, identify, page, yfm
from codegen.importer.registry import ImportRegistry
from codegen.load import read_yaml

from .conftest import FIXTURE_DOCS, REPO


@pytest.fixture(scope="module")
def registry() -> ImportRegistry:
    return ImportRegistry(read_yaml(REPO / "spec" / "types.yaml")["types"])


def build(relative: str, registry: ImportRegistry, override: dict[str, Any] | None = None) -> page.PageResult:
    docs = "api-reference/" + relative
    blocks = yfm.parse((FIXTURE_DOCS / docs).read_text(encoding="utf-8"))
    return page.build(identify.identify(docs, blocks), docs, blocks, registry, override)


def test_parameters_types_required_markers_and_nesting(registry: ImportRegistry) -> None:
    spec = build("widgets/things/widget-thing-add.md", registry).spec
    assert spec is not None
    params = spec["params"]
    assert list(params) == ["NAME", "OWNER_ID", "PAY_ID", "VALUE", "TAGS", "OPTIONS", "SETTINGS", "FILTER", "ITEMS", "LIMITS"]
    assert params["NAME"] == {"type": "string", "required": True}  # **NAME***
    assert params["OWNER_ID"] == {"type": "user.id", "required": True}  # **OWNER_ID**^*^
    assert params["PAY_ID"] == {"type": "sale_paysystem.ID"}
    assert params["VALUE"] == {"type": "string|object"}
    assert params["TAGS"] == {"type": "integer[]"}
    # a table nested in the description cell
    assert params["OPTIONS"]["properties"] == {"COLOR": {"type": "string", "required": True}, "SIZE": {"type": "integer"}}
    # a table under "Parameter SETTINGS {#settings}", and one under "Object LIMITS" below it
    settings = params["SETTINGS"]["properties"]
    assert settings["MODE"] == {"type": "string", "required": True}
    assert settings["LIMITS"]["properties"] == {"MAX": {"type": "integer"}}
    assert params["LIMITS"] == {"type": "object"}  # the sub-table right after SETTINGS describes SETTINGS.LIMITS
    # placeholder rows (UF_...) open the object instead of becoming parameters
    assert params["FILTER"] == {"type": "object", "open": True, "properties": {"ID": {"type": "integer"}}}
    # "Type thing_item" describes the elements of an array parameter of that type
    assert params["ITEMS"]["items"]["properties"] == {"SKU": {"type": "string", "required": True}}


def test_no_prose_is_copied(registry: ImportRegistry) -> None:
    result = build("widgets/things/widget-thing-add.md", registry)
    text = repr(result.spec)
    assert "summary" not in text and "Fixture" not in text
    assert result.spec is not None and result.spec["access"] == "Any user."


def test_head_facts(registry: ImportRegistry) -> None:
    spec = build("widgets/things/widget-thing-add.md", registry).spec
    assert spec is not None
    head = (spec["method"], spec["title"], spec["scope"], spec["idempotent"])
    assert head == ("widget.thing.add", "Create a Thing", "widgets", False)
    assert spec["docs"] == "api-reference/widgets/things/widget-thing-add.md"
    assert spec["deprecated"] == {"reason": "The docs mark the method deprecated.", "replacement": "widget.thing.create"}
    assert spec["pagination"] == {"style": "none"}


def test_errors_examples_and_result(registry: ImportRegistry) -> None:
    spec = build("widgets/things/widget-thing-add.md", registry).spec
    assert spec is not None
    assert spec["errors"] == [{"code": "ERROR_NAME_EMPTY", "status": 400}, {"code": "ACCESS_DENIED", "status": 403}]
    success, error = spec["examples"]
    assert success["request"] == {"NAME": "Lamp", "OWNER_ID": 7, "VALUE": "x", "SETTINGS": {"MODE": "fast", "LIMITS": {"MAX": 3}}}
    assert success["response"]["status"] == 200 and success["response"]["body"]["result"]["ID"] == 15
    body = {"error": "ERROR_NAME_EMPTY", "error_description": "Name is empty"}
    assert error == {"name": "error_name_empty", "response": {"status": 400, "body": body}}
    assert spec["result"]["schema"]["properties"]["ITEMS"]["items"]["properties"]["PRICE"] == {"type": "number"}


def test_list_method_pagination_and_scopes(registry: ImportRegistry) -> None:
    spec = build("widgets/things/widget-thing-list.md", registry).spec
    assert spec is not None
    assert spec["scope"] == ["widgets", "user"]
    assert spec["idempotent"] is True
    expected = {"style": "offset", "items": "", "id_field": "ID", "order_param": "order", "filter_param": "filter"}
    assert spec["pagination"] == expected
    assert spec["access"] == "Administrators, or users with the rights the docs page names."


def test_a_placeholder_example_request_is_kept_out_and_reported(registry: ImportRegistry) -> None:
    result = build("widgets/things/widget-thing-delete.md", registry)
    assert result.spec is not None
    assert "request" not in result.spec["examples"][0]
    assert result.counts["example request kept out: placeholder value"] == 1
    assert result.refused_requests == [("placeholder value", "`ID` is '**put_id_here**', a value the reader fills in")]
    # a parameter table without a header row still reads
    assert result.spec["params"] == {"ID": {"type": "integer", "required": True}}
    assert result.spec["notes"][0]["topic"] == "Method name"


def test_example_request_is_checked_against_the_override(registry: ImportRegistry) -> None:
    def request_kept(override: dict[str, Any] | None) -> bool:
        spec = build("widgets/things/widget-thing-list.md", registry, override).spec
        assert spec is not None
        return "request" in spec["examples"][0]

    assert request_kept(None)
    assert not request_kept({"params": {"limit": {"type": "integer", "required": True}}})
    assert request_kept({"params": {"start": {"required": False}}})
    assert request_kept({"params": {"missing": {"required": False}}})  # broken override: draft alone decides


def test_rest_v3_page(registry: ImportRegistry) -> None:
    spec = build("widgets/things/widget-thing-get-rest-v3.md", registry).spec
    assert spec is not None
    assert spec["api_version"] == 3 and spec["pagination"] == {"style": "page"}
    assert [e["code"] for e in spec["errors"]] == [
        "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION",
        "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
    ]
    assert spec["examples"][1]["response"]["body"]["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION"


def test_either_or_sentences_become_candidates_not_constraints(registry: ImportRegistry) -> None:
    result = build("widgets/things/widget-thing-add.md", registry)
    assert result.spec is not None and "constraints" not in result.spec
    [candidate] = result.candidates
    assert candidate.params == ("PAY_ID", "VALUE")
    assert candidate.cue in ("either", "at least one of", "one of the following parameters")


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("crm.deal.list", True),
        ("crm.deal.fields", True),
        ("sale.paysystem.settings.get", True),
        ("landing.site.getList", True),
        ("task.item.isactionallowed", True),
        ("crm.deal.add", False),
        ("sale.paysystem.pay.invoice", False),
        ("crm.deal.update", False),
        ("im.notify.delete", False),
        ("sale.delivery.request.cancel", False),
        ("task.stages.canmovetask", True),
    ],
)
def test_idempotent_rule(method: str, expected: bool) -> None:
    assert facts.idempotent(method) is expected


def test_fixture_pages_exist() -> None:
    assert sorted(p.name for p in Path(FIXTURE_DOCS, "api-reference", "widgets", "things").glob("*.md")) == [
        "on-widget-thing-add.md",
        "widget-thing-add.md",
        "widget-thing-delete.md",
        "widget-thing-get-rest-v3.md",
        "widget-thing-list.md",
    ]
