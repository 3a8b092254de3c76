"""The small CRM integration, written once against a minimal `call(method, params)`.

Create a company and a contact, link them, create a deal for both, move its stage, list
deals by stage, delete it. tests/emulator/test_crm_integration.py runs the same flow through
b24client; here any peer that can make a plain call runs it (through its own transport,
encoding and error handling).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .checks import expect

Call = Callable[[str, dict[str, Any]], Any]


def run(call: Call) -> str:
    company = int(call("crm.company.add", {"fields": {"TITLE": "Peer Ltd", "COMPANY_TYPE": "CUSTOMER"}}))
    contact = int(call("crm.contact.add", {"fields": {"NAME": "Ann", "LAST_NAME": "Peer"}}))
    expect(call("crm.contact.update", {"id": contact, "fields": {"COMPANY_ID": company}}) is True, "contact.update")
    linked = call("crm.contact.get", {"id": contact})
    expect(linked["COMPANY_ID"] == str(company), f"contact's COMPANY_ID {linked['COMPANY_ID']!r} != {company}")
    deal = int(
        call(
            "crm.deal.add",
            {
                "fields": {
                    "TITLE": "Peer deal",
                    "STAGE_ID": "NEW",
                    "COMPANY_ID": company,
                    "CONTACT_ID": contact,
                    "OPPORTUNITY": 500,
                }
            },
        )
    )
    expect(call("crm.deal.update", {"id": deal, "fields": {"STAGE_ID": "PREPARATION"}}) is True, "deal.update")
    moved = call(
        "crm.deal.list",
        {"filter": {"STAGE_ID": "PREPARATION", "COMPANY_ID": company}, "select": ["ID", "STAGE_ID", "CONTACT_ID"]},
    )
    expect([row["ID"] for row in moved] == [str(deal)], f"deals in PREPARATION of the company: {moved}")
    expect(moved[0]["CONTACT_ID"] == str(contact), f"deal's CONTACT_ID {moved[0]['CONTACT_ID']!r}")
    expect(call("crm.deal.delete", {"id": deal}) is True, "deal.delete")
    left = call("crm.deal.list", {"filter": {"STAGE_ID": "PREPARATION", "COMPANY_ID": company}, "select": ["ID"]})
    expect(left == [], f"deal still listed after delete: {left}")
    return f"company {company}, contact {contact}, deal {deal}"
