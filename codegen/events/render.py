"""Render the checked event specs into generated/b24client/events.py (the module `b24client.events`).

One module, because it is small enough to import in a few milliseconds and users import it
only where they receive events. The TypedDicts come from the same HintBuilder that types
method parameters, so a payload field and a parameter of one type get one hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2

from ..naming import docs_url, pascal
from ..pytypes import HintBuilder, TypedDictDef
from ..typeexpr import TypeRegistry
from .load import EventTree
from .spec_checks import MODULE_NAMES, scopes_of

MODULE_PATH = "generated/b24client/events.py"


@dataclass(frozen=True)
class EventRow:
    code: str
    event_class: str
    data_class: str
    scope: tuple[str, ...]
    docs: str
    spec: str


def _envelope_fields(hints: HintBuilder, params: dict[str, Any], owner: str) -> list[tuple[str, str, bool]]:
    return [(key, hints.hint(param, owner + pascal(key)), bool(param.get("required"))) for key, param in params.items()]


def render_events(env: jinja2.Environment, events: EventTree, registry: TypeRegistry) -> dict[str, str]:
    """{path: text} of the events module; empty when there are no event specs."""
    if not events.specs:
        return {}
    reserved = set(MODULE_NAMES)
    for spec in events.specs.values():
        reserved |= {spec.data["type_name"] + "Data", spec.data["type_name"] + "Event"}
    hints = HintBuilder(registry, reserved=reserved)
    shared = events.shared
    auth = hints.typed_dict(
        "EventAuth",
        shared["auth"].get("properties", {}),
        functional=False,
        key_names={key: key for key in shared["auth"].get("properties", {})},
    )
    aliases: list[tuple[str, str]] = []
    rows = []
    for code in sorted(events.specs):
        spec = events.specs[code]
        data, name = spec.data, spec.data["type_name"]
        payload = data["data"]
        data_hint = name + "Data"
        if payload.get("properties") and registry.resolve(payload["type"])[0] == ("object", 0):
            properties = payload["properties"]
            hints.typed_dict(name + "Data", properties, functional=True, key_names={key: key for key in properties})
        else:
            aliases.append((name + "Data", hints.hint(payload, name + "Data")))
            data_hint = f'"{name}Data"'  # the alias comes after the classes: a forward reference
        fields = [("event", f"Literal[{code!r}]", True)]
        fields += _envelope_fields(hints, {k: v for k, v in shared["envelope"].items() if k != "event"}, name)
        fields += _envelope_fields(hints, data.get("envelope", {}), name)
        fields.append(("data", data_hint, True))
        if data.get("auth", "shared") == "shared":
            fields.append(("auth", auth, False))
        hints.definitions.append(TypedDictDef(name + "Event", fields, functional=not all(k.isidentifier() for k, _, _ in fields)))
        rows.append(
            EventRow(code, name + "Event", name + "Data", tuple(scopes_of(data)), docs_url(data["docs"]), spec.source_label)
        )
    text = env.get_template("events.py.j2").render(
        source="spec/events/ (shared.yaml and one file per event)", definitions=hints.definitions, aliases=aliases, events=rows
    )
    return {MODULE_PATH: text}
