"""The offline event queue: event.offline.get / clear / error / list, as offline-events.md describes."""

from __future__ import annotations

from b24client.emulator import Emulator
from tests.emulator.conftest import AppRest
from tests.support.receiver import Receiver


def _offline(app_rest: AppRest, *events: str, connector: str = "") -> None:
    for event in events:
        params = {"event": event, "event_type": "offline", **({"auth_connector": connector} if connector else {})}
        app_rest.ok("event.bind", params)


def _names_and_ids(events: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(e["EVENT_NAME"], e["EVENT_DATA"]["FIELDS"]["ID"]) for e in events]  # type: ignore[index]


def test_get_returns_and_by_default_deletes_the_queued_events(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMDEALADD", "ONCRMCONTACTADD")
    deal = app_rest.ok("crm.deal.add", {"fields": {"TITLE": "A"}})
    contact = app_rest.ok("crm.contact.add", {"fields": {"NAME": "Ann"}})
    result = app_rest.ok("event.offline.get")
    assert result["process_id"] is None
    assert _names_and_ids(result["events"]) == [("ONCRMDEALADD", deal), ("ONCRMCONTACTADD", contact)]
    assert set(result["events"][0]) == {"ID", "TIMESTAMP_X", "EVENT_NAME", "EVENT_DATA", "EVENT_ADDITIONAL", "MESSAGE_ID"}
    assert app_rest.ok("event.offline.get")["events"] == []


def test_the_queue_keeps_the_latest_change_of_an_object_not_each_one(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMDEALUPDATE")
    deal = app_rest.ok("crm.deal.add", {"fields": {"TITLE": "A"}})
    other = app_rest.ok("crm.deal.add", {"fields": {"TITLE": "B"}})
    for title in ("A1", "A2", "A3"):
        app_rest.ok("crm.deal.update", {"id": deal, "fields": {"TITLE": title}})
    app_rest.ok("crm.deal.update", {"id": other, "fields": {"TITLE": "B1"}})
    rows = app_rest.ok("event.offline.list")
    assert [r["EVENT_DATA"]["FIELDS"]["ID"] for r in rows] == [deal, other]
    assert rows[0]["MESSAGE_ID"] != rows[1]["MESSAGE_ID"]
    # the same object keeps its MESSAGE_ID; its record was replaced, so the ID moved on
    assert int(rows[0]["ID"]) == 3 and rows[0]["MESSAGE_ID"] == "1"


def test_reserve_with_clear_0_then_confirm_with_clear(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMDEALADD")
    ids = [app_rest.ok("crm.deal.add", {"fields": {"TITLE": str(n)}}) for n in range(3)]
    reserved = app_rest.ok("event.offline.get", {"clear": 0, "limit": 2})
    process_id = reserved["process_id"]
    assert isinstance(process_id, str) and len(process_id) == 32
    assert _names_and_ids(reserved["events"]) == [("ONCRMDEALADD", ids[0]), ("ONCRMDEALADD", ids[1])]
    # a reserved batch is hidden from other calls; the third event is still free
    assert _names_and_ids(app_rest.ok("event.offline.get", {"clear": 0})["events"]) == [("ONCRMDEALADD", ids[2])]
    listed = app_rest.ok("event.offline.list")
    assert [r["PROCESS_ID"] != "" for r in listed] == [True, True, True]
    # the same process re-selects its records
    again = app_rest.ok("event.offline.get", {"clear": 0, "process_id": process_id})
    assert again["process_id"] == process_id and len(again["events"]) == 2
    first_message = reserved["events"][0]["MESSAGE_ID"]
    assert app_rest.ok("event.offline.clear", {"process_id": process_id, "message_id": [first_message]}) is True
    assert [r["MESSAGE_ID"] for r in app_rest.ok("event.offline.list")] == [
        reserved["events"][1]["MESSAGE_ID"],
        listed[2]["MESSAGE_ID"],
    ]
    assert app_rest.ok("event.offline.clear", {"process_id": process_id}) is True
    assert len(app_rest.ok("event.offline.list")) == 1


def test_error_marks_records_that_come_back_only_with_error_1(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMDEALADD")
    app_rest.ok("crm.deal.add", {"fields": {"TITLE": "A"}})
    reserved = app_rest.ok("event.offline.get", {"clear": 0})
    message_id = reserved["events"][0]["MESSAGE_ID"]
    assert app_rest.ok("event.offline.error", {"process_id": reserved["process_id"], "message_id": [message_id]})
    assert app_rest.ok("event.offline.list", {"filter": {"ERROR": 1}})[0]["ERROR"] == "1"
    assert app_rest.ok("event.offline.get")["events"] == []
    assert [e["MESSAGE_ID"] for e in app_rest.ok("event.offline.get", {"error": 1})["events"]] == [message_id]


def test_list_filters_orders_pages_and_changes_nothing(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMCONTACTADD")
    for n in range(55):
        app_rest.ok("crm.contact.add", {"fields": {"NAME": f"N{n}"}})
    response = app_rest.post("event.offline.list", {"order": {"ID": "DESC"}})
    body = response.json()
    assert (body["total"], body["next"], len(body["result"]), body["result"][0]["ID"]) == (55, 50, 50, "55")
    assert len(app_rest.ok("event.offline.list", {"start": 50})) == 5
    assert [r["ID"] for r in app_rest.ok("event.offline.list", {"filter": {">ID": 53}})] == ["54", "55"]
    assert len(app_rest.ok("event.offline.get", {"limit": 100})["events"]) == 55


def test_auth_connector_splits_the_queue_and_skips_the_apps_own_changes(app_rest: AppRest) -> None:
    _offline(app_rest, "ONCRMDEALADD")
    _offline(app_rest, "ONCRMDEALADD", connector="sync")
    app_rest.ok("crm.deal.add", {"fields": {"TITLE": "by a user"}})
    app_rest.ok("crm.deal.add", {"fields": {"TITLE": "by the sync"}, "auth_connector": "sync"})
    plain = app_rest.ok("event.offline.list")
    synced = app_rest.ok("event.offline.list", {"auth_connector": "sync"})
    assert [r["EVENT_DATA"]["FIELDS"]["ID"] for r in plain] == [1, 2]
    assert [r["EVENT_DATA"]["FIELDS"]["ID"] for r in synced] == [1]  # its own change is not queued for it


def test_offline_queues_are_per_app(b24_emulator: Emulator, app_rest: AppRest) -> None:
    other = AppRest(b24_emulator, b24_emulator.register_app(installed=True).client_id)
    _offline(other, "ONCRMDEALADD")
    app_rest.ok("crm.deal.add", {"fields": {"TITLE": "A"}})
    assert app_rest.ok("event.offline.list") == []
    assert len(other.ok("event.offline.list")) == 1


def test_a_new_offline_record_notifies_onofflineevent_handlers(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONOFFLINEEVENT", "handler": receiver.url, "options": {"minTimeout": 3600}})
        _offline(app_rest, "ONCRMDEALADD")
        app_rest.ok("crm.deal.add", {"fields": {"TITLE": "A"}})
        app_rest.ok("crm.deal.add", {"fields": {"TITLE": "B"}})  # within minTimeout: no second notice
        b24_emulator.drain_deliveries()
        [request] = receiver.requests()
    form = request.form()
    assert form["event"] == "ONOFFLINEEVENT" and "data" not in form  # data arrives empty
    assert form["auth"]["application_token"] == b24_emulator.app().application_token


def test_the_typed_client_drains_the_queue_and_never_retries_the_destructive_get(b24_emulator: Emulator) -> None:
    from b24client import Bitrix24
    from b24client.runtime.retry import NO_RETRY

    creds = b24_emulator.oauth_credentials()
    with Bitrix24(
        domain=creds["domain"],
        access_token=creds["access_token"],
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=creds["token_url"],
        retry=NO_RETRY,
        rate_limiter=None,
    ) as b24:
        assert b24.event.bind(event="ONCRMDEALADD", event_type="offline") is True
        deal = b24.crm.deal.add(fields={"TITLE": "typed"})
        reserved = b24.event.offline.get(clear=0)
        assert [e["EVENT_DATA"] for e in reserved["events"]] == [{"FIELDS": {"ID": deal}}]
        assert b24.event.offline.clear(process_id=reserved["process_id"]) is True
        assert b24.event.offline.list() == []
    spec = b24_emulator.specs.get("event.offline.get")
    assert spec is not None and spec["idempotent"] is False
