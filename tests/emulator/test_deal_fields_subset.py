"""A page that renders only draw-free fields builds them without the random draws; the
values must be exactly those of the whole generated record, or the shortcut changes deals."""

from __future__ import annotations

import requests

from b24client.emulator import Emulator, EmulatorConfig
from b24client.emulator.lists import _DRAWLESS, DealStore


def test_drawless_fields_equal_the_whole_record() -> None:
    store = DealStore(seed=7, count=5000)
    for deal_id in (1, 2, 49, 50, 51, 1234, 4999, 5000):
        whole = store.record(deal_id)
        subset = store.record(deal_id, _DRAWLESS)
        assert subset == {field: whole[field] for field in _DRAWLESS}


def test_an_edited_deal_shows_its_edit_in_a_narrow_page() -> None:
    with Emulator(EmulatorConfig(deals=120, limits_enabled=False)) as portal:
        portal.deals.update(60, {"TITLE": "renamed"})
        reply = requests.post(
            portal.webhook_url + "crm.deal.list",
            json={"filter": {">ID": 55}, "order": {"ID": "ASC"}, "select": ["ID", "TITLE"], "start": -1},
            timeout=30,
        ).json()
        titles = {row["ID"]: row["TITLE"] for row in reply["result"]}
        assert titles["60"] == "renamed"
        assert titles["61"] == "Deal #61"
        assert set(reply["result"][0]) == {"ID", "TITLE"}
