"""event.bind / unbind / get, and events delivered to bound handlers over real loopback HTTP."""

from __future__ import annotations

import socket

import pytest
import requests

from b24client.emulator import Emulator
from tests.emulator.conftest import AppRest, Rest
from tests.support.receiver import Held, Receiver

AUTH_KEYS = {
    "access_token",
    "expires_in",
    "scope",
    "domain",
    "server_endpoint",
    "status",
    "client_endpoint",
    "member_id",
    "application_token",
}


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone"


def _add_deal(app_rest: AppRest, title: str = "Deal") -> int:
    deal_id = app_rest.ok("crm.deal.add", {"fields": {"TITLE": title}})
    assert isinstance(deal_id, int)
    return deal_id


# --- bindings -----------------------------------------------------------------------------------


def test_bind_get_unbind_keep_the_apps_handlers(app_rest: AppRest) -> None:
    assert app_rest.ok("event.bind", {"event": "ONCRMLEADADD", "handler": "https://app.example/h/"}) is True
    assert app_rest.ok("event.bind", {"event": "onCrmLeadAdd", "handler": "https://app.example/h/", "auth_type": 15})
    assert app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "event_type": "offline"}) is True
    assert app_rest.ok("event.get") == [
        {"event": "ONCRMLEADADD", "handler": "https://app.example/h/", "auth_type": "0", "offline": 0},
        {"event": "ONCRMLEADADD", "handler": "https://app.example/h/", "auth_type": "15", "offline": 0},
        {"event": "ONCRMDEALADD", "handler": "", "auth_type": "0", "offline": 1},
    ]
    # auth_type=0 removes only the handler bound without a user, as the unbind page says
    assert app_rest.ok("event.unbind", {"event": "ONCRMLEADADD", "handler": "https://app.example/h/", "auth_type": 0}) == {
        "count": 1
    }
    assert app_rest.ok("event.unbind", {"event": "ONCRMLEADADD", "handler": "https://app.example/h/"}) == {"count": 1}
    assert app_rest.ok("event.unbind", {"event": "ONCRMDEALADD"}) == {"count": 0}  # online only by default
    assert app_rest.ok("event.unbind", {"event": "ONCRMDEALADD", "event_type": "offline"}) == {"count": 1}
    assert app_rest.ok("event.get") == []


def test_binding_the_same_handler_twice_keeps_one(app_rest: AppRest) -> None:
    for _ in range(2):
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": "https://app.example/h/"})
    assert len(app_rest.ok("event.get")) == 1


def test_unknown_event_is_error_event_not_found(app_rest: AppRest) -> None:
    status, code, description = app_rest.error("event.bind", {"event": "ONNOSUCHTHING", "handler": "https://a.example/"})
    assert (status, code, description) == (400, "ERROR_EVENT_NOT_FOUND", "Event not found")


def test_online_handler_must_be_an_http_url_and_event_type_a_known_value(app_rest: AppRest) -> None:
    status, code, description = app_rest.error("event.bind", {"event": "ONCRMDEALADD"})
    assert (status, code) == (400, "ERROR_ARGUMENT") and "handler" in description
    status, code, description = app_rest.error("event.bind", {"event": "ONCRMDEALADD", "handler": "x", "event_type": "sometimes"})
    assert status == 400 and "event_type" in description


def test_event_methods_refuse_an_incoming_webhook(rest: Rest) -> None:
    for method in ("event.bind", "event.get", "event.offline.list"):
        response = rest.post(method, {"event": "ONCRMDEALADD", "handler": "https://a.example/"})
        assert (response.status_code, response.json()["error"]) == (403, "WRONG_AUTH_TYPE"), method


def test_bindings_belong_to_their_app(b24_emulator: Emulator, app_rest: AppRest) -> None:
    other = b24_emulator.register_app()
    other_rest = AppRest(b24_emulator, other.client_id)
    other_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": "https://b.example/"})
    assert app_rest.ok("event.get") == []
    assert [b["handler"] for b in other_rest.ok("event.get")] == ["https://b.example/"]


# --- delivery -----------------------------------------------------------------------------------


def test_deal_add_posts_oncrmdealadd_as_a_php_form_with_the_apps_token(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url + "/events"})
        deal_id = _add_deal(app_rest)
        b24_emulator.drain_deliveries()
        [request] = receiver.requests("/events")
    assert request.method == "POST"
    assert request.content_type == "application/x-www-form-urlencoded"
    # PHP's http_build_query: brackets percent-encoded, keys in the order of the event pages
    assert f"data%5BFIELDS%5D%5BID%5D={deal_id}".encode() in request.body
    assert request.body.startswith(b"event=ONCRMDEALADD&event_handler_id=1&")
    keys = [key for key, _ in request.pairs()]
    assert keys[:4] == ["event", "event_handler_id", "data[FIELDS][ID]", "ts"]
    assert set(keys[4:]) == {f"auth[{key}]" for key in AUTH_KEYS}
    form = request.form()
    assert form["data"] == {"FIELDS": {"ID": str(deal_id)}}
    assert form["ts"].isdigit()
    auth = form["auth"]
    assert auth["application_token"] == b24_emulator.app().application_token
    assert auth["member_id"] == b24_emulator.member_id
    assert auth["client_endpoint"] == f"{b24_emulator.base_url}/rest/"
    assert auth["scope"] == "crm"
    assert "refresh_token" not in auth  # only ONAPPINSTALL carries one
    # the access token in the event is a live token of the app
    check = requests.post(
        f"{b24_emulator.base_url}/rest/crm.deal.get", json={"auth": auth["access_token"], "id": deal_id}, timeout=5
    )
    assert check.status_code == 200 and check.json()["result"]["TITLE"] == "Deal"
    [delivery] = b24_emulator.deliveries
    assert (delivery.event, delivery.status, delivery.handler_id, delivery.error) == ("ONCRMDEALADD", 200, 1, None)
    assert delivery.body == request.body
    assert auth["application_token"] not in repr(delivery)
    assert delivery.params["auth"]["application_token"] == "***"


def test_update_delete_and_crm_item_fire_the_deal_events(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        for event in ("ONCRMDEALADD", "ONCRMDEALUPDATE", "ONCRMDEALDELETE", "ONCRMCONTACTADD"):
            app_rest.ok("event.bind", {"event": event, "handler": f"{receiver.url}/{event}"})
        deal_id = _add_deal(app_rest)
        app_rest.ok("crm.deal.update", {"id": deal_id, "fields": {"TITLE": "Renamed"}})
        app_rest.ok("crm.deal.delete", {"id": deal_id})
        item = app_rest.ok("crm.item.add", {"entityTypeId": 2, "fields": {"title": "Via item"}})
        app_rest.post("crm.deal.delete", {"id": 999_999})  # fails: nothing changed, no event
        b24_emulator.drain_deliveries()
        seen = [(r.path.strip("/"), r.form()["data"]["FIELDS"]["ID"]) for r in receiver.requests()]
    item_id = str(item["item"]["id"])
    assert seen == [
        ("ONCRMDEALADD", str(deal_id)),
        ("ONCRMDEALUPDATE", str(deal_id)),
        ("ONCRMDEALDELETE", str(deal_id)),
        ("ONCRMDEALADD", item_id),
    ]


def test_each_app_gets_its_own_application_token(b24_emulator: Emulator, app_rest: AppRest) -> None:
    other = b24_emulator.register_app(installed=True)
    other_rest = AppRest(b24_emulator, other.client_id)
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMCONTACTADD", "handler": receiver.url + "/a"})
        other_rest.ok("event.bind", {"event": "ONCRMCONTACTADD", "handler": receiver.url + "/b"})
        app_rest.ok("crm.contact.add", {"fields": {"NAME": "Ann"}})
        b24_emulator.drain_deliveries()
        tokens = {r.path: r.form()["auth"]["application_token"] for r in receiver.requests()}
    assert tokens == {"/a": b24_emulator.app().application_token, "/b": other.application_token}
    assert tokens["/a"] != tokens["/b"]


def test_an_app_gets_events_only_once_installed(b24_emulator: Emulator) -> None:
    app = b24_emulator.register_app()
    rest = AppRest(b24_emulator, app.client_id)
    with Receiver() as receiver:
        rest.ok("event.bind", {"event": "ONCRMLEADADD", "handler": receiver.url})
        rest.ok("crm.lead.add", {"fields": {"TITLE": "before"}})
        b24_emulator.finish_install(app.client_id)
        rest.ok("crm.lead.add", {"fields": {"TITLE": "after"}})
        b24_emulator.drain_deliveries()
        assert [r.form()["data"]["FIELDS"]["ID"] for r in receiver.requests()] == ["2"]


def test_auth_type_names_the_user_the_events_token_acts_for(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url, "auth_type": 7})
        _add_deal(app_rest)
        b24_emulator.drain_deliveries()
        [request] = receiver.requests()
    token = request.form()["auth"]["access_token"]
    state, grant = b24_emulator.tokens.check_access(token)
    assert state == "valid" and grant is not None and grant.user_id == 7


def test_delivery_does_not_hold_up_the_call_that_fired_it(b24_emulator: Emulator, app_rest: AppRest) -> None:
    held = Held()
    with Receiver(held) as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url})
        _add_deal(app_rest)  # answered while the handler has not answered yet
        assert b24_emulator.deliveries == []
        assert held.arrived.wait(10)
        held.release.set()
        [delivery] = b24_emulator.drain_deliveries()
    assert delivery.status == 200


def test_a_dead_handler_is_logged_and_the_others_still_get_the_event(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": _closed_port_url()})
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url})
        _add_deal(app_rest)
        deliveries = b24_emulator.drain_deliveries()
        assert len(receiver.requests()) == 1
    assert [(d.status, d.error is None) for d in deliveries] == [(0, False), (200, True)]
    assert "Connection" in (deliveries[0].error or "")


@pytest.mark.b24_emulator(delivery_queue_size=1)
def test_a_full_queue_drops_events_instead_of_blocking(b24_emulator: Emulator, app_rest: AppRest) -> None:
    held = Held()
    with Receiver(held) as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url})
        _add_deal(app_rest)
        assert held.arrived.wait(10)  # the worker holds the first event; the queue (1) is empty
        _add_deal(app_rest)  # queued
        _add_deal(app_rest)  # no room: dropped, and the call still answers
        held.release.set()
        deliveries = b24_emulator.drain_deliveries()
    assert sorted((d.status, d.error) for d in deliveries) == [(0, "dropped: queue full"), (200, None), (200, None)]


def test_payment_changes_fire_onpaymententitysaved(b24_emulator: Emulator, app_rest: AppRest) -> None:
    b24_emulator.seed_deals(1)
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONPAYMENTENTITYSAVED", "handler": receiver.url})
        app_rest.ok("event.bind", {"event": "ONPAYMENTDELETED", "handler": receiver.url})
        payment_id = app_rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
        app_rest.ok("crm.item.payment.pay", {"id": payment_id})
        app_rest.ok("crm.item.payment.pay", {"id": payment_id})  # already paid: nothing saved
        app_rest.ok("crm.item.payment.delete", {"id": payment_id})
        b24_emulator.drain_deliveries()
        seen = [(r.form()["event"], r.form()["data"]["FIELDS"]["ID"], r.form()["auth"]["scope"]) for r in receiver.requests()]
    assert seen == [("ONPAYMENTENTITYSAVED", str(payment_id), "sale")] * 2 + [("ONPAYMENTDELETED", str(payment_id), "sale")]


def test_reset_forgets_bindings(b24_emulator: Emulator, app_rest: AppRest) -> None:
    app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": "https://a.example/"})
    b24_emulator.reset()
    assert app_rest.ok("event.get") == []


def test_task_and_invoice_changes_fire_their_events_in_their_pages_shapes(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        for event in ("ONTASKADD", "ONTASKDELETE", "ONCRMINVOICEADD", "ONCRMINVOICEUPDATE"):
            app_rest.ok("event.bind", {"event": event, "handler": receiver.url})
        task = app_rest.ok("tasks.task.add", {"fields": {"TITLE": "T", "RESPONSIBLE_ID": 1}})["task"]["id"]
        app_rest.ok("tasks.task.delete", {"taskId": task})
        invoice = app_rest.ok("crm.invoice.add", {"fields": {"ORDER_TOPIC": "I"}})
        app_rest.ok("sale.paysystem.pay.invoice", {"INVOICE_ID": invoice, "PAY_SYSTEM_ID": 1})
        app_rest.ok("sale.paysystem.pay.invoice", {"INVOICE_ID": invoice, "PAY_SYSTEM_ID": 1})  # paid already
        b24_emulator.drain_deliveries()
        forms = [r.form() for r in receiver.requests()]
    assert [(f["event"], f["auth"]["scope"]) for f in forms] == [
        ("ONTASKADD", "task"),
        ("ONTASKDELETE", "task"),
        ("ONCRMINVOICEADD", "crm"),
        ("ONCRMINVOICEUPDATE", "crm"),
    ]
    assert forms[0]["data"] == {
        "FIELDS_BEFORE": "undefined",
        "FIELDS_AFTER": {"ID": str(task)},
        "IS_ACCESSIBLE_BEFORE": "N",
        "IS_ACCESSIBLE_AFTER": "undefined",
    }
    assert forms[1]["data"]["FIELDS_BEFORE"] == {"ID": str(task)} and forms[1]["data"]["FIELDS_AFTER"] == "undefined"
    assert forms[3]["data"] == {"FIELDS": {"ID": str(invoice)}}


def test_emit_event_over_http_reaches_the_bound_handler(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALMOVETOCATEGORY", "handler": receiver.url})
        control = f"{b24_emulator.base_url}/_emulator/"
        assert requests.post(
            control + "emit_event",
            timeout=5,
            json={"event": "onCrmDealMoveToCategory", "data": {"FIELDS": {"ID": 4, "CATEGORY_ID": 2}}},
        ).json() == {"ok": True}
        assert requests.post(control + "drain", json={}, timeout=5).json() == {"ok": True, "deliveries": 1}
        [request] = receiver.requests()
    assert request.form()["data"] == {"FIELDS": {"ID": "4", "CATEGORY_ID": "2"}}


def test_events_flow_again_after_the_portal_restarts(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url})
        _add_deal(app_rest)
        b24_emulator.drain_deliveries()
        b24_emulator.stop()
        b24_emulator.start()
        _add_deal(AppRest(b24_emulator))
        b24_emulator.drain_deliveries()
        assert [r.form()["data"]["FIELDS"]["ID"] for r in receiver.requests()] == ["1", "2"]


def test_an_outgoing_webhook_gets_events_without_tokens(b24_emulator: Emulator, rest: Rest) -> None:
    with Receiver() as receiver:
        hook = b24_emulator.add_outgoing_webhook(receiver.url + "/hook", ["OnCrmDealAdd"])
        deal_id = rest.ok("crm.deal.add", {"fields": {"TITLE": "via the incoming webhook"}})
        b24_emulator.drain_deliveries()
        [request] = receiver.requests("/hook")
    form = request.form()
    assert (form["event"], form["data"]) == ("ONCRMDEALADD", {"FIELDS": {"ID": str(deal_id)}})
    assert set(form["auth"]) == {"domain", "client_endpoint", "server_endpoint", "member_id", "application_token"}
    assert form["auth"]["application_token"] == hook.application_token != b24_emulator.app().application_token
    with pytest.raises(ValueError, match="unknown event"):
        b24_emulator.add_outgoing_webhook(receiver.url, ["ONNOTHING"])


def test_a_handler_url_with_an_impossible_port_fails_alone_and_delivery_goes_on(
    b24_emulator: Emulator, app_rest: AppRest
) -> None:
    with Receiver() as receiver:
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": "http://127.0.0.1:99999/events"})
        _add_deal(app_rest)
        b24_emulator.drain_deliveries()  # the worker survived the bad URL: the queue drains
        app_rest.ok("event.bind", {"event": "ONCRMDEALADD", "handler": receiver.url + "/events"})
        _add_deal(app_rest)
        b24_emulator.drain_deliveries()
        assert len(receiver.requests("/events")) == 1
    failed = [d for d in b24_emulator.deliveries if "99999" in d.url]
    assert failed and all(d.status == 0 and "not a usable URL" in (d.error or "") for d in failed)
