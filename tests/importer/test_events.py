"""The importer's reading of event pages (codegen/importer/events.py), on small pages written here."""

from __future__ import annotations

from typing import Any

from codegen.events.spec_checks import example_problems
from codegen.importer import events, yfm
from codegen.importer.registry import ImportRegistry
from codegen.load import SPEC_ROOT, read_yaml

SHARED = read_yaml(SPEC_ROOT / "events" / "shared.yaml")
REGISTRY = ImportRegistry(read_yaml(SPEC_ROOT / "types.yaml")["types"])

PAGE = """# Event When Creating a Widget onDemoWidgetAdd

> Scope: [`crm`](../scopes/permissions.md)

## What the Handler Receives

```json
{
    "event": "ONDEMOWIDGETADD",
    "event_handler_id": "185",
    "data": {"FIELDS": {"ID": "6641", "COLOR": "red"}, "STATE": "S"},
    "ts": "1735374081",
    "auth": {"domain": "example.bitrix24.com", "member_id": "m", "client_endpoint": "c", "server_endpoint": "s"}
}
```

#|
|| **Parameter**
`type` | **Description** ||
|| **event**
[`string`](../data-types.md) | Code. ||
|| **data**
[`object`](../data-types.md) | The widget. The structure is described [below](#fields) ||
|| **data.STATE**
[`string`](../data-types.md) | State: `A` or `B` ||
|| **ts**
[`timestamp`](../data-types.md) | Time. ||
|#

### Parameter FIELDS {#fields}

#|
|| **Parameter**
`type` | **Description** ||
|| **FIELDS***
[`object`](../data-types.md) | Fields. ||
|#

## Continue Learning
"""


def build(text: str, docs: str = "api-reference/demo/events/on-demo-widget-add.md") -> list[events.EventDraft]:
    blocks = yfm.parse(text)
    title = next(yfm.plain(b.text) for b in blocks if isinstance(b, yfm.Heading) and b.level == 1)
    return events.build(docs, title, blocks, SHARED, REGISTRY.types)


def test_a_page_gives_a_spec_from_its_tables_completed_by_its_example() -> None:
    [draft] = build(PAGE)
    spec: dict[str, Any] = draft.spec or {}
    assert draft.event == "ONDEMOWIDGETADD" and spec["type_name"] == "OnDemoWidgetAdd" and spec["scope"] == "crm"
    assert spec["summary"] == "Demo widget added."
    fields = spec["data"]["properties"]["FIELDS"]
    assert fields["required"] is True  # from the table
    assert fields["properties"] == {"ID": {"type": "string"}, "COLOR": {"type": "string"}}  # from the example only
    assert draft.payload_source == "tables and example"
    notes = [note["choice"] for note in spec["notes"]]
    assert "`data.FIELDS.ID`: not in the tables; the example sends it, typed from its value" in notes
    assert example_problems("ONDEMOWIDGETADD", spec["examples"][0]["body"], spec, SHARED, REGISTRY.types) == []


def test_a_table_rule_the_example_breaks_is_relaxed_with_a_note() -> None:
    page = PAGE.replace("State: `A` or `B`", "State:\n\n- `A` — first\n- `B` — second\n")
    kept = build(page.replace('"STATE": "S"', '"STATE": "A"'))[0].spec or {}
    assert kept["data"]["properties"]["STATE"]["enum"] == ["A", "B"]  # the list is read when the example fits it
    [draft] = build(page)
    spec: dict[str, Any] = draft.spec or {}
    assert "enum" not in spec["data"]["properties"]["STATE"]  # it would refuse the example's "S"
    assert "`data.STATE`: the example sends 'S', not a listed value; no value list" in [n["choice"] for n in spec["notes"]]
    assert example_problems("ONDEMOWIDGETADD", spec["examples"][0]["body"], spec, SHARED, REGISTRY.types) == []

    typed = build(PAGE.replace('"STATE": "S"', '"STATE": {"CODE": "S"}'))[0].spec or {}
    assert typed["data"]["properties"]["STATE"]["type"] == "string|object"
    assert any("`data.STATE`" in note["choice"] for note in typed["notes"])


def test_pages_that_document_no_single_event_say_why() -> None:
    overview = build("# Overview of Events When Working with Widgets\n\nSome text.\n", "api-reference/demo/events/index.md")
    assert [d.skipped for d in overview] == ["overview of several events"]
    guide = build(
        "# How to Test Your Handler for Events\n\n## Prepare the Handler\n\nText.\n", "api-reference/events/test-handler.md"
    )
    assert [d.skipped for d in guide] == ["names no event code (a guide, not an event)"]


def test_a_page_of_several_events_gives_one_spec_per_section() -> None:
    page = """# Event Formats demo.v2

Events of demo.v2: a widget message is added, or a widget joins a chat.

## ONDEMOV2MESSAGEADD {#ondemov2messageadd}

#|
|| **Field** | **Type** | **Description** ||
|| **message** | `object` | The message ||
|#

```json
{"message": {"id": 5}}
```

## ONDEMOV2JOINCHAT {#ondemov2joinchat}

#|
|| **Field** | **Type** | **Description** ||
|| **chat** | `object` | The chat ||
|#
"""
    drafts = build(page, "api-reference/demo/events/events.md")
    assert [d.event for d in drafts] == ["ONDEMOV2MESSAGEADD", "ONDEMOV2JOINCHAT"]
    first, second = (d.spec or {} for d in drafts)
    assert first["type_name"] == "OnDemoV2MessageAdd" and second["type_name"] == "OnDemoV2JoinChat"
    assert first["examples"] == [{"name": "docs", "body": {"event": "ONDEMOV2MESSAGEADD", "data": {"message": {"id": 5}}}}]
    assert set(second["data"]["properties"]) == {"chat"} and "examples" not in second
