"""What the portal POSTs to a pay-system handler's ACTION_URI, and the typed answer."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from b24client.runtime.inbound import (
    InboundFormatError,
    checkout_errors,
    checkout_reply,
    parse_checkout_request,
    parse_form_request,
)
from tests.inbound.conftest import FORM, php_form

CHECKOUT = {
    "BX_SYSTEM_PARAMS": {
        "RETURN_URL": "https://shop.example/order/7",
        "PAYSYSTEM_ID": "31",
        "PAYMENT_ID": "1007",
        "SUM": "450.50",
        "CURRENCY": "USD",
        "EXTERNAL_PAYMENT_ID": "",
    },
    "REST_SERVICE_ID": "shop-1",
    "phone": "+100",
}


def test_checkout_mode_is_parsed_into_types():
    request = parse_checkout_request(php_form(CHECKOUT), FORM, required_fields=["REST_SERVICE_ID"])
    assert (request.paysystem_id, request.payment_id, request.sum, request.currency) == (31, 1007, Decimal("450.50"), "USD")
    assert request.return_url == "https://shop.example/order/7"
    assert request.external_payment_id is None
    assert request.fields == {"REST_SERVICE_ID": "shop-1", "phone": "+100"}


def test_a_repeated_checkout_carries_the_providers_id():
    body = json.dumps(
        {**CHECKOUT, "BX_SYSTEM_PARAMS": {**CHECKOUT["BX_SYSTEM_PARAMS"], "EXTERNAL_PAYMENT_ID": "prov-9"}}
    ).encode()
    assert parse_checkout_request(body, "application/json").external_payment_id == "prov-9"


def test_a_broken_checkout_lists_every_problem():
    body = php_form({"BX_SYSTEM_PARAMS": {"PAYSYSTEM_ID": "x", "SUM": "lots", "CURRENCY": "dollars"}})
    with pytest.raises(InboundFormatError) as caught:
        parse_checkout_request(body, FORM, required_fields=["REST_SERVICE_ID"])
    assert caught.value.problems == [
        "BX_SYSTEM_PARAMS[PAYSYSTEM_ID]: not a positive integer",
        "BX_SYSTEM_PARAMS[PAYMENT_ID]: missing",
        "BX_SYSTEM_PARAMS[SUM]: not a number",
        "BX_SYSTEM_PARAMS[CURRENCY]: not a 3-letter currency code",
        "REST_SERVICE_ID: missing (a field of the handler's FIELDS)",
    ]
    with pytest.raises(InboundFormatError, match="BX_SYSTEM_PARAMS: missing"):
        parse_checkout_request(b"phone=1", FORM)


def test_form_mode_by_post_or_by_get():
    posted = parse_form_request(
        php_form({"BX_PAYSYSTEM_ID": "31", "BX_RETURN_URL": "https://shop.example/", "phone": "+100"}),
        FORM,
        required_fields=["phone"],
    )
    assert (posted.paysystem_id, posted.return_url, dict(posted.fields)) == (31, "https://shop.example/", {"phone": "+100"})
    got = parse_form_request(b"", None, "BX_PAYSYSTEM_ID=31&paymentId=1007")
    assert got.paysystem_id == 31 and got.fields == {"paymentId": "1007"}
    with pytest.raises(InboundFormatError) as caught:
        parse_form_request(b"", None, "paymentId=1", required_fields=["phone"])
    assert caught.value.problems == ["BX_PAYSYSTEM_ID: missing", "phone: missing (a field of the handler's FIELDS)"]


def test_replies_are_the_documented_keys():
    assert json.loads(checkout_reply(payment_url="https://pay.example/p/9", payment_id=9).body()) == {
        "PAYMENT_URL": "https://pay.example/p/9",
        "PAYMENT_ID": "9",
    }
    assert checkout_errors("card declined").as_dict() == {"PAYMENT_ERRORS": ["card declined"]}


def test_bad_replies_are_refused_before_sending():
    with pytest.raises(ValueError, match="payment_url: must be an absolute http") as caught:
        checkout_reply(payment_url="javascript:alert(1)", payment_id="")
    assert "payment_id: must be a non-empty" in str(caught.value)
    with pytest.raises(ValueError, match="at least one message"):
        checkout_errors()
    with pytest.raises(ValueError, match="non-empty"):
        checkout_errors("ok", " ")
