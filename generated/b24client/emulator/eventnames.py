"""Which event names the portal knows, and which event a change of an entity family fires.

The names come from data, not from a hand list of families: the `events` method's docs
example (api-reference/events/events.md) lists the events a portal offers, and a family's
event is `ON` + its name without dots + the verb (`crm.deal` + add → `ONCRMDEALADD`), kept
only when that name is one the portal knows. A few families whose events are named
otherwise are mapped in `FAMILY_EVENT_STEMS` (tasks.task fires ONTASKADD, not
ONTASKSTASKADD); the sale events the `events` example leaves out are in `EXTRA_EVENTS`,
each from its own docs page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

VERB_SUFFIX = {"add": "ADD", "update": "UPDATE", "delete": "DELETE"}
# family → the stem its events use, where it is not the family name without dots
FAMILY_EVENT_STEMS = {"tasks.task": "TASK", "crm.requisite.bankdetail": "CRMBANKDETAIL", "task.commentitem": "TASKCOMMENT"}
# sale payments: api-reference/sale/events/on-payment-entity-saved.md and on-payment-deleted.md
PAYMENT_SAVED = "ONPAYMENTENTITYSAVED"
PAYMENT_DELETED = "ONPAYMENTDELETED"
EXTRA_EVENTS = frozenset(
    {
        PAYMENT_SAVED,
        PAYMENT_DELETED,
        "ONSALEORDERSAVED",
        "ONSALEBEFOREORDERDELETE",
        "ONORDERENTITYSAVED",
        "ONORDERDELETED",
        "ONSHIPMENTENTITYSAVED",
        "ONSHIPMENTDELETED",
        "ONPROPERTYVALUEENTITYSAVED",
        "ONPROPERTYVALUEDELETED",
    }
)
# sale entities fire "saved" on add and update and "deleted" on delete (api-reference/sale/events/)
SAVED_FAMILIES = {
    "sale.payment": (PAYMENT_SAVED, PAYMENT_DELETED),
    "sale.shipment": ("ONSHIPMENTENTITYSAVED", "ONSHIPMENTDELETED"),
    "sale.order": ("ONORDERENTITYSAVED", "ONORDERDELETED"),
}
# smart-process items: ONCRMDYNAMICITEMADD_<entityTypeId> (the events example shows _147)
DYNAMIC_ITEM = re.compile(r"^ONCRMDYNAMICITEM(ADD|UPDATE|DELETE)_\d+$")
ONAPPINSTALL = "ONAPPINSTALL"
ONAPPUNINSTALL = "ONAPPUNINSTALL"
ONOFFLINEEVENT = "ONOFFLINEEVENT"


@functools.lru_cache(maxsize=1)
def known_events() -> frozenset[str]:
    """Upper-case names event.bind accepts: the `events` example's, plus EXTRA_EVENTS."""
    from b24client.runtime import specs

    example: Mapping[str, Any] = specs.example("events") or {}
    names: set[str] = set(EXTRA_EVENTS)
    result = ((example.get("response") or {}).get("body") or {}).get("result")
    if isinstance(result, list):
        names.update(str(name).upper() for name in result)
    return frozenset(names)


def is_known(name: str) -> bool:
    upper = name.upper()
    return upper in known_events() or DYNAMIC_ITEM.match(upper) is not None


def family_event(family: str, verb: str) -> str | None:
    """The event a family's add/update/delete fires, or None when the portal has no such event."""
    suffix = VERB_SUFFIX.get(verb)
    if suffix is None:
        return None
    if family in SAVED_FAMILIES:
        saved, deleted = SAVED_FAMILIES[family]
        return deleted if verb == "delete" else saved
    stem = FAMILY_EVENT_STEMS.get(family) or re.sub(r"[^A-Za-z0-9]", "", family).upper()
    name = f"ON{stem}{suffix}"
    return name if name in known_events() else None


def event_scope(event: str) -> str:
    """auth[scope] of a delivery: the scope the event belongs to (crm for ONCRM*, sale for payments)."""
    for prefix, scope in (("ONCRM", "crm"), ("ONTASK", "task"), ("ONUSER", "user"), ("ONAPP", "app")):
        if event.startswith(prefix):
            return scope
    return "sale" if any(word in event for word in ("PAYMENT", "ORDER", "SHIPMENT", "PROPERTYVALUE")) else "event"


def event_data(event: str, record_id: int) -> dict[str, Any]:
    """The `data` of an entity event, in the shape its page shows: `{"FIELDS": {"ID": 5}}` for CRM
    and sale events; tasks send the id before and after the change (on-task-add.md, -update,
    -delete); ONUSERADD sends the user's fields at the top level, of which we send the ID."""
    if event in ("ONTASKADD", "ONTASKUPDATE", "ONTASKDELETE"):
        before = "undefined" if event == "ONTASKADD" else {"ID": record_id}
        after = "undefined" if event == "ONTASKDELETE" else {"ID": record_id}
        return {
            "FIELDS_BEFORE": before,
            "FIELDS_AFTER": after,
            "IS_ACCESSIBLE_BEFORE": "N" if event == "ONTASKADD" else "undefined",
            "IS_ACCESSIBLE_AFTER": "N" if event == "ONTASKDELETE" else "undefined",
        }
    if event == "ONUSERADD":
        return {"ID": record_id}
    return {"FIELDS": {"ID": record_id}}
