"""A small CRM integration, offline: b24client's typed calls against the stateful emulator.

The flow an integration typically has (create a company and a contact, link them, open a
deal for both, move its stage, find deals by stage, delete) must work end to end on the
emulator so a user can test their own logic without a portal. The same flow runs through
third-party clients in `make interop` (interop/crm_flow.py).
"""

from __future__ import annotations

import pytest

from b24client import Bitrix24, errors
from b24client.emulator import Emulator
from b24client.runtime.retry import NO_RETRY

pytestmark = pytest.mark.b24_emulator(deals=60)  # seeded deals around the new one: filters must pick it out


def test_company_contact_deal_stage_list_delete(b24_emulator: Emulator) -> None:
    with Bitrix24(webhook=b24_emulator.webhook_url, retry=NO_RETRY, rate_limit=False) as b24:
        company = int(b24.crm.company.add(fields={"TITLE": "Acme Ltd", "COMPANY_TYPE": "CUSTOMER"}))
        contact = int(b24.crm.contact.add(fields={"NAME": "Ann", "LAST_NAME": "Lee"}))
        assert b24.crm.contact.update(id=contact, fields={"COMPANY_ID": company}) is True
        linked = b24.crm.contact.get(id=contact)
        assert (linked["NAME"], linked["COMPANY_ID"]) == ("Ann", str(company))  # crm.contact.get: ids as text
        assert [c["ID"] for c in b24.crm.contact.list(filter={"COMPANY_ID": company}, select=["ID"])] == [str(contact)]

        deal = int(
            b24.crm.deal.add(
                fields={
                    "TITLE": "Acme order",
                    "STAGE_ID": "NEW",
                    "COMPANY_ID": company,
                    "CONTACT_ID": contact,
                    "OPPORTUNITY": 500,
                }
            )
        )
        assert deal == 61  # after the seeded 1..60
        assert b24.crm.deal.update(id=deal, fields={"STAGE_ID": "PREPARATION"}) is True
        assert b24.crm.deal.get(id=deal)["STAGE_ID"] == "PREPARATION"

        by_stage = b24.crm.deal.list(
            filter={"STAGE_ID": "PREPARATION", "COMPANY_ID": company}, select=["ID", "TITLE", "CONTACT_ID", "OPPORTUNITY"]
        )
        assert by_stage == [{"ID": str(deal), "TITLE": "Acme order", "CONTACT_ID": str(contact), "OPPORTUNITY": "500.00"}]
        assert b24.crm.deal.list(filter={"STAGE_ID": "NEW", "COMPANY_ID": company}, select=["ID"]) == []

        assert b24.crm.deal.delete(id=deal) is True
        assert b24.crm.deal.list(filter={"COMPANY_ID": company}, select=["ID"]) == []
        with pytest.raises(errors.CodeEmptyNotFound) as gone:  # the page's `""` "Not found" (HTTP 400)
            b24.crm.deal.get(id=deal)
        assert (gone.value.code, gone.value.status) == ("", 400)
    # every call went over HTTP to the emulator, none was answered from a docs example
    methods = [r.method for r in b24_emulator.log]
    assert methods.count("crm.deal.list") == 3 and "crm.deal.delete" in methods
