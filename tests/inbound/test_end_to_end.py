"""The whole inbound path over loopback against the emulator playing the portal:
install → tokens stored → event bound → deal added → our handler gets a verified, typed
ONCRMDEALADD; forged and foreign events are refused; the example pay system is paid once."""

from __future__ import annotations

import importlib.util
import queue
import sys
from pathlib import Path
from typing import TypedDict

import pytest
import requests

from b24client import Bitrix24
from b24client.runtime.inbound import (
    EventRouter,
    FileTokenStore,
    Installer,
    WSGIEventApp,
    ensure_bound,
    portal_client,
)
from b24client.runtime.retry import NO_RETRY
from tests.inbound.conftest import FORM, wsgi_server

WAIT = 10
ROOT = Path(__file__).resolve().parents[2]


class DealFields(TypedDict):
    ID: str


class DealAdd(TypedDict):
    FIELDS: DealFields


@pytest.fixture
def app_server(b24_emulator, tmp_path):
    """An app with a file token store whose ONAPPINSTALL handler binds ONCRMDEALADD to itself."""
    store = FileTokenStore(tmp_path / "tokens")
    deals: queue.Queue = queue.Queue()
    state: dict = {}
    with wsgi_server(lambda environ, start: state["wsgi"](environ, start)) as url:
        app = b24_emulator.register_app(handler_url=url + "/b24/")
        installer = Installer(
            store,
            client_id=app.client_id,
            client_secret=app.client_secret,
            token_url=f"{b24_emulator.base_url}/oauth/token/",
            app_code=app.client_id,
        )
        router = EventRouter(store=store, installer=installer, registry={"ONCRMDEALADD": DealAdd}, background=False)

        @router.on("ONAPPINSTALL")
        def bind_events(event):
            with portal_client(
                store,
                member_id=event.auth.member_id,
                client_id=app.client_id,
                client_secret=app.client_secret,
                token_url=installer.token_url,
                retry=NO_RETRY,
                rate_limiter=None,
            ) as b24:
                ensure_bound(b24, {"ONCRMDEALADD": url + "/b24/"})

        router.on("ONCRMDEALADD")(deals.put)
        state["wsgi"] = WSGIEventApp(router)
        yield {"url": url + "/b24/", "app": app, "store": store, "deals": deals}


@pytest.fixture
def webhook(b24_emulator):
    with Bitrix24(webhook=b24_emulator.webhook_url, retry=NO_RETRY, rate_limiter=None) as b24:
        yield b24


@pytest.mark.parametrize("mode", ["event", "placement"])
def test_install_bind_and_receive_a_typed_deal_event(b24_emulator, app_server, webhook, mode):
    delivery = b24_emulator.install_app(app_server["app"].client_id, mode=mode)
    assert delivery.status == 200, delivery.reply
    if mode == "placement":
        b24_emulator.finish_install(app_server["app"].client_id)
    stored = app_server["store"].get(b24_emulator.member_id)
    assert stored is not None and stored.application_token == app_server["app"].application_token
    assert stored.refresh_token
    binds = [record for record in b24_emulator.log if record.method == "event.bind"]
    assert [record.status for record in binds] == [200]

    deal_id = webhook.call("crm.deal.add", {"fields": {"TITLE": "from the end-to-end test"}})
    b24_emulator.drain_deliveries(WAIT)
    event = app_server["deals"].get(timeout=WAIT)
    assert event.name == "ONCRMDEALADD" and event.verified
    assert event.data["FIELDS"]["ID"] == str(deal_id)
    assert event.auth.member_id == b24_emulator.member_id
    assert event.auth.application_token == app_server["app"].application_token
    deliveries = [entry for entry in b24_emulator.deliveries if entry.event == "ONCRMDEALADD"]
    assert [entry.status for entry in deliveries] == [200]


def test_forged_and_foreign_events_are_refused(b24_emulator, app_server, webhook):
    b24_emulator.install_app(app_server["app"].client_id)
    webhook.call("crm.deal.add", {"fields": {"TITLE": "real"}})
    b24_emulator.drain_deliveries(WAIT)
    genuine = next(entry for entry in b24_emulator.deliveries if entry.event == "ONCRMDEALADD")
    app_server["deals"].get(timeout=WAIT)
    token = app_server["app"].application_token
    forged = genuine.body.replace(token.encode(), b"0" * len(token))
    assert forged != genuine.body
    reply = requests.post(app_server["url"], data=forged, headers={"Content-Type": FORM}, timeout=WAIT)
    assert reply.status_code == 403 and token not in reply.text
    # Another app on the same portal binds our URL: its events carry its own token.
    other = b24_emulator.register_app(installed=True)
    tokens = b24_emulator.app_tokens(other.client_id)
    with Bitrix24(
        domain=b24_emulator.base_url, access_token=tokens["access_token"], retry=NO_RETRY, rate_limiter=None
    ) as foreign:
        foreign.call("event.bind", {"event": "ONCRMDEALADD", "handler": app_server["url"]})
    webhook.call("crm.deal.add", {"fields": {"TITLE": "second"}})
    b24_emulator.drain_deliveries(WAIT)
    statuses = sorted(
        (entry.client_id == other.client_id, entry.status) for entry in b24_emulator.deliveries if entry.event == "ONCRMDEALADD"
    )
    assert statuses == [(False, 200), (False, 200), (True, 403)]
    app_server["deals"].get(timeout=WAIT)  # ours, for the second deal
    assert app_server["deals"].empty()  # nothing forged or foreign got through


def _example():
    path = ROOT / "examples" / "paysystem_app.py"
    spec = importlib.util.spec_from_file_location("paysystem_app", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["paysystem_app"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def app_client(b24_emulator):
    """The emulator's configured app, calling as an app (sale.* and event.* with OAuth)."""
    credentials = b24_emulator.oauth_credentials()
    with Bitrix24(
        domain=credentials["domain"], access_token=credentials["access_token"], retry=NO_RETRY, rate_limiter=None
    ) as b24:
        yield b24


@pytest.mark.b24_emulator(deals=2)
def test_the_example_pay_system_is_paid_exactly_once(b24_emulator, app_client):
    example = _example()
    b24 = app_client
    provider = example.SimulatedProvider()
    app = example.PaySystemApp(b24, provider)
    with example.serve(app) as url:
        pay_system_id = app.register(url + "/checkout")
        payment_id = b24.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
        b24.call("crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 11, "quantity": 2})
        first = b24_emulator.start_checkout(payment_id, pay_system_id)
        again = b24_emulator.start_checkout(payment_id)  # the buyer reloads the page
        assert first.ok and first.payment_url == provider.page(first.payment_id)
        assert again.payment_id == first.payment_id and len(provider.payments) == 1
        assert b24.call("crm.item.payment.get", {"id": payment_id})["paid"] == "N"
        provider.buyer_pays(first.payment_id, notifications=3)
    paid = b24.call("crm.item.payment.get", {"id": payment_id})
    assert paid["paid"] == "Y"
    pays = [record for record in b24_emulator.log if record.method == "sale.paysystem.pay.payment"]
    assert [record.status for record in pays] == [200]
    assert app.confirmed == {payment_id}


@pytest.mark.b24_emulator(deals=1)
def test_the_example_refuses_a_checkout_for_another_pay_system(app_client):
    example = _example()
    b24 = app_client
    app = example.PaySystemApp(b24, example.SimulatedProvider())
    with example.serve(app) as url:
        app.register(url + "/checkout")
        reply = requests.post(
            url + "/checkout",
            timeout=WAIT,
            headers={"Content-Type": FORM},
            data=b"BX_SYSTEM_PARAMS%5BPAYSYSTEM_ID%5D=999&BX_SYSTEM_PARAMS%5BPAYMENT_ID%5D=1"
            b"&BX_SYSTEM_PARAMS%5BSUM%5D=1&BX_SYSTEM_PARAMS%5BCURRENCY%5D=USD&shop=s",
        )
    assert reply.json() == {"PAYMENT_ERRORS": ["pay system 999 is not served here"]}
