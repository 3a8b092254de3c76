"""Stateful sale.paysystem.* methods, their settings, and the legacy invoices they pay.

Each handler follows its docs page under api-reference/pay-system/: what it stores, what
it returns, and which documented error it gives when the thing it refers to is missing
(ERROR_HANDLER_NOT_FOUND, ERROR_PAY_SYSTEM_NOT_FOUND, ERROR_CHECK_FAILURE "... not found",
ERROR_INTERNAL_INVOICE_NOT_FOUND, ...). Parameter shapes are already checked against the
spec before a handler runs.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from .calls import Call, Handler, Notify, Reply, as_int, get_ci, no_notify
from .filtering import filter_records, order_records, select_fields
from .state import PAYMENT_FAMILY, PERSON_TYPES, PaymentState, invoice_record, pay_system_record

INVOICE_FAMILY = "crm.invoice"  # ONCRMINVOICEADD / UPDATE / DELETE


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def _settings_values(raw: Any) -> dict[str, Any]:
    """SETTINGS as stored: code → {TYPE, VALUE} (a bare value is taken as TYPE=VALUE)."""
    if not isinstance(raw, Mapping):
        return {}
    values: dict[str, Any] = {}
    for code, setting in raw.items():
        if isinstance(setting, Mapping):
            values[str(code)] = {"TYPE": setting.get("TYPE", "VALUE"), "VALUE": setting.get("VALUE", "")}
        else:
            values[str(code)] = {"TYPE": "VALUE", "VALUE": setting}
    return values


class PaySystemMethods:
    """sale.paysystem.handler.*, sale.paysystem.*, settings, pay.*, and crm.invoice.*."""

    def __init__(self, state: PaymentState, notify: Notify = no_notify) -> None:
        self.state = state
        self.notify = notify

    def handlers(self) -> dict[str, Handler]:
        return {
            "sale.paysystem.handler.add": self.handler_add,
            "sale.paysystem.handler.update": self.handler_update,
            "sale.paysystem.handler.list": self.handler_list,
            "sale.paysystem.handler.delete": self.handler_delete,
            "sale.paysystem.add": self.add,
            "sale.paysystem.update": self.update,
            "sale.paysystem.list": self.list,
            "sale.paysystem.delete": self.delete,
            "sale.paysystem.settings.get": self.settings_get,
            "sale.paysystem.settings.update": self.settings_update,
            "sale.paysystem.settings.payment.get": self.settings_payment_get,
            "sale.paysystem.settings.invoice.get": self.settings_invoice_get,
            "sale.paysystem.pay.payment": self.pay_payment,
            "sale.paysystem.pay.invoice": self.pay_invoice,
            "crm.invoice.add": self.invoice_add,
            "crm.invoice.get": self.invoice_get,
            "crm.invoice.list": self.invoice_list,
            "crm.invoice.delete": self.invoice_delete,
        }

    # --- REST handlers of pay systems ---------------------------------------------------------

    def handler_add(self, call: Call) -> Reply:
        code = str(get_ci(call.params, "CODE") or "")
        if not code:
            raise call.fail("invalid", "Parameter CODE is not defined", code="ERROR_CHECK_FAILURE")
        if self.state.handler_by_code(code):
            raise call.fail("conflict", "Handler already exists!", code="ERROR_HANDLER_ALREADY_EXIST")
        handler_id = self.state.next_id("handler")
        self.state.handlers[handler_id] = {
            "ID": str(handler_id),
            "NAME": str(get_ci(call.params, "NAME") or ""),
            "CODE": code,
            "SORT": str(as_int(get_ci(call.params, "SORT")) or 100),
            "SETTINGS": get_ci(call.params, "SETTINGS") or {},
        }
        return Reply(handler_id)

    def _handler(self, call: Call) -> dict[str, Any]:
        return call.find(self.state.handlers, "ID", "Handler not found", "ERROR_HANDLER_NOT_FOUND")

    def handler_update(self, call: Call) -> Reply:
        handler = self._handler(call)
        fields = get_ci(call.params, "FIELDS")
        if not isinstance(fields, Mapping) or not fields:
            raise call.fail("invalid", "Parameter FIELDS is not defined", code="ERROR_CHECK_FAILURE")
        new_code = fields.get("CODE")
        if new_code is not None:
            other = self.state.handler_by_code(str(new_code))
            if other is not None and other is not handler:
                raise call.fail("server", "Handler with this code already exists", code="ERROR_UNEXPECTED_ANSWER")
            for pay_system in self.state.pay_systems.values():
                if pay_system["ACTION_FILE"] == handler["CODE"]:
                    pay_system["ACTION_FILE"] = str(new_code)
        for key in ("NAME", "CODE", "SORT", "SETTINGS"):
            if key in fields:
                handler[key] = fields[key] if key == "SETTINGS" else str(fields[key])
        return Reply(True)

    def handler_list(self, call: Call) -> Reply:
        return Reply([dict(handler) for _, handler in sorted(self.state.handlers.items())])

    def handler_delete(self, call: Call) -> Reply:
        handler = self._handler(call)
        del self.state.handlers[int(handler["ID"])]
        return Reply(True)

    # --- pay systems --------------------------------------------------------------------------

    def _check_person_type(self, call: Call, person_type: Any, registry: str) -> int:
        person_type_id = as_int(person_type)
        bound = PERSON_TYPES.get(person_type_id or 0)
        if person_type_id is None or bound is None or bound[0] != registry:
            raise call.fail("not_found", "Person type not found", code="ERROR_PERSON_TYPE_NOT_FOUND")
        return person_type_id

    def add(self, call: Call) -> Reply:
        params = call.params
        code = str(get_ci(params, "BX_REST_HANDLER") or "")
        if self.state.handler_by_code(code) is None:
            raise call.fail("not_found", "Handler not found", code="ERROR_HANDLER_NOT_FOUND")
        registry = str(get_ci(params, "ENTITY_REGISTRY_TYPE") or "CRM_INVOICE")
        self._check_person_type(call, get_ci(params, "PERSON_TYPE_ID"), registry)
        ps_id = self.state.next_id("pay_system")
        fields = {
            key: get_ci(params, key)
            for key in ("NAME", "DESCRIPTION", "ACTIVE", "PERSON_TYPE_ID", "XML_ID", "NEW_WINDOW", "LOGOTYPE")
        }
        fields["ENTITY_REGISTRY_TYPE"] = registry
        self.state.pay_systems[ps_id] = pay_system_record(ps_id, fields, code)
        self.state.settings[ps_id] = _settings_values(get_ci(params, "SETTINGS"))
        return Reply(ps_id)

    def _pay_system(self, call: Call, key: str = "ID", code: str = "ERROR_PAY_SYSTEM_NOT_FOUND") -> dict[str, Any]:
        return call.find(self.state.pay_systems, key, "Pay system not found", code)

    def update(self, call: Call) -> Reply:
        pay_system = self._pay_system(call)
        fields = get_ci(call.params, "FIELDS")
        fields = dict(fields) if isinstance(fields, Mapping) else {}
        if "BX_REST_HANDLER" in fields:
            if self.state.handler_by_code(str(fields["BX_REST_HANDLER"])) is None:
                raise call.fail("not_found", "Handler not found", code="ERROR_HANDLER_NOT_FOUND")
            pay_system["ACTION_FILE"] = str(fields.pop("BX_REST_HANDLER"))
        if "PERSON_TYPE_ID" in fields:
            fields["PERSON_TYPE_ID"] = self._check_person_type(call, fields["PERSON_TYPE_ID"], pay_system["ENTITY_REGISTRY_TYPE"])
        for key in ("NAME", "DESCRIPTION", "ACTIVE", "PERSON_TYPE_ID", "LOGOTYPE", "NEW_WINDOW", "XML_ID"):
            if key in fields:
                pay_system[key] = fields[key]
        if "NAME" in fields:
            pay_system["PSA_NAME"] = fields["NAME"]
        return Reply(True)

    def list(self, call: Call) -> Reply:
        records = filter_records(self.state.pay_systems.values(), get_ci(call.params, "FILTER"))
        records = order_records(records, get_ci(call.params, "ORDER"))
        return Reply(select_fields(records, get_ci(call.params, "SELECT")))

    def delete(self, call: Call) -> Reply:
        pay_system = self._pay_system(call)
        del self.state.pay_systems[pay_system["ID"]]
        self.state.settings.pop(pay_system["ID"], None)
        return Reply(True)

    # --- settings -------------------------------------------------------------------------------

    def _values(self, pay_system: Mapping[str, Any]) -> dict[str, Any]:
        """Setting values by code: every CODES entry of the handler, then whatever was set."""
        handler = self.state.handler_by_code(str(pay_system["ACTION_FILE"]))
        codes = (handler or {}).get("SETTINGS", {}).get("CODES", {}) if handler else {}
        values: dict[str, Any] = {str(code): "" for code in (codes if isinstance(codes, Mapping) else {})}
        for code, setting in self.state.settings.get(pay_system["ID"], {}).items():
            values[code] = setting.get("VALUE", "")
        return values

    def settings_get(self, call: Call) -> Reply:
        pay_system = self._pay_system(call, code="ERROR_CHECK_FAILURE")
        return Reply(self._values(pay_system))

    def settings_update(self, call: Call) -> Reply:
        pay_system = self._pay_system(call, code="ERROR_CHECK_FAILURE")
        settings = _settings_values(get_ci(call.params, "SETTINGS"))
        if not settings:
            raise call.fail("invalid", "Settings are empty", code="ERROR_HANDLER_NOT_FOUND")
        self.state.settings.setdefault(pay_system["ID"], {}).update(settings)
        return Reply(True)

    def _linked_payment(self, call: Call, pay_system: Mapping[str, Any]) -> dict[str, Any]:
        payment = self.state.payments.get(as_int(get_ci(call.params, "PAYMENT_ID")) or 0)
        if payment is None or payment["paySystemId"] != pay_system["ID"]:
            raise call.fail("not_found", "Payment not found", code="ERROR_CHECK_FAILURE")
        return payment

    def settings_payment_get(self, call: Call) -> Reply:
        pay_system = self._pay_system(call, key="PAY_SYSTEM_ID", code="ERROR_CHECK_FAILURE")
        self._linked_payment(call, pay_system)
        return Reply(self._values(pay_system))

    def pay_payment(self, call: Call) -> Reply:
        pay_system = self._pay_system(call, key="PAY_SYSTEM_ID", code="ERROR_CHECK_FAILURE")
        payment = self._linked_payment(call, pay_system)
        # A second call finds the payment paid: it answers true again and changes nothing (the
        # page documents no error for it), so the payment is paid and announced exactly once.
        if mark_paid(payment, True, call.identity.user_id):
            self.notify(PAYMENT_FAMILY, "update", payment["id"], call)
        return Reply(True)

    # --- legacy invoices ------------------------------------------------------------------------

    def _invoice_pay_system(self, call: Call, missing_code: str) -> dict[str, Any]:
        """PAY_SYSTEM_ID wins over BX_REST_HANDLER (the first pay system using that handler)."""
        if get_ci(call.params, "PAY_SYSTEM_ID") is not None:
            return self._pay_system(call, key="PAY_SYSTEM_ID", code=missing_code)
        pay_system = self.state.pay_system_by_handler(str(get_ci(call.params, "BX_REST_HANDLER") or ""))
        if pay_system is None:
            raise call.fail("not_found", "Pay system not found", code="ERROR_CHECK_FAILURE")
        return pay_system

    def _invoice(self, call: Call, key: str = "INVOICE_ID") -> dict[str, Any]:
        return call.find(self.state.invoices, key, "Invoice not found", "ERROR_INTERNAL_INVOICE_NOT_FOUND")

    def settings_invoice_get(self, call: Call) -> Reply:
        pay_system = self._invoice_pay_system(call, "ERROR_CHECK_FAILURE")
        self._invoice(call)
        return Reply(self._values(pay_system))

    def pay_invoice(self, call: Call) -> Reply:
        pay_system = self._invoice_pay_system(call, "ERROR_PROCESS_REQUEST_RESULT")
        invoice = self._invoice(call)
        if invoice["PAYED"] != "Y":
            invoice.update(PAYED="Y", STATUS_ID="P", DATE_PAYED=_now(), PAY_SYSTEM_ID=pay_system["ID"])
            self.notify(INVOICE_FAMILY, "update", invoice["ID"], call)
        return Reply(True)

    def _legacy_invoice(self, call: Call) -> dict[str, Any]:
        return call.find(self.state.invoices, "id", "Not found", code="")

    def invoice_add(self, call: Call) -> Reply:
        fields = get_ci(call.params, "fields")
        invoice_id = self.state.next_id("invoice")
        self.state.invoices[invoice_id] = invoice_record(invoice_id, dict(fields) if isinstance(fields, Mapping) else {})
        self.notify(INVOICE_FAMILY, "add", invoice_id, call)
        return Reply(invoice_id)

    def invoice_get(self, call: Call) -> Reply:
        return Reply(dict(self._legacy_invoice(call)))

    def invoice_list(self, call: Call) -> Reply:
        records = filter_records(self.state.invoices.values(), get_ci(call.params, "filter"))
        records = order_records(records, get_ci(call.params, "order"))
        selected = select_fields(records, get_ci(call.params, "select"))
        return Reply(selected, total=len(selected))

    def invoice_delete(self, call: Call) -> Reply:
        invoice = self._legacy_invoice(call)
        del self.state.invoices[invoice["ID"]]
        self.notify(INVOICE_FAMILY, "delete", invoice["ID"], call)
        return Reply(True)


def mark_paid(payment: dict[str, Any], paid: bool, user_id: int) -> bool:
    """Set the paid flag; True when it changed (paying a paid payment keeps its date and payer)."""
    if payment["paid"] == ("Y" if paid else "N"):
        return False
    payment["paid"] = "Y" if paid else "N"
    payment["datePaid"] = _now() if paid else None
    payment["empPaidId"] = user_id if paid else None
    return True
