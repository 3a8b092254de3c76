"""Pay a legacy invoice, then a deal payment, on the local emulator, printing each step.

Run with `make demo`. Everything goes over real HTTP on 127.0.0.1; the same code works
against a real portal with a real webhook URL.
"""

from __future__ import annotations

from typing import Any

from b24client import Bitrix24, errors
from b24client.emulator import Emulator, EmulatorConfig


def step(title: str, value: Any) -> None:
    print(f"- {title}: {value!r}")


def main() -> None:
    with Emulator(EmulatorConfig()) as portal, Bitrix24(webhook=portal.webhook_url) as b24:
        print(f"emulator at {portal.base_url}; client {b24!r}\n")

        handler_id = b24.sale.paysystem.handler.add(
            name="Demo card gateway",
            code="demo_gateway",
            settings={
                "CODES": {
                    "PAYMENT_ID": {
                        "NAME": "Payment number",
                        "DEFAULT": {"PROVIDER_KEY": "PAYMENT", "PROVIDER_VALUE": "ACCOUNT_NUMBER"},
                    }
                },
                "FORM_DATA": {"ACTION_URI": "https://pay.example.com/form", "METHOD": "POST", "FIELDS": {}},
            },
        )
        step("sale.paysystem.handler.add -> handler id", handler_id)
        pay_system_id = b24.sale.paysystem.add(
            name="Demo card payments",
            bx_rest_handler="demo_gateway",
            person_type_id=1,
            entity_registry_type="ORDER",
        )
        step("sale.paysystem.add -> pay system id", pay_system_id)

        invoice_id = b24.call("crm.invoice.add", {"fields": {"ORDER_TOPIC": "Demo invoice", "PRICE": 120.0}})
        step("crm.invoice.add (generic call, no spec) -> invoice id", invoice_id)
        paid = b24.sale.paysystem.pay.invoice(invoice_id=invoice_id, pay_system_id=pay_system_id)
        step("sale.paysystem.pay.invoice -> paid", paid)

        print("\nWhat goes wrong is reported before sending, or as a typed error:")
        try:
            b24.sale.paysystem.pay.invoice(invoice_id=invoice_id)  # type: ignore[call-arg]
        except errors.ValidationError as problem:
            print(f"  ValidationError: {problem}")
        try:
            b24.sale.paysystem.pay.invoice(invoice_id=999_999, pay_system_id=pay_system_id)
        except errors.ApiError as failure:
            print(
                f"  {type(failure).__name__}: code={failure.code!r} status={failure.status} description={failure.description!r}"
            )

        print(f"\nrequests served: {portal.counters['requests']}")


if __name__ == "__main__":
    main()
