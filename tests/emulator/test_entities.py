"""Spec-derived entity families keep state over real HTTP (a small CRM round trip)."""

import requests


def _call(portal, method, **params):
    return requests.post(portal.webhook_url + method, json=params, timeout=10).json()


def test_crm_round_trip_keeps_state(b24_emulator):
    company = _call(b24_emulator, "crm.company.add", fields={"TITLE": "Acme"})["result"]
    contact = _call(b24_emulator, "crm.contact.add", fields={"NAME": "Ann", "COMPANY_ID": company})["result"]
    assert _call(b24_emulator, "crm.contact.get", id=contact)["result"]["COMPANY_ID"] == str(company)
    deal = _call(b24_emulator, "crm.deal.add", fields={"TITLE": "T", "COMPANY_ID": company})["result"]
    _call(b24_emulator, "crm.deal.update", id=deal, fields={"STAGE_ID": "WON"})
    won = _call(b24_emulator, "crm.deal.list", filter={"STAGE_ID": "WON"})["result"]
    assert [row["ID"] for row in won] == [str(deal)]
    assert _call(b24_emulator, "crm.deal.delete", id=deal)["result"] is True
    assert "error" in _call(b24_emulator, "crm.deal.get", id=deal)


def test_camel_case_families_wrap_results(b24_emulator):
    task = _call(b24_emulator, "tasks.task.add", fields={"TITLE": "x"})["result"]["task"]["id"]
    listed = _call(b24_emulator, "tasks.task.list", filter={"TITLE": "x"})["result"]["tasks"]
    assert [row["id"] for row in listed] == [task]
    contact = _call(b24_emulator, "crm.contact.add", fields={"NAME": "Ann"})["result"]
    item = _call(b24_emulator, "crm.item.get", entityTypeId=3, id=contact)["result"]["item"]
    assert item["name"] == "Ann" and item["id"] == contact
