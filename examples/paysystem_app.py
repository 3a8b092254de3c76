"""A pay system for Bitrix24 built on b24client, end to end on the local emulator.

What a real integration does, in four steps:

1. register: `sale.paysystem.handler.add` (a REST handler in checkout mode whose ACTION_URI
   is this app) and `sale.paysystem.add` (a pay system using it);
2. checkout: the portal POSTs `BX_SYSTEM_PARAMS` to ACTION_URI when a buyer pays; the app
   registers the payment with its payment provider and answers PAYMENT_URL and PAYMENT_ID;
3. the provider tells the app the buyer paid (here a simulated provider, which may say so
   twice, as real providers retry their notifications);
4. confirm: the app reads the payment back from the portal (the checkout call carries no
   secret, so its sum is only a claim) and calls `sale.paysystem.pay.payment` once.

Run it: `python examples/paysystem_app.py` (starts an emulator, prints each step).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from b24client import Bitrix24
from b24client.runtime.inbound import (
    CheckoutReply,
    InboundError,
    checkout_errors,
    checkout_reply,
    parse_checkout_request,
)
from b24client.runtime.inbound.wsgi import read_limited, serve

HANDLER_CODE = "b24client_example_card"


@dataclass
class ProviderPayment:
    payment_id: int
    amount: Decimal
    currency: str
    paid: bool = False


class SimulatedProvider:
    """Stands in for a payment service: it hands out payment pages and reports payments."""

    def __init__(self) -> None:
        self.payments: dict[str, ProviderPayment] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.on_paid: Callable[[str], object] = lambda provider_id: None

    def register(self, payment_id: int, amount: Decimal, currency: str) -> str:
        with self._lock:
            provider_id = f"psp-{next(self._ids)}"
            self.payments[provider_id] = ProviderPayment(payment_id, amount, currency)
        return provider_id

    @staticmethod
    def page(provider_id: str) -> str:
        return f"https://psp.example/pay/{provider_id}"

    def buyer_pays(self, provider_id: str, notifications: int = 2) -> None:
        """The buyer paid; the provider notifies the app, more than once as providers do."""
        self.payments[provider_id].paid = True
        for _ in range(notifications):
            self.on_paid(provider_id)


class PaySystemApp:
    """The app: ACTION_URI (a WSGI app) plus the confirmation of paid payments."""

    def __init__(self, b24: Bitrix24, provider: SimulatedProvider) -> None:
        self.b24 = b24
        self.provider = provider
        self.pay_system_id: int | None = None
        self.confirmed: set[int] = set()
        self._confirm_lock = threading.Lock()
        provider.on_paid = self.on_provider_paid

    def register(self, action_uri: str, *, person_type_id: int = 1) -> int:
        """Create the REST handler and a pay system using it; its id."""
        self.b24.call(
            "sale.paysystem.handler.add",
            {
                "NAME": "Example card payments",
                "CODE": HANDLER_CODE,
                "SORT": 100,
                "SETTINGS": {
                    "CURRENCY": ["USD"],
                    "CLIENT_TYPE": "b2c",
                    "CHECKOUT_DATA": {"ACTION_URI": action_uri, "FIELDS": {"shop": {"CODE": "REST_SHOP_ID"}}},
                    "CODES": {"REST_SHOP_ID": {"NAME": "Shop ID", "SORT": 100}},
                },
            },
        )
        self.pay_system_id = int(
            self.b24.call(
                "sale.paysystem.add",
                {
                    "NAME": "Card (example)",
                    "PERSON_TYPE_ID": person_type_id,
                    "BX_REST_HANDLER": HANDLER_CODE,
                    "ENTITY_REGISTRY_TYPE": "ORDER",
                    "ACTIVE": "Y",
                    "SETTINGS": {"REST_SHOP_ID": {"TYPE": "VALUE", "VALUE": "shop-1"}},
                },
            )
        )
        return self.pay_system_id

    def checkout(self, body: bytes, content_type: str | None) -> CheckoutReply:
        """ACTION_URI: register the payment with the provider (once) and say where to pay."""
        request = parse_checkout_request(body, content_type, required_fields=["shop"])
        if request.paysystem_id != self.pay_system_id:
            return checkout_errors(f"pay system {request.paysystem_id} is not served here")
        provider_id = request.external_payment_id
        if provider_id not in self.provider.payments:  # first checkout of this payment
            provider_id = self.provider.register(request.payment_id, request.sum, request.currency)
        return checkout_reply(payment_url=self.provider.page(provider_id), payment_id=provider_id)

    def on_provider_paid(self, provider_id: str) -> bool:
        """Confirm a paid payment on the portal, once however often the provider reports it."""
        payment = self.provider.payments[provider_id]
        with self._confirm_lock:
            if payment.payment_id in self.confirmed or not payment.paid:
                return False
            stored = self.b24.call("crm.item.payment.get", {"id": payment.payment_id})
            if stored.get("paid") == "Y":
                self.confirmed.add(payment.payment_id)
                return False
            if Decimal(str(stored.get("sum"))) != payment.amount or stored.get("currency") != payment.currency:
                raise ValueError(f"payment {payment.payment_id}: the portal's sum differs from the checkout's")
            self.b24.call("sale.paysystem.pay.payment", {"PAYMENT_ID": payment.payment_id, "PAY_SYSTEM_ID": self.pay_system_id})
            self.confirmed.add(payment.payment_id)
            return True

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """The WSGI app: POST /checkout is the ACTION_URI."""
        if environ.get("PATH_INFO") != "/checkout" or environ.get("REQUEST_METHOD") != "POST":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        body = read_limited(environ, 1 << 20)
        try:
            reply = self.checkout(body or b"", environ.get("CONTENT_TYPE"))
        except InboundError as exc:
            reply = checkout_errors(f"bad checkout request: {exc}")
        data = reply.body()
        start_response("200 OK", [("Content-Type", reply.content_type), ("Content-Length", str(len(data)))])
        return [data]


def main() -> None:
    from b24client.emulator import Emulator, EmulatorConfig
    from b24client.runtime.retry import NO_RETRY

    with Emulator(EmulatorConfig(deals=1, limits_enabled=False)) as portal:
        credentials = portal.oauth_credentials()
        b24 = Bitrix24(
            domain=credentials["domain"],
            access_token=credentials["access_token"],
            refresh_token=credentials["refresh_token"],
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            token_url=credentials["token_url"],
            retry=NO_RETRY,
            rate_limiter=None,
        )
        provider = SimulatedProvider()
        app = PaySystemApp(b24, provider)
        with serve(app) as url:
            pay_system_id = app.register(url + "/checkout")
            print(f"1. registered pay system {pay_system_id} with ACTION_URI {url}/checkout")
            payment_id = b24.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
            b24.call("crm.item.payment.product.add", {"paymentId": payment_id, "rowId": 11, "quantity": 2})
            result = portal.start_checkout(payment_id, pay_system_id)
            print(f"2. checkout of payment {payment_id}: the buyer goes to {result.payment_url}")
            provider.buyer_pays(str(result.payment_id))
            paid = b24.call("crm.item.payment.get", {"id": payment_id})
            calls = sum(1 for record in portal.log if record.method == "sale.paysystem.pay.payment")
            print(f"3. the provider reported the payment twice; sale.paysystem.pay.payment was called {calls} time(s)")
            print(f"4. payment {payment_id}: paid={paid['paid']} sum={paid['sum']} {paid['currency']}")
        b24.close()


if __name__ == "__main__":
    main()
