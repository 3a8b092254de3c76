"""Faults on single batch commands, seen through b24client's batch (real HTTP both ways).

A faulted command fails inside a 200 batch reply, in result_error under its label and with
no result_time, and does not run; the other commands do. The client must report it per
command, repeat a command refused by the request limit (it did not run), and never repeat
a write that failed with a server error (it may have run, as far as the client knows).
"""

from __future__ import annotations

import pytest
import requests

from b24client import Bitrix24, errors
from b24client.emulator import Emulator
from b24client.runtime.retry import RetryPolicy

# Retries on, without waiting: a refused command may go again, and the tests stay fast.
RETRY = RetryPolicy(attempts=3, backoff=0.0, max_backoff=0.0)

pytestmark = pytest.mark.b24_emulator(deals=5)


def _names(portal: Emulator) -> list[str]:
    reply = requests.post(portal.webhook_url + "crm.contact.list", json={"select": ["NAME"]}, timeout=5).json()
    return [row["NAME"] for row in reply["result"]]


def _client(portal: Emulator) -> Bitrix24:
    return Bitrix24(webhook=portal.webhook_url, retry=RETRY, rate_limit=False)


def test_a_server_error_on_one_write_fails_that_command_alone_and_is_not_repeated(b24_emulator: Emulator) -> None:
    b24_emulator.inject_command("500", index=1)
    calls = [("crm.contact.add", {"fields": {"NAME": name}}) for name in ("Ann", "Bob", "Cid")]
    with _client(b24_emulator) as b24, pytest.raises(errors.BatchError) as raised:
        b24.batch(calls)
    outcome = raised.value
    assert sorted(outcome.succeeded) == [0, 2] and list(outcome.failed) == [1]
    failed = outcome.failed[1]
    assert isinstance(failed, errors.ServerError)
    assert (failed.code, failed.method) == ("INTERNAL_SERVER_ERROR", "crm.contact.add")
    assert _names(b24_emulator) == ["Ann", "Cid"]  # Bob's command never ran
    batches = [r for r in b24_emulator.log if r.method == "batch"]
    assert len(batches) == 1  # a write that may have run is not sent again
    assert [(sub.status, sub.fault) for sub in batches[0].batch] == [(200, None), (500, "500"), (200, None)]
    assert b24_emulator.counters["faults"] == {"command_500": 1}


def test_the_reply_is_the_portals_failed_command_shape(b24_emulator: Emulator) -> None:
    b24_emulator.inject_command("503", method="crm.deal.get")
    cmd = {"list": "crm.deal.list?select[]=ID&start=-1", "one": "crm.deal.get?id=2", "two": "crm.deal.get?id=3"}
    body = requests.post(b24_emulator.webhook_url + "batch", json={"halt": 0, "cmd": cmd}, timeout=5).json()
    assert body["result"]["result_error"] == {"one": {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}}
    assert sorted(body["result"]["result"]) == ["list", "two"]
    assert sorted(body["result"]["result_time"]) == ["list", "two"]
    assert b24_emulator.command_faults.pending() == 0  # count=1: only the first crm.deal.get


def test_a_command_refused_by_the_request_limit_is_sent_again(b24_emulator: Emulator) -> None:
    b24_emulator.inject_command("503", index=0)
    with _client(b24_emulator) as b24:
        result = b24.batch({"first": ("crm.deal.get", {"id": 1}), "second": ("crm.deal.get", {"id": 2})})
    assert (result["first"]["ID"], result["second"]["ID"]) == ("1", "2")
    batches = [r for r in b24_emulator.log if r.method == "batch"]
    assert [[sub.params.get("id") for sub in r.batch] for r in batches] == [["1", "2"], ["1"]]


def test_halt_stops_at_the_faulted_command(b24_emulator: Emulator) -> None:
    b24_emulator.inject_command("500", index=0)
    calls = [("crm.contact.add", {"fields": {"NAME": name}}) for name in ("Ann", "Bob")]
    with _client(b24_emulator) as b24, pytest.raises(errors.BatchError) as raised:
        b24.batch(calls, halt=True)
    assert list(raised.value.failed) == [0] and list(raised.value.not_run) == [1]
    assert _names(b24_emulator) == []


def test_command_faults_over_http_and_bad_kinds(b24_emulator: Emulator) -> None:
    control = b24_emulator.base_url + "/_emulator/inject_command"
    assert requests.post(control, json={"fault": "500", "index": 0, "count": 2}, timeout=5).json() == {"ok": True}
    assert b24_emulator.command_faults.pending() == 2
    refused = requests.post(control, json={"fault": "reset_before"}, timeout=5)
    assert refused.status_code == 400 and "unknown command fault 'reset_before'" in refused.json()["error"]
    b24_emulator.reset()
    assert b24_emulator.command_faults.pending() == 0
