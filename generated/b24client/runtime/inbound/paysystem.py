"""The pay-system handler's side of a payment: what the portal POSTs to `ACTION_URI`, and
the answer it expects (api-reference/pay-system/sale-pay-system-handler-add.md).

Form mode (`FORM_DATA`): the buyer's browser submits the handler's form fields plus
`BX_PAYSYSTEM_ID` and `BX_RETURN_URL`. Checkout mode (`CHECKOUT_DATA`): the portal itself
posts `BX_SYSTEM_PARAMS` (payment id, sum, currency, ...) plus the handler's fields, and
reads back `PAYMENT_URL` and `PAYMENT_ID`, or `PAYMENT_ERRORS`.

Neither request carries a secret, so nothing here proves the portal sent it: treat the
sum as a claim, and before confirming a payment with sale.paysystem.pay.payment read the
payment back from the portal with the app's own tokens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from ..phpquery import decode
from .body import decode_body
from .errors import InboundFormatError

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _positive_id(value: Any, name: str, problems: list[str]) -> int:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if not text.isdigit() or int(text) <= 0:
        problems.append(f"{name}: {'missing' if value in (None, '') else 'not a positive integer'}")
        return 0
    return int(text)


def _fields(data: Mapping[str, Any], system: Iterable[str], required: Iterable[str], problems: list[str]) -> dict[str, Any]:
    fields = {key: value for key, value in data.items() if key not in set(system)}
    problems += [f"{name}: missing (a field of the handler's FIELDS)" for name in required if fields.get(name) in (None, "")]
    return fields


@dataclass(frozen=True)
class FormRequest:
    """A form-mode submission: the pay system's id, where to send the buyer back, the fields."""

    paysystem_id: int
    return_url: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutRequest:
    """A checkout-mode call: the payment to register with the provider, and the handler's fields."""

    paysystem_id: int
    payment_id: int
    sum: Decimal
    currency: str
    return_url: str = ""
    external_payment_id: str | None = None  # set when this payment was sent to ACTION_URI before
    fields: Mapping[str, Any] = field(default_factory=dict)


def parse_form_request(
    body: bytes, content_type: str | None, query: str = "", *, required_fields: Iterable[str] = ()
) -> FormRequest:
    """A form-mode request (FORM_DATA with METHOD GET puts everything in `query`)."""
    data = {**decode(query), **(decode_body(body, content_type) if body else {})}
    problems: list[str] = []
    paysystem_id = _positive_id(data.get("BX_PAYSYSTEM_ID"), "BX_PAYSYSTEM_ID", problems)
    fields = _fields(data, ("BX_PAYSYSTEM_ID", "BX_RETURN_URL"), required_fields, problems)
    if problems:
        raise InboundFormatError("not a pay-system form submission", problems=problems)
    return FormRequest(paysystem_id=paysystem_id, return_url=str(data.get("BX_RETURN_URL") or ""), fields=fields)


def parse_checkout_request(body: bytes, content_type: str | None, *, required_fields: Iterable[str] = ()) -> CheckoutRequest:
    """A checkout-mode request; every problem is reported at once."""
    data = decode_body(body, content_type)
    system = data.get("BX_SYSTEM_PARAMS")
    problems: list[str] = []
    if not isinstance(system, Mapping):
        raise InboundFormatError("not a pay-system checkout", problems=["BX_SYSTEM_PARAMS: missing"])
    paysystem_id = _positive_id(system.get("PAYSYSTEM_ID"), "BX_SYSTEM_PARAMS[PAYSYSTEM_ID]", problems)
    payment_id = _positive_id(system.get("PAYMENT_ID"), "BX_SYSTEM_PARAMS[PAYMENT_ID]", problems)
    amount = Decimal(0)
    try:
        amount = Decimal(str(system.get("SUM", "")).strip())
        if not amount.is_finite() or amount < 0:
            problems.append("BX_SYSTEM_PARAMS[SUM]: not a non-negative amount")
    except InvalidOperation:
        problems.append(f"BX_SYSTEM_PARAMS[SUM]: {'missing' if not system.get('SUM') else 'not a number'}")
    currency = str(system.get("CURRENCY") or "")
    if not _CURRENCY.match(currency):
        problems.append(f"BX_SYSTEM_PARAMS[CURRENCY]: {'missing' if not currency else 'not a 3-letter currency code'}")
    fields = _fields(data, ("BX_SYSTEM_PARAMS",), required_fields, problems)
    if problems:
        raise InboundFormatError("not a pay-system checkout", problems=problems)
    return CheckoutRequest(
        paysystem_id=paysystem_id,
        payment_id=payment_id,
        sum=amount,
        currency=currency,
        return_url=str(system.get("RETURN_URL") or ""),
        external_payment_id=str(system.get("EXTERNAL_PAYMENT_ID") or "") or None,
        fields=fields,
    )


@dataclass(frozen=True)
class CheckoutReply:
    """The answer to a checkout: `PAYMENT_URL` and `PAYMENT_ID`, or `PAYMENT_ERRORS`."""

    payment_url: str | None = None
    payment_id: str | None = None
    errors: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        if self.errors:
            return {"PAYMENT_ERRORS": list(self.errors)}
        return {"PAYMENT_URL": self.payment_url, "PAYMENT_ID": self.payment_id}

    def body(self) -> bytes:
        return json.dumps(self.as_dict()).encode()

    content_type = "application/json"


def checkout_reply(*, payment_url: str, payment_id: str | int) -> CheckoutReply:
    """Success: where to send the buyer, and the provider's id of the payment."""
    problems: list[str] = []
    parts = urlsplit(payment_url) if isinstance(payment_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append("payment_url: must be an absolute http(s) URL")
    text_id = str(payment_id).strip() if isinstance(payment_id, str | int) and not isinstance(payment_id, bool) else ""
    if not text_id:
        problems.append("payment_id: must be a non-empty string or an integer")
    if problems:
        raise ValueError("checkout reply: " + "; ".join(problems))
    return CheckoutReply(payment_url=payment_url, payment_id=text_id)


def checkout_errors(*messages: str) -> CheckoutReply:
    """Failure: messages the manager sees in the timeline or on the payment page."""
    if not messages or any(not isinstance(message, str) or not message.strip() for message in messages):
        raise ValueError("checkout errors: give at least one message, each a non-empty string")
    return CheckoutReply(errors=tuple(messages))
