"""Binding handlers and draining offline events against the emulator's event queue."""

from __future__ import annotations

import pytest

from b24client import Bitrix24
from b24client.runtime.inbound import drain_offline, ensure_bound
from b24client.runtime.retry import NO_RETRY


@pytest.fixture
def b24(b24_emulator):
    """An OAuth client of the emulator's configured app (event.* refuse webhooks)."""
    credentials = b24_emulator.oauth_credentials()
    with Bitrix24(
        domain=credentials["domain"],
        access_token=credentials["access_token"],
        refresh_token=credentials["refresh_token"],
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        token_url=credentials["token_url"],
        retry=NO_RETRY,
        rate_limiter=None,
    ) as client:
        yield client


def test_drain_clears_what_succeeded_and_marks_what_failed(b24):
    assert ensure_bound(b24, {"ONCRMDEALADD": ""}, event_type="offline") == ["ONCRMDEALADD"]
    deal_ids = [b24.call("crm.deal.add", {"fields": {"TITLE": f"deal {n}"}}) for n in range(5)]
    seen: list[str] = []

    def handler(event):
        deal_id = str(event.data["FIELDS"]["ID"])
        seen.append(deal_id)
        if deal_id == str(deal_ids[1]):
            raise ValueError(f"cannot store deal {deal_id}")

    report = drain_offline(b24, handler, limit=2)
    assert seen == [str(deal_id) for deal_id in deal_ids]
    assert len(report.processed) == 4 and len(report.failed) == 1 and report.rounds == 3
    # The queue is empty; the failed record is kept as erroneous, and only it.
    assert b24.call("event.offline.get", {"clear": 0})["events"] == []
    erroneous = b24.call("event.offline.get", {"clear": 0, "error": 1})["events"]
    assert [record["MESSAGE_ID"] for record in erroneous] == report.failed
    assert [str(record["EVENT_DATA"]["FIELDS"]["ID"]) for record in erroneous] == [str(deal_ids[1])]


def test_drain_of_an_empty_queue_does_nothing(b24_emulator, b24):
    report = drain_offline(b24, lambda event: None)
    assert report.rounds == 0
    assert [entry.method for entry in b24_emulator.log] == ["event.offline.get"]


def test_ensure_bound_binds_only_what_is_missing(b24_emulator, b24):
    handler = "http://127.0.0.1:9/h"
    assert ensure_bound(b24, {"ONCRMDEALADD": handler}) == ["ONCRMDEALADD"]
    assert ensure_bound(b24, {"onCrmDealAdd": handler, "ONCRMDEALUPDATE": handler}) == ["ONCRMDEALUPDATE"]
    binds = [entry.params["event"] for entry in b24_emulator.log if entry.method == "event.bind"]
    assert binds == ["ONCRMDEALADD", "ONCRMDEALUPDATE"]
    assert sorted(row["event"] for row in b24.call("event.get")) == ["ONCRMDEALADD", "ONCRMDEALUPDATE"]
