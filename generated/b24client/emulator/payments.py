"""Stateful payments of CRM deals: crm.item.payment.*, their products and deliveries, and
the public payment page (salescenter.payment.getPublicUrl).

A payment belongs to a deal (entityTypeId 2; 31, smart invoices, is accepted by the docs
but none are seeded here). The deal's product rows and delivery documents come from the
seeded deal itself (see lists.product_row_ids / delivery_ids): row `id*10+1` holds 3
units at 100.00 and row `id*10+2` holds 2 units at 250.00. A payment's sum is what its
product items are worth. Errors with code 0 are told apart by their description, so the
descriptions here are the ones the docs print.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Mapping
from typing import Any

from .calls import Call, Handler, Notify, Reply, as_float, as_int, get_ci, no_notify
from .filtering import filter_records, order_records
from .lists import DealStore, delivery_ids, product_row_ids
from .paysystems import mark_paid
from .state import CASH_PAY_SYSTEM_ID, PAYMENT_FAMILY, PaymentState

PAYABLE_ENTITY_TYPES = frozenset({2, 31})
ROW_QUANTITY = {1: 3.0, 2: 2.0}
ROW_PRICE = {1: 100.0, 2: 250.0}
# A 1x1 transparent PNG stands in for the QR code image.
QR_PLACEHOLDER = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
PUBLIC_FIELDS = ("id", "accountNumber", "paid", "datePaid", "empPaidId", "paySystemId", "sum", "currency", "paySystemName")


def _row_slot(deal_id: int, row_id: int) -> int | None:
    """1 or 2 when `row_id` is one of the deal's product rows."""
    rows = product_row_ids(deal_id)
    return rows.index(row_id) + 1 if row_id in rows else None


class PaymentMethods:
    def __init__(self, state: PaymentState, deals: DealStore, base_url: Callable[[], str], notify: Notify = no_notify) -> None:
        self.state = state
        self.notify = notify  # a payment saved or deleted: ONPAYMENTENTITYSAVED / ONPAYMENTDELETED
        self.deals = deals
        self.base_url = base_url

    def handlers(self) -> dict[str, Handler]:
        return {
            "crm.item.payment.add": self.add,
            "crm.item.payment.get": self.get,
            "crm.item.payment.list": self.list,
            "crm.item.payment.update": self.update,
            "crm.item.payment.delete": self.delete,
            "crm.item.payment.pay": self.pay,
            "crm.item.payment.unpay": self.unpay,
            "crm.item.payment.product.add": self.product_add,
            "crm.item.payment.product.list": self.product_list,
            "crm.item.payment.product.setQuantity": self.product_set_quantity,
            "crm.item.payment.product.delete": self.product_delete,
            "crm.item.payment.delivery.add": self.delivery_add,
            "crm.item.payment.delivery.list": self.delivery_list,
            "crm.item.payment.delivery.setDelivery": self.delivery_set_delivery,
            "crm.item.payment.delivery.delete": self.delivery_delete,
            "salescenter.payment.getPublicUrl": self.public_url,
        }

    # --- payments -------------------------------------------------------------------------------

    def _payment(self, call: Call, key: str = "id") -> dict[str, Any]:
        return call.find(self.state.payments, key, "Payment has not been found")

    def public(self, payment: Mapping[str, Any]) -> dict[str, Any]:
        """A payment as crm.item.payment.get shows it (its sum from its product items)."""
        pay_system = self.state.pay_systems.get(payment["paySystemId"])
        shown = {name: payment[name] for name in PUBLIC_FIELDS if name in payment}
        shown["sum"] = self._sum(payment["id"])
        shown["paySystemName"] = pay_system["NAME"] if pay_system else ""
        return shown

    def _sum(self, payment_id: int) -> float:
        total = 0.0
        for item in self.state.products.values():
            if item["paymentId"] == payment_id:
                total += ROW_PRICE[item["_slot"]] * item["quantity"]
        return round(total, 2)

    def add(self, call: Call) -> Reply:
        entity_type = as_int(get_ci(call.params, "entityTypeId"))
        entity_id = as_int(get_ci(call.params, "entityId")) or 0
        if entity_type not in PAYABLE_ENTITY_TYPES:
            raise call.fail("invalid", "Payment creation is not available for this entity type")
        if entity_type != 2 or not self.deals.exists(entity_id):
            raise call.fail("not_found", f"Entity with identifier №{entity_id} does not exist")
        payment_id = self.state.next_id("payment")
        number = 1 + sum(1 for p in self.state.payments.values() if p["entityId"] == entity_id)
        self.state.payments[payment_id] = {
            "id": payment_id,
            "accountNumber": f"{entity_id}/{number}",
            "paid": "N",
            "datePaid": None,
            "empPaidId": None,
            "paySystemId": CASH_PAY_SYSTEM_ID,
            "sum": 0,
            "currency": "USD",
            "entityTypeId": entity_type,
            "entityId": entity_id,
            "access": hashlib.sha256(f"payment:{payment_id}:{entity_id}".encode()).hexdigest()[:32],
        }
        self.notify(PAYMENT_FAMILY, "add", payment_id, call)
        return Reply(payment_id)

    def get(self, call: Call) -> Reply:
        return Reply(self.public(self._payment(call)))

    def list(self, call: Call) -> Reply:
        entity_type = as_int(get_ci(call.params, "entityTypeId"))
        entity_id = as_int(get_ci(call.params, "entityId"))
        mine = [
            self.public(p)
            for _, p in sorted(self.state.payments.items())
            if p["entityTypeId"] == entity_type and p["entityId"] == entity_id
        ]
        records = order_records(filter_records(mine, get_ci(call.params, "filter")), get_ci(call.params, "order"))
        return Reply([dict(record) for record in records])

    def update(self, call: Call) -> Reply:
        payment = self._payment(call)
        fields = get_ci(call.params, "fields")
        fields = fields if isinstance(fields, Mapping) else {}
        if "paySystemId" in fields:
            ps_id = as_int(fields["paySystemId"])
            if ps_id not in self.state.pay_systems:
                raise call.fail("not_found", "Payment system not found")
            payment["paySystemId"] = ps_id
        if "paid" in fields:
            mark_paid(payment, str(fields["paid"]).upper() == "Y", call.identity.user_id)
        self.notify(PAYMENT_FAMILY, "update", payment["id"], call)
        return Reply(True)

    def delete(self, call: Call) -> Reply:
        payment = self._payment(call)
        del self.state.payments[payment["id"]]
        for store in (self.state.products, self.state.deliveries):
            for item_id in [i for i, item in store.items() if item["paymentId"] == payment["id"]]:
                del store[item_id]
        self.notify(PAYMENT_FAMILY, "delete", payment["id"], call)
        return Reply(True)

    def pay(self, call: Call) -> Reply:
        return self._set_paid(call, True)

    def unpay(self, call: Call) -> Reply:
        return self._set_paid(call, False)

    def _set_paid(self, call: Call, paid: bool) -> Reply:
        payment = self._payment(call)
        if mark_paid(payment, paid, call.identity.user_id):
            self.notify(PAYMENT_FAMILY, "update", payment["id"], call)
        return Reply(True)

    # --- product items --------------------------------------------------------------------------

    def _quantity(self, call: Call) -> float:
        quantity = as_float(get_ci(call.params, "quantity"))
        if quantity is None or quantity <= 0:
            raise call.fail("invalid", "Product quantity cannot be less than or equal to 0")
        return quantity

    def _check_available(
        self, call: Call, deal_id: int, row_id: int, slot: int, quantity: float, except_item: int | None = None
    ) -> None:
        """A row's units can be spread over several payments of the deal, but not exceeded."""
        used = sum(
            item["quantity"]
            for item_id, item in self.state.products.items()
            if item["rowId"] == row_id
            and item_id != except_item
            and self.state.payments[item["paymentId"]]["entityId"] == deal_id
        )
        if used + quantity > ROW_QUANTITY[slot]:
            raise call.fail("conflict", "Insufficient product quantity to add to payment")

    def product_add(self, call: Call) -> Reply:
        payment = self._payment(call, "paymentId")
        row_id = as_int(get_ci(call.params, "rowId")) or 0
        slot = _row_slot(payment["entityId"], row_id)
        if slot is None:
            raise call.fail("not_found", "Product item has not been found")
        quantity = self._quantity(call)
        self._check_available(call, payment["entityId"], row_id, slot, quantity)
        item_id = self.state.next_id("product")
        self.state.products[item_id] = {
            "id": item_id,
            "paymentId": payment["id"],
            "quantity": quantity,
            "rowId": row_id,
            "_slot": slot,
        }
        return Reply(item_id)

    def _sub_list(self, call: Call, store: Mapping[int, Mapping[str, Any]]) -> Reply:
        payment = self._payment(call, "paymentId")
        mine = [
            {k: v for k, v in item.items() if not k.startswith("_")}
            for _, item in sorted(store.items())
            if item["paymentId"] == payment["id"]
        ]
        records = order_records(filter_records(mine, get_ci(call.params, "filter")), get_ci(call.params, "order"))
        return Reply([dict(record) for record in records])

    def product_list(self, call: Call) -> Reply:
        return self._sub_list(call, self.state.products)

    def _product(self, call: Call) -> dict[str, Any]:
        return call.find(self.state.products, "id", "Payable item has not been found")

    def product_set_quantity(self, call: Call) -> Reply:
        item = self._product(call)
        quantity = self._quantity(call)
        deal_id = self.state.payments[item["paymentId"]]["entityId"]
        self._check_available(call, deal_id, item["rowId"], item["_slot"], quantity, except_item=item["id"])
        item["quantity"] = quantity
        return Reply(True)

    def product_delete(self, call: Call) -> Reply:
        del self.state.products[self._product(call)["id"]]
        return Reply(True)

    # --- delivery items -------------------------------------------------------------------------

    def _delivery_document(self, call: Call, deal_id: int) -> int:
        delivery_id = as_int(get_ci(call.params, "deliveryId")) or 0
        if delivery_id not in delivery_ids(deal_id):
            raise call.fail("not_found", "Delivery item has not been found")
        return delivery_id

    def delivery_add(self, call: Call) -> Reply:
        payment = self._payment(call, "paymentId")
        delivery_id = self._delivery_document(call, payment["entityId"])
        item_id = self.state.next_id("delivery")
        self.state.deliveries[item_id] = {"id": item_id, "paymentId": payment["id"], "quantity": 1, "deliveryId": delivery_id}
        return Reply(item_id)

    def delivery_list(self, call: Call) -> Reply:
        return self._sub_list(call, self.state.deliveries)

    def _delivery(self, call: Call) -> dict[str, Any]:
        return call.find(self.state.deliveries, "id", "Payable item has not been found")

    def delivery_set_delivery(self, call: Call) -> Reply:
        item = self._delivery(call)
        deal_id = self.state.payments[item["paymentId"]]["entityId"]
        item["deliveryId"] = self._delivery_document(call, deal_id)
        return Reply(True)

    def delivery_delete(self, call: Call) -> Reply:
        del self.state.deliveries[self._delivery(call)["id"]]
        return Reply(True)

    # --- public payment page --------------------------------------------------------------------

    def public_url(self, call: Call) -> Reply:
        payment = call.find(self.state.payments, "id", "payment is not exists", "200640400001")
        base = self.base_url()
        url = f"{base}/pub/payment/{payment['id']}/?access={payment['access']}"
        return Reply(
            {"payment": {"url": url, "shortUrl": f"{base}/~{payment['access'][:6]}{payment['id']}", "qr": QR_PLACEHOLDER}}
        )

    def public_page(self, path: str, query: Mapping[str, Any]) -> tuple[int, str, str | None]:
        """Status, HTML and redirect target for GET of a public payment link (None: no redirect)."""
        if path.startswith("/~"):
            for linked in self.state.payments.values():
                if path[2:] == f"{linked['access'][:6]}{linked['id']}":
                    target = f"{self.base_url()}/pub/payment/{linked['id']}/?access={linked['access']}"
                    return 302, "", target
            return 404, "<html><body><h1>Payment link not found</h1></body></html>", None
        payment_id = as_int(path.strip("/").split("/")[-1])
        payment = self.state.payments.get(payment_id or 0)
        if payment is None or query.get("access") != payment["access"]:
            return 404, "<html><body><h1>Payment not found</h1></body></html>", None
        shown = self.public(payment)
        status = "Paid" if shown["paid"] == "Y" else "Awaiting payment"
        body = (
            f"<html><head><title>Payment {html.escape(str(shown['accountNumber']))}</title></head><body>"
            f"<h1>Payment {html.escape(str(shown['accountNumber']))}</h1>"
            f'<p class="sum">{shown["sum"]:.2f} {html.escape(str(shown["currency"]))}</p>'
            f'<p class="status">{status}</p></body></html>'
        )
        return 200, body, None
