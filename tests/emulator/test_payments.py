"""The payment family end to end over HTTP, with the documented error wherever a step refers
to something that does not exist."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from b24client import Bitrix24, errors
from b24client.runtime.retry import NO_RETRY

from .conftest import Rest

pytestmark = pytest.mark.b24_emulator(deals=10)

HANDLER = {
    "NAME": "Card via REST",
    "CODE": "restcard",
    "SORT": 100,
    "SETTINGS": {
        "CURRENCY": ["USD"],
        "FORM_DATA": {
            "ACTION_URI": "https://pay.example/form",
            "METHOD": "POST",
            "FIELDS": {"paymentId": {"CODE": "PAYMENT_ID", "VISIBLE": "Y"}},
        },
        "CODES": {
            "REST_SERVICE_ID": {"NAME": "Store number", "SORT": 100},
            "PAYMENT_ID": {"NAME": "Payment number", "DEFAULT": {"PROVIDER_KEY": "PAYMENT", "PROVIDER_VALUE": "ACCOUNT_NUMBER"}},
        },
    },
}
PAY_SYSTEM = {
    "NAME": "Card",
    "PERSON_TYPE_ID": 1,
    "BX_REST_HANDLER": "restcard",
    "ENTITY_REGISTRY_TYPE": "ORDER",
    "ACTIVE": "Y",
    "SETTINGS": {"REST_SERVICE_ID": {"TYPE": "VALUE", "VALUE": "shop-7"}},
}


def _expect(rest: Rest, method: str, params: dict[str, Any], status: int, code: Any, text: str = "") -> None:
    got_status, got_code, description = rest.error(method, params)
    assert (got_status, got_code) == (status, code), description
    assert text.lower() in description.lower()


def test_the_whole_payment_scenario(rest: Rest) -> None:
    # 1. a REST handler for the pay system
    handler_id = rest.ok("sale.paysystem.handler.add", HANDLER)
    _expect(rest, "sale.paysystem.handler.add", HANDLER, 400, "ERROR_HANDLER_ALREADY_EXIST")
    assert [h["CODE"] for h in rest.ok("sale.paysystem.handler.list")] == ["restcard"]

    # 2. a pay system using it
    _expect(rest, "sale.paysystem.add", {**PAY_SYSTEM, "BX_REST_HANDLER": "missing"}, 400, "ERROR_HANDLER_NOT_FOUND")
    _expect(rest, "sale.paysystem.add", {**PAY_SYSTEM, "PERSON_TYPE_ID": 3}, 400, "ERROR_PERSON_TYPE_NOT_FOUND")
    pay_system_id = rest.ok("sale.paysystem.add", PAY_SYSTEM)
    settings = rest.ok("sale.paysystem.settings.get", {"ID": pay_system_id, "PERSON_TYPE_ID": 1})
    assert settings == {"REST_SERVICE_ID": "shop-7", "PAYMENT_ID": ""}
    _expect(rest, "sale.paysystem.settings.get", {"ID": 999, "PERSON_TYPE_ID": 1}, 400, "ERROR_CHECK_FAILURE", "not found")

    # 3. a payment on a deal, through that pay system
    _expect(rest, "crm.item.payment.add", {"entityTypeId": 2, "entityId": 999}, 400, "0", "does not exist")
    _expect(rest, "crm.item.payment.add", {"entityTypeId": 1, "entityId": 1}, 400, "0", "not available")
    payment_id = rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 7})
    _expect(
        rest, "crm.item.payment.update", {"id": payment_id, "fields": {"paySystemId": 999}}, 400, "0", "payment system not found"
    )
    assert rest.ok("crm.item.payment.update", {"id": payment_id, "fields": {"paySystemId": pay_system_id}}) is True

    # 4. a product row of the deal into the payment
    _expect(
        rest,
        "crm.item.payment.product.add",
        {"paymentId": 999, "rowId": 71, "quantity": 1},
        400,
        "0",
        "payment has not been found",
    )
    _expect(
        rest, "crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 81, "quantity": 1}, 400, "0", "not been found"
    )
    _expect(rest, "crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 71, "quantity": 4}, 400, "0", "insufficient")
    item_id = rest.ok("crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 71, "quantity": 2})
    products = rest.ok("crm.item.payment.product.list", {"paymentId": payment_id, "filter": {}})
    assert products == [{"id": item_id, "paymentId": payment_id, "quantity": 2.0, "rowId": 71}]
    payment = rest.ok("crm.item.payment.get", {"id": payment_id})
    assert (payment["sum"], payment["paySystemName"], payment["paid"]) == (200.0, "Card", "N")

    # 5. pay
    _expect(rest, "crm.item.payment.pay", {"id": 999}, 400, "0", "payment has not been found")
    _expect(
        rest,
        "sale.paysystem.pay.payment",
        {"PAYMENT_ID": payment_id, "PAY_SYSTEM_ID": 1},
        400,
        "ERROR_CHECK_FAILURE",
        "not found",
    )
    assert rest.ok("sale.paysystem.pay.payment", {"PAYMENT_ID": payment_id, "PAY_SYSTEM_ID": pay_system_id}) is True
    paid = rest.ok("crm.item.payment.get", {"id": payment_id})
    assert paid["paid"] == "Y" and paid["datePaid"] and paid["empPaidId"] == 1

    # 6. the public payment link
    _expect(rest, "salescenter.payment.getPublicUrl", {"id": 999}, 400, "200640400001", "not exists")
    link = rest.ok("salescenter.payment.getPublicUrl", {"id": payment_id})["payment"]
    page = requests.get(link["url"], timeout=5)
    assert page.status_code == 200 and "Paid" in page.text and "200.00 USD" in page.text
    assert requests.get(link["shortUrl"], timeout=5).url == link["url"]

    # 7. unpay
    _expect(rest, "crm.item.payment.unpay", {"id": 999}, 400, "0", "payment has not been found")
    assert rest.ok("crm.item.payment.unpay", {"id": payment_id}) is True
    assert rest.ok("crm.item.payment.get", {"id": payment_id})["paid"] == "N"
    assert "Awaiting payment" in requests.get(link["url"], timeout=5).text

    # 8. delete, then every reference is gone
    _expect(rest, "crm.item.payment.delete", {"id": 999}, 400, "0", "payment has not been found")
    assert rest.ok("crm.item.payment.delete", {"id": payment_id}) is True
    _expect(rest, "crm.item.payment.get", {"id": payment_id}, 400, "0", "payment has not been found")
    _expect(rest, "crm.item.payment.product.delete", {"id": item_id}, 400, "0", "not been found")
    assert requests.get(link["url"], timeout=5).status_code == 404
    assert rest.ok("sale.paysystem.delete", {"ID": pay_system_id}) is True
    _expect(rest, "sale.paysystem.delete", {"ID": pay_system_id}, 400, "ERROR_PAY_SYSTEM_NOT_FOUND")
    assert rest.ok("sale.paysystem.handler.delete", {"ID": handler_id}) is True
    _expect(rest, "sale.paysystem.handler.delete", {"ID": handler_id}, 400, "ERROR_HANDLER_NOT_FOUND")


def test_spec_validation_answers_the_documented_invalid_error(rest: Rest) -> None:
    _expect(rest, "crm.item.payment.add", {"entityTypeId": 2}, 400, "100", "entityId")
    _expect(rest, "sale.paysystem.add", {"NAME": "x"}, 400, "ERROR_CHECK_FAILURE", "PERSON_TYPE_ID")
    _expect(rest, "sale.paysystem.pay.invoice", {"INVOICE_ID": 1}, 400, "ERROR_CHECK_FAILURE")


def test_quantities_and_deliveries(rest: Rest) -> None:
    first = rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 3})
    second = rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 3})
    item = rest.ok("crm.item.payment.product.add", {"paymentId": first, "rowId": 32, "quantity": 1})
    rest.ok("crm.item.payment.product.add", {"paymentId": second, "rowId": 32, "quantity": 1})
    _expect(rest, "crm.item.payment.product.setQuantity", {"id": item, "quantity": 2}, 400, "0", "insufficient")
    _expect(rest, "crm.item.payment.product.setQuantity", {"id": item, "quantity": 0}, 400, "0", "less than or equal")
    assert rest.ok("crm.item.payment.product.setQuantity", {"id": item, "quantity": 1.0}) is True
    assert rest.ok("crm.item.payment.get", {"id": first})["sum"] == 250.0

    _expect(rest, "crm.item.payment.delivery.add", {"paymentId": first, "deliveryId": 45}, 400, "0", "not been found")
    delivery = rest.ok("crm.item.payment.delivery.add", {"paymentId": first, "deliveryId": 35})
    assert rest.ok("crm.item.payment.delivery.list", {"paymentId": first, "filter": {}}) == [
        {"id": delivery, "paymentId": first, "quantity": 1, "deliveryId": 35}
    ]
    _expect(rest, "crm.item.payment.delivery.setDelivery", {"id": delivery, "deliveryId": 36}, 400, "0", "not been found")
    assert rest.ok("crm.item.payment.delivery.delete", {"id": delivery}) is True
    _expect(rest, "crm.item.payment.delivery.delete", {"id": delivery}, 400, "0", "not been found")
    listed = rest.ok("crm.item.payment.list", {"entityTypeId": 2, "entityId": 3, "order": {"id": "DESC"}})
    assert [p["id"] for p in listed] == [second, first]
    assert [p["accountNumber"] for p in listed] == ["3/2", "3/1"]


def test_legacy_invoices_and_pay_system_settings(rest: Rest) -> None:
    rest.ok("sale.paysystem.handler.add", HANDLER)
    pay_system_id = rest.ok("sale.paysystem.add", {**PAY_SYSTEM, "PERSON_TYPE_ID": 3, "ENTITY_REGISTRY_TYPE": "CRM_INVOICE"})
    assert (
        rest.ok(
            "sale.paysystem.settings.update",
            {"ID": pay_system_id, "SETTINGS": {"PAYMENT_ID": {"TYPE": "PAYMENT", "VALUE": "ACCOUNT_NUMBER"}}},
        )
        is True
    )
    by_handler = rest.ok("sale.paysystem.settings.invoice.get", {"INVOICE_ID": 2, "BX_REST_HANDLER": "restcard"})
    assert by_handler == {"REST_SERVICE_ID": "shop-7", "PAYMENT_ID": "ACCOUNT_NUMBER"}
    _expect(
        rest,
        "sale.paysystem.settings.invoice.get",
        {"INVOICE_ID": 99, "PAY_SYSTEM_ID": pay_system_id},
        400,
        "ERROR_INTERNAL_INVOICE_NOT_FOUND",
    )
    _expect(
        rest,
        "sale.paysystem.pay.invoice",
        {"INVOICE_ID": 2, "BX_REST_HANDLER": "missing"},
        400,
        "ERROR_CHECK_FAILURE",
        "not found",
    )
    _expect(rest, "sale.paysystem.pay.invoice", {"INVOICE_ID": 2, "PAY_SYSTEM_ID": 999}, 400, "ERROR_PROCESS_REQUEST_RESULT")
    _expect(
        rest,
        "sale.paysystem.pay.invoice",
        {"INVOICE_ID": 99, "PAY_SYSTEM_ID": pay_system_id},
        400,
        "ERROR_INTERNAL_INVOICE_NOT_FOUND",
    )
    assert rest.ok("sale.paysystem.pay.invoice", {"INVOICE_ID": 2, "PAY_SYSTEM_ID": pay_system_id}) is True
    invoice = rest.ok("crm.invoice.get", {"id": 2})
    assert (invoice["PAYED"], invoice["PAY_SYSTEM_ID"]) == ("Y", pay_system_id)
    listed = rest.ok("sale.paysystem.list", {"FILTER": {"ACTION_FILE": "restcard"}, "SELECT": ["ID", "NAME"]})
    assert listed == [{"ID": pay_system_id, "NAME": "Card"}]


def test_reset_returns_the_family_to_its_seeded_start(rest: Rest) -> None:
    rest.ok("sale.paysystem.handler.add", HANDLER)
    rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
    rest.portal.reset()
    assert rest.ok("sale.paysystem.handler.list") == []
    assert rest.ok("crm.item.payment.list", {"entityTypeId": 2, "entityId": 1}) == []
    assert [ps["NAME"] for ps in rest.ok("sale.paysystem.list")] == ["Cash"]
    assert rest.ok("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}) == 1  # ids start again


def test_the_client_maps_emulator_errors_to_the_documented_classes(rest: Rest) -> None:
    with Bitrix24(webhook=rest.portal.webhook_url, retry=NO_RETRY, rate_limit=False) as b24:
        with pytest.raises(errors.EntityNotFound):
            b24.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 999})
        payment_id = b24.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
        with pytest.raises(errors.ProductItemNotFound):
            b24.call("crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 5, "quantity": 1})
        with pytest.raises(errors.ErrorHandlerNotFound):
            b24.call("sale.paysystem.add", PAY_SYSTEM)
