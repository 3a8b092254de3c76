"""In-memory state of the payment family, shared by the pay-system and the payment handlers.

Kept in one place so `reset()` returns the whole family to its seeded start and so the
two handler modules can check each other's objects (a payment names a pay system; paying
through a pay system needs the payment) without importing each other.

Seeded objects, chosen so that the docs' own examples run:

* payer types 1 and 2 bind to ORDER (deals, store orders), 3 and 4 to CRM_INVOICE,
  5 and 6 to CRM_QUOTE; sale.paysystem.add checks PERSON_TYPE_ID against the binding;
* pay system 1 is the built-in "Cash" one (handler code `cash`), the default of new
  payments, as in the docs' crm.item.payment.get example;
* legacy invoices 1..`invoices` (see EmulatorConfig).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

PERSON_TYPES: dict[int, tuple[str, str]] = {
    1: ("ORDER", "Individual"),
    2: ("ORDER", "Company"),
    3: ("CRM_INVOICE", "Individual"),
    4: ("CRM_INVOICE", "Company"),
    5: ("CRM_QUOTE", "Individual"),
    6: ("CRM_QUOTE", "Company"),
}
CASH_PAY_SYSTEM_ID = 1
# crm.item.payment.* and pay.payment change sale payments: their events are the sale family's
PAYMENT_FAMILY = "sale.payment"


def _cash_pay_system() -> dict[str, Any]:
    return pay_system_record(
        CASH_PAY_SYSTEM_ID,
        {"NAME": "Cash", "ACTIVE": "Y", "PERSON_TYPE_ID": 1, "ENTITY_REGISTRY_TYPE": "ORDER", "XML_ID": ""},
        handler_code="cash",
    )


def pay_system_record(ps_id: int, fields: dict[str, Any], handler_code: str) -> dict[str, Any]:
    """A pay system as sale.paysystem.list returns it (field set of the docs' example)."""
    return {
        "ID": ps_id,
        "NAME": str(fields.get("NAME", "")),
        "PSA_NAME": str(fields.get("NAME", "")),
        "DESCRIPTION": fields.get("DESCRIPTION"),
        "ACTION_FILE": handler_code,
        "RESULT_FILE": None,
        "NEW_WINDOW": str(fields.get("NEW_WINDOW") or "N"),
        "PS_MODE": None,
        "HAVE_PAYMENT": "N",
        "HAVE_ACTION": "N",
        "HAVE_RESULT": "N",
        "HAVE_PREPAY": "N",
        "HAVE_PRICE": "N",
        "HAVE_RESULT_RECEIVE": "Y",
        "ENCODING": None,
        "ACTIVE": str(fields.get("ACTIVE") or "N"),
        "ALLOW_EDIT_PAYMENT": "Y",
        "IS_CASH": "Y" if handler_code == "cash" else "N",
        "AUTO_CHANGE_1C": "N",
        "CAN_PRINT_CHECK": "N",
        "ENTITY_REGISTRY_TYPE": str(fields.get("ENTITY_REGISTRY_TYPE") or "CRM_INVOICE"),
        "XML_ID": fields.get("XML_ID"),
        "PERSON_TYPE_ID": int(fields.get("PERSON_TYPE_ID") or 0),
        "SORT": 100,
        "TARIFF": None,
        "LOGOTYPE": fields.get("LOGOTYPE"),
    }


def invoice_record(invoice_id: int, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    fields = fields or {}
    return {
        "ID": invoice_id,
        "ORDER_TOPIC": str(fields.get("ORDER_TOPIC") or f"Invoice #{invoice_id}"),
        "STATUS_ID": str(fields.get("STATUS_ID") or "N"),
        "PAYED": "N",
        "DATE_PAYED": None,
        "PAY_SYSTEM_ID": fields.get("PAY_SYSTEM_ID"),
        "PERSON_TYPE_ID": int(fields.get("PERSON_TYPE_ID") or 3),
        "PRICE": f"{float(fields.get('PRICE') or 100 * invoice_id):.2f}",
        "CURRENCY": str(fields.get("CURRENCY") or "USD"),
    }


@dataclass
class PaymentState:
    """Everything the payment family stores; ids count up from 1 per kind and never repeat."""

    invoices_seeded: int = 0
    handlers: dict[int, dict[str, Any]] = field(default_factory=dict)
    pay_systems: dict[int, dict[str, Any]] = field(default_factory=dict)
    settings: dict[int, dict[str, Any]] = field(default_factory=dict)  # pay system → code → {TYPE, VALUE}
    invoices: dict[int, dict[str, Any]] = field(default_factory=dict)
    payments: dict[int, dict[str, Any]] = field(default_factory=dict)
    products: dict[int, dict[str, Any]] = field(default_factory=dict)
    deliveries: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        for store in (
            self.handlers,
            self.pay_systems,
            self.settings,
            self.invoices,
            self.payments,
            self.products,
            self.deliveries,
        ):
            store.clear()
        self.pay_systems[CASH_PAY_SYSTEM_ID] = _cash_pay_system()
        self.settings[CASH_PAY_SYSTEM_ID] = {}
        for invoice_id in range(1, self.invoices_seeded + 1):
            self.invoices[invoice_id] = invoice_record(invoice_id)
        self.ids = {
            "handler": itertools.count(1),
            "pay_system": itertools.count(CASH_PAY_SYSTEM_ID + 1),
            "invoice": itertools.count(self.invoices_seeded + 1),
            "payment": itertools.count(1),
            "product": itertools.count(1),
            "delivery": itertools.count(1),
        }

    def next_id(self, kind: str) -> int:
        return next(self.ids[kind])

    def handler_by_code(self, code: str) -> dict[str, Any] | None:
        return next((h for h in self.handlers.values() if h["CODE"] == code), None)

    def pay_system_by_handler(self, code: str) -> dict[str, Any] | None:
        """The first pay system using a handler code (pay.invoice and settings.invoice.get)."""
        return next((ps for _, ps in sorted(self.pay_systems.items()) if ps["ACTION_FILE"] == code), None)
