"""A buyer starts paying: the portal calls the pay-system handler's ACTION_URI.

api-reference/pay-system/sale-pay-system-handler-add.md describes what the handler's
`SETTINGS` ask for and what the portal sends:

* checkout mode (`CHECKOUT_DATA`): a POST to `ACTION_URI` with `BX_SYSTEM_PARAMS`
  (RETURN_URL, PAYSYSTEM_ID, PAYMENT_ID, SUM, CURRENCY, EXTERNAL_PAYMENT_ID) and every
  `FIELDS` entry as a top-level key; the handler answers `PAYMENT_URL` and `PAYMENT_ID`, or
  `PAYMENT_ERRORS`; no usable answer means the page's default error;
* form mode (`FORM_DATA`): the buyer's form goes to `ACTION_URI` with the `METHOD` it names
  (GET when empty) carrying the `FIELDS` values plus `BX_PAYSYSTEM_ID` and `BX_RETURN_URL`;
  the handler's page is the answer.

A field whose `CODE` is a setting code takes the pay system's value of that setting
(sale.paysystem.settings.*; a `{TYPE: PAYMENT, VALUE: SUM}` setting reads the payment); a
field whose `CODE` is an object is one the buyer fills in (`form` of `start_checkout`).
The `PAYMENT_ID` a checkout handler returns is kept and sent back as EXTERNAL_PAYMENT_ID
the next time, as the page says. IFRAME_DATA runs in the buyer's browser and is not
emulated.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .delivery import Delivery, Job

DEFAULT_ERROR = "Error registering order in payment system"  # the page's default when nothing comes back


Mode = Literal["checkout", "form"]


class CheckoutError(ValueError):
    """The checkout cannot start: no such payment, pay system or handler, or no server-side mode."""


@dataclass
class CheckoutResult:
    """What the handler answered; `payment_url`/`payment_id` (checkout mode) or `errors`."""

    mode: Literal["checkout", "form"]
    delivery: Delivery = field(repr=False)
    payment_url: str | None = None
    payment_id: str | None = None  # the payment's id in the pay system (EXTERNAL_PAYMENT_ID next time)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.delivery.ok and not self.errors


def php_number(value: float) -> str:
    """A float as PHP prints it into a query: 700.0 → "700", 12.5 → "12.5"."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _setting(settings: Mapping[str, Any], codes: Mapping[str, Any], code: str, payment: Mapping[str, Any]) -> str:
    """A setting's value for this payment: the pay system's, else the handler's CODES default."""
    setting = settings.get(code)
    if setting is None:
        default = (codes.get(code) or {}).get("DEFAULT") if isinstance(codes.get(code), Mapping) else None
        default = default if isinstance(default, Mapping) else {}
        setting = {"TYPE": default.get("PROVIDER_KEY", "VALUE"), "VALUE": default.get("PROVIDER_VALUE", "")}
    kind, value = str(setting.get("TYPE", "VALUE")), setting.get("VALUE", "")
    if kind == "PAYMENT":
        shown = {
            "ID": payment["id"],
            "ACCOUNT_NUMBER": payment["accountNumber"],
            "SUM": php_number(payment["sum"]),
            "CURRENCY": payment["currency"],
            "PAID": payment["paid"],
            "PAY_SYSTEM_ID": payment["paySystemId"],
        }
        return str(shown.get(str(value), ""))
    return "" if value is None else str(value)


def field_values(
    fields: Any, settings: Mapping[str, Any], codes: Mapping[str, Any], payment: Mapping[str, Any], form: Mapping[str, Any]
) -> dict[str, str]:
    """The FIELDS of FORM_DATA or CHECKOUT_DATA with their values for this payment."""
    values: dict[str, str] = {}
    for name, spec in fields.items() if isinstance(fields, Mapping) else []:
        code = spec.get("CODE") if isinstance(spec, Mapping) else spec
        if isinstance(code, Mapping):
            values[str(name)] = str(form.get(str(name), ""))
        else:
            values[str(name)] = _setting(settings, codes, str(code), payment)
    return values


def checkout_job(
    handler: Mapping[str, Any],
    pay_system_id: int,
    payment: Mapping[str, Any],
    settings: Mapping[str, Any],
    return_url: str,
    form: Mapping[str, Any],
) -> tuple[Mode, Job]:
    """The request a checkout of `payment` sends, by the handler's mode (checkout before form)."""
    handler_settings = handler.get("SETTINGS") or {}
    given_codes = handler_settings.get("CODES")
    codes: Mapping[str, Any] = given_codes if isinstance(given_codes, Mapping) else {}
    checkout, form_data = handler_settings.get("CHECKOUT_DATA"), handler_settings.get("FORM_DATA")
    if isinstance(checkout, Mapping) and checkout.get("ACTION_URI"):
        payload: dict[str, Any] = {
            "BX_SYSTEM_PARAMS": {
                "RETURN_URL": return_url,
                "PAYSYSTEM_ID": str(pay_system_id),
                "PAYMENT_ID": str(payment["id"]),
                "SUM": php_number(payment["sum"]),
                "CURRENCY": payment["currency"],
                "EXTERNAL_PAYMENT_ID": str(payment.get("externalPaymentId") or ""),
            },
            **field_values(checkout.get("FIELDS"), settings, codes, payment, form),
        }
        return "checkout", Job("checkout", str(checkout["ACTION_URI"]), payload)
    if isinstance(form_data, Mapping) and form_data.get("ACTION_URI"):
        payload = {
            **field_values(form_data.get("FIELDS"), settings, codes, payment, form),
            "BX_PAYSYSTEM_ID": str(pay_system_id),
            "BX_RETURN_URL": return_url,
        }
        method = str(form_data.get("METHOD") or "GET").upper()
        return "form", Job("checkout", str(form_data["ACTION_URI"]), payload, http_method=method)
    raise CheckoutError(f"handler {handler.get('CODE')!r} has no CHECKOUT_DATA or FORM_DATA with an ACTION_URI")


def read_reply(mode: Literal["checkout", "form"], delivery: Delivery) -> CheckoutResult:
    """The handler's answer: checkout mode reads PAYMENT_URL / PAYMENT_ID / PAYMENT_ERRORS (JSON)."""
    result = CheckoutResult(mode, delivery)
    if mode == "form":
        return result
    try:
        answer = json.loads(delivery.reply.decode("utf-8")) if delivery.ok else None
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, Mapping):
        result.errors = [DEFAULT_ERROR]
        return result
    errors = answer.get("PAYMENT_ERRORS")
    if errors:
        result.errors = [str(e) for e in errors] if isinstance(errors, list) else [str(errors)]
    url, external = answer.get("PAYMENT_URL"), answer.get("PAYMENT_ID")
    result.payment_url = str(url) if url else None
    result.payment_id = str(external) if external not in (None, "") else None
    if not result.errors and result.payment_url is None:
        result.errors = [DEFAULT_ERROR]
    return result
