"""Binding handlers and draining offline events, against the emulator's REST endpoint."""

from __future__ import annotations

import pytest

from b24client import Bitrix24
from b24client.runtime.inbound import drain_offline, ensure_bound
from b24client.runtime.retry import NO_RETRY


@pytest.fixture
def b24(b24_emulator):
    with Bitrix24(webhook=b24_emulator.webhook_url, retry=NO_RETRY, rate_limiter=None) as client:
        yield client


def record(id_: int, name: str = "ONCRMDEALADD") -> dict:
    return {"ID": str(id_), "TIMESTAMP_X": "2024-07-18T12:32:31+02:00", "EVENT_NAME": name,
            "EVENT_DATA": {"FIELDS": {"ID": str(100 + id_)}}, "EVENT_ADDITIONAL": {"user_id": "1"},
            "MESSAGE_ID": f"msg{id_}"}


def calls(portal, method: str) -> list[dict]:
    return [entry.params for entry in portal.log if entry.method == method]


def test_drain_clears_what_succeeded_and_marks_what_failed(b24_emulator, b24):
    b24_emulator.respond_once("event.offline.get", 200, {"result": {"process_id": "p1",
                                                                     "events": [record(1), record(2), record(3)]}})
    b24_emulator.respond_once("event.offline.get", 200, {"result": {"process_id": "p2", "events": [record(4)]}})
    b24_emulator.respond_once("event.offline.get", 200, {"result": {"process_id": None, "events": []}})
    seen: list[int] = []

    def handler(event):
        seen.append(event.id)
        if event.id == 2:
            raise ValueError("cannot store deal 102")

    report = drain_offline(b24, handler, limit=3)
    assert seen == [1, 2, 3, 4]
    assert (report.processed, report.failed, report.rounds) == ([1, 3, 4], ["msg2"], 2)
    assert [params["clear"] for params in calls(b24_emulator, "event.offline.get")] == [0, 0, 0]
    assert calls(b24_emulator, "event.offline.error") == [{"process_id": "p1", "message_id": ["msg2"]}]
    assert calls(b24_emulator, "event.offline.clear") == [{"process_id": "p1", "id": [1, 3]},
                                                          {"process_id": "p2", "id": [4]}]


def test_drain_stops_on_an_empty_queue_without_clearing(b24_emulator, b24):
    b24_emulator.respond_once("event.offline.get", 200, {"result": {"process_id": None, "events": []}})
    report = drain_offline(b24, lambda event: None)
    assert report.rounds == 0 and calls(b24_emulator, "event.offline.clear") == []


def test_ensure_bound_binds_only_what_is_missing(b24_emulator, b24):
    b24_emulator.respond_once("event.get", 200, {"result": [
        {"event": "ONCRMDEALADD", "handler": "https://app.example/h", "auth_type": "0", "offline": 0}]})
    added = ensure_bound(b24, {"ONCRMDEALADD": "https://app.example/h", "onCrmDealUpdate": "https://app.example/h"})
    assert added == ["ONCRMDEALUPDATE"]
    assert calls(b24_emulator, "event.bind") == [{"event": "ONCRMDEALUPDATE", "handler": "https://app.example/h"}]
