"""Pay-system checkout: the portal calls the handler's ACTION_URI; the payment is paid exactly once."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from b24client.emulator import CheckoutError, Emulator
from tests.emulator.conftest import AppRest
from tests.support.receiver import Received, Receiver, json_reply

pytestmark = pytest.mark.b24_emulator(deals=3)


def _handler(action_uri: str, mode: str = "CHECKOUT_DATA", method: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ACTION_URI": action_uri,
        "FIELDS": {
            "serviceid": {"CODE": "REST_SERVICE_ID"},
            "account": {"CODE": "PAYMENT_NUMBER"},
            "email": {"CODE": {"NAME": "E-mail", "INPUT": {"TYPE": "STRING"}}, "VISIBLE": "Y"},
        },
    }
    if method:
        data["METHOD"] = method
    return {
        "NAME": "Card",
        "CODE": f"card{mode[:4].lower()}{method or ''}",
        "SETTINGS": {
            "CURRENCY": ["USD"],
            mode: data,
            "CODES": {
                "REST_SERVICE_ID": {"NAME": "Shop"},
                "PAYMENT_NUMBER": {"NAME": "Number", "DEFAULT": {"PROVIDER_KEY": "PAYMENT", "PROVIDER_VALUE": "ACCOUNT_NUMBER"}},
            },
        },
    }


def _pay_system(app_rest: AppRest, handler: dict[str, Any], deal: int = 1) -> tuple[int, int]:
    """A handler, a pay system using it, and a payment of the deal worth 200.00 (2 x 100 of row deal*10+1)."""
    app_rest.ok("sale.paysystem.handler.add", handler)
    pay_system_id = app_rest.ok(
        "sale.paysystem.add",
        {
            "NAME": "Card",
            "PERSON_TYPE_ID": 1,
            "BX_REST_HANDLER": handler["CODE"],
            "ENTITY_REGISTRY_TYPE": "ORDER",
            "ACTIVE": "Y",
            "SETTINGS": {"REST_SERVICE_ID": {"TYPE": "VALUE", "VALUE": "shop-7"}},
        },
    )
    payment_id = app_rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": deal})
    app_rest.ok("crm.item.payment.product.add", {"paymentId": payment_id, "rowId": deal * 10 + 1, "quantity": 2})
    return pay_system_id, payment_id


def _provider(request: Received) -> tuple[int, str, bytes]:
    """A pay system's checkout script: registers the payment and answers where to pay."""
    params = request.form()["BX_SYSTEM_PARAMS"]
    return json_reply(
        {"PAYMENT_URL": f"https://psp.example/pay/{params['PAYMENT_ID']}", "PAYMENT_ID": f"ext-{params['PAYMENT_ID']}"}
    )


def test_checkout_posts_the_documented_fields_and_returns_the_payment_url(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver(_provider) as receiver:
        pay_system_id, payment_id = _pay_system(app_rest, _handler(receiver.url + "/checkout"))
        result = b24_emulator.start_checkout(payment_id, pay_system_id, form={"email": "ann@example.com"})
        again = b24_emulator.start_checkout(payment_id)
        first, second = receiver.requests("/checkout")
    assert (result.ok, result.mode, result.payment_url, result.payment_id, result.errors) == (
        True,
        "checkout",
        f"https://psp.example/pay/{payment_id}",
        f"ext-{payment_id}",
        [],
    )
    assert first.method == "POST" and first.content_type == "application/x-www-form-urlencoded"
    keys = [key for key, _ in first.pairs()]
    assert keys == [
        f"BX_SYSTEM_PARAMS[{name}]"
        for name in ("RETURN_URL", "PAYSYSTEM_ID", "PAYMENT_ID", "SUM", "CURRENCY", "EXTERNAL_PAYMENT_ID")
    ] + ["serviceid", "account", "email"]
    form = first.form()
    system = form["BX_SYSTEM_PARAMS"]
    assert (system["PAYSYSTEM_ID"], system["PAYMENT_ID"], system["SUM"], system["CURRENCY"]) == (
        str(pay_system_id),
        str(payment_id),
        "200",
        "USD",
    )
    assert system["EXTERNAL_PAYMENT_ID"] == ""
    assert system["RETURN_URL"].startswith(f"{b24_emulator.base_url}/pub/payment/{payment_id}/?access=")
    assert (form["serviceid"], form["account"], form["email"]) == ("shop-7", "1/1", "ann@example.com")
    # the pay system's own id of the payment comes back on the next checkout
    assert second.form()["BX_SYSTEM_PARAMS"]["EXTERNAL_PAYMENT_ID"] == f"ext-{payment_id}"
    assert again.payment_id == f"ext-{payment_id}"
    assert [d.kind for d in b24_emulator.deliveries] == ["checkout", "checkout"]


def test_pay_payment_pays_once_and_fires_the_saved_event_once(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver(_provider) as receiver:
        pay_system_id, payment_id = _pay_system(app_rest, _handler(receiver.url + "/checkout"))
        app_rest.ok("event.bind", {"event": "ONPAYMENTENTITYSAVED", "handler": receiver.url + "/events"})
        assert b24_emulator.start_checkout(payment_id, pay_system_id).ok
        pay = {"PAYMENT_ID": payment_id, "PAY_SYSTEM_ID": pay_system_id}
        assert app_rest.ok("sale.paysystem.pay.payment", pay) is True
        paid = app_rest.ok("crm.item.payment.get", {"id": payment_id})
        assert app_rest.ok("sale.paysystem.pay.payment", pay) is True  # the provider said so twice
        b24_emulator.drain_deliveries()
        events = receiver.requests("/events")
    assert paid["paid"] == "Y" and paid["paySystemId"] == pay_system_id
    assert app_rest.ok("crm.item.payment.get", {"id": payment_id}) == paid  # same date, same payer
    assert [e.form()["data"]["FIELDS"]["ID"] for e in events] == [str(payment_id)]


def test_handler_errors_and_empty_answers_are_payment_errors(b24_emulator: Emulator, app_rest: AppRest) -> None:
    def refuse(request: Received) -> tuple[int, str, bytes]:
        if request.path == "/refuse":
            return json_reply({"PAYMENT_ERRORS": ["Shop is closed", "Try later"]})
        return 500, "text/plain", b"boom"

    with Receiver(refuse) as receiver:
        _, refused = _pay_system(app_rest, _handler(receiver.url + "/refuse"))
        handler = {**_handler(receiver.url + "/broken"), "CODE": "broken"}
        ps_broken, payment = _pay_system(app_rest, handler, deal=2)
        result = b24_emulator.start_checkout(refused, ps_broken - 1)
        broken = b24_emulator.start_checkout(payment, ps_broken)
    assert (result.ok, result.errors, result.payment_url) == (False, ["Shop is closed", "Try later"], None)
    assert (broken.ok, broken.delivery.status, broken.errors) == (False, 500, ["Error registering order in payment system"])


@pytest.mark.parametrize("method", [None, "POST"])
def test_form_mode_sends_the_form_with_bx_paysystem_id_and_return_url(
    b24_emulator: Emulator, app_rest: AppRest, method: str | None
) -> None:
    with Receiver(lambda request: (200, "text/html", b"<html>pay here</html>")) as receiver:
        pay_system_id, payment_id = _pay_system(app_rest, _handler(receiver.url + "/form", "FORM_DATA", method))
        result = b24_emulator.start_checkout(
            payment_id, pay_system_id, return_url="https://shop.example/back", form={"email": "b@example.com"}
        )
        [request] = receiver.requests("/form")
    assert (result.mode, result.ok, result.delivery.reply) == ("form", True, b"<html>pay here</html>")
    sent = request.form() if method == "POST" else request.query_params()
    assert request.method == (method or "GET")  # an empty METHOD means GET, as the page says
    assert sent == {
        "serviceid": "shop-7",
        "account": "1/1",
        "email": "b@example.com",
        "BX_PAYSYSTEM_ID": str(pay_system_id),
        "BX_RETURN_URL": "https://shop.example/back",
    }


def test_checkout_needs_a_payment_and_a_rest_handler(b24_emulator: Emulator, app_rest: AppRest) -> None:
    payment_id = app_rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
    with pytest.raises(CheckoutError, match="payment 999 does not exist"):
        b24_emulator.start_checkout(999)
    with pytest.raises(CheckoutError, match="no REST handler"):
        b24_emulator.start_checkout(payment_id)  # the Cash pay system
    answer = requests.post(f"{b24_emulator.base_url}/_emulator/start_checkout", json={"payment_id": payment_id}, timeout=5)
    assert answer.status_code == 400 and "no REST handler" in answer.json()["error"]


def test_checkout_over_http(b24_emulator: Emulator, app_rest: AppRest) -> None:
    with Receiver(_provider) as receiver:
        pay_system_id, payment_id = _pay_system(app_rest, _handler(receiver.url + "/checkout"))
        answer = requests.post(
            f"{b24_emulator.base_url}/_emulator/start_checkout",
            timeout=5,
            json={"payment_id": payment_id, "pay_system_id": pay_system_id},
        ).json()
    assert (answer["ok"], answer["payment_url"], answer["payment_id"]) == (
        True,
        f"https://psp.example/pay/{payment_id}",
        f"ext-{payment_id}",
    )
