"""`b24client.events.parse`: the runtime receiver with the generated payload types as registry.

The typed payloads must keep their required keys at runtime (Python 3.11 drops `Required[...]`
of a `total=False` TypedDict when annotations are strings), or the registry checks nothing.
"""

from __future__ import annotations

import pytest

from b24client import events
from tests.inbound.conftest import FORM, TOKEN, event_fields, php_form


def test_the_generated_types_keep_their_required_keys() -> None:
    assert {"event", "data"} <= events.OnCrmDealAddEvent.__required_keys__
    assert events.EVENTS["CATALOG.MEASURE.ON.ADD"].data_type.__required_keys__ == {"FIELDS"}


def test_parse_checks_the_payload_against_the_events_spec() -> None:
    good = parse_body("CATALOG.MEASURE.ON.ADD", {"FIELDS": {"ID": "3"}})
    assert good.name == "CATALOG.MEASURE.ON.ADD" and good.data == {"FIELDS": {"ID": "3"}}
    with pytest.raises(events.InboundFormatError) as caught:
        parse_body("CATALOG.MEASURE.ON.ADD", {"OTHER": "x"})
    assert "FIELDS" in str(caught.value)


def test_a_forged_token_is_refused_before_the_payload_is_read() -> None:
    body = php_form({**event_fields(data={"OTHER": "x"}), "event": "CATALOG.MEASURE.ON.ADD"})
    with pytest.raises(events.ForgedEventError):
        events.parse(body, FORM, application_token="not-" + TOKEN)


def parse_body(name: str, data: dict[str, object]) -> events.Event[object]:
    return events.parse(php_form({**event_fields(data=data), "event": name}), FORM, application_token=TOKEN)
