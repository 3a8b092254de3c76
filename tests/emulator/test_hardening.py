"""The emulator under hostile requests, and REST v3 Idempotency-Key as rest-v3.md lays it down."""

from __future__ import annotations

import time
from typing import Any

import requests

from b24client.emulator import Emulator, EmulatorConfig

WRITE = "humanresources.node.add"  # a v3 method that creates data
NODE = {"name": "Marketing", "type": "DEPARTMENT", "parentId": 1}


def _v3(portal: Emulator, method: str, body: Any, key: str | None = None) -> requests.Response:
    url = portal.webhook_url.replace("/rest/", "/rest/api/") + method
    headers = {"Idempotency-Key": key} if key is not None else {}
    return requests.post(url, json=body, headers=headers, timeout=10)


def test_a_body_nested_too_deep_gets_a_400_not_a_dropped_connection(rest: Any) -> None:
    for depth in (150, 600, 5000):
        deep = "[" * depth + "]" * depth
        reply = rest.session.post(
            rest.portal.webhook_url + "crm.deal.list",
            data=f'{{"filter":{deep}}}',
            headers={"Content-Type": "application/json"},
            timeout=10,
        )
        assert reply.status_code == 400, depth
        assert reply.json()["error"] == "ERROR_ARGUMENT"
    form = "filter" + "[a]" * 600 + "=1"
    reply = rest.session.post(
        rest.portal.webhook_url + "crm.deal.list",
        data=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert reply.status_code == 400
    assert rest.ok("crm.deal.list", {"filter": {"x": [[[[[[1]]]]]]}}) == []  # ordinary nesting is still answered


def test_a_repeated_v3_write_with_the_same_key_is_replayed_not_run_again(b24_emulator: Emulator) -> None:
    first = _v3(b24_emulator, WRITE, NODE, "key-1")
    again = _v3(b24_emulator, WRITE, NODE, "key-1")
    assert first.status_code == again.status_code == 200
    assert first.headers["Idempotency-Key"] == again.headers["Idempotency-Key"] == "key-1"
    assert "Idempotent-Replayed" not in first.headers and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["result"] == first.json()["result"]
    assert [record.replayed for record in b24_emulator.log] == [False, True]
    assert "Idempotent-Replayed" not in _v3(b24_emulator, WRITE, NODE, "key-2").headers  # a new key runs
    other_method = _v3(b24_emulator, "humanresources.node.edit", {"id": 1, "name": "x"}, "key-1")
    assert "Idempotent-Replayed" not in other_method.headers  # keys are per method


def test_reusing_a_key_with_another_body_is_422_and_a_bad_key_400(b24_emulator: Emulator) -> None:
    assert _v3(b24_emulator, WRITE, NODE, "key-1").status_code == 200
    reused = _v3(b24_emulator, WRITE, {**NODE, "name": "Sales"}, "key-1")
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION"
    for bad in ("x" * 256, "tab\tinside", "\x7f"):
        refused = _v3(b24_emulator, WRITE, NODE, bad)
        assert refused.status_code == 400, bad
        assert refused.json()["error"]["code"] == "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION"
    assert _v3(b24_emulator, WRITE, NODE, "x" * 255).status_code == 200


def test_an_error_is_not_stored_and_the_same_key_runs_again(b24_emulator: Emulator) -> None:
    failed = _v3(b24_emulator, WRITE, {"name": "no type or parent"}, "key-1")
    assert failed.status_code == 400
    assert _v3(b24_emulator, WRITE, {"name": "no type or parent"}, "key-1").status_code == 400  # ran, not 422
    assert [record.replayed for record in b24_emulator.log] == [False, False]


def test_a_stored_reply_expires_after_24_hours() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False, time_scale=86400 * 20)) as portal:  # 24 h → 0.05 s
        assert _v3(portal, WRITE, NODE, "key-1").status_code == 200
        time.sleep(0.1)
        assert "Idempotent-Replayed" not in _v3(portal, WRITE, NODE, "key-1").headers


def test_v2_and_reads_ignore_the_header(b24_emulator: Emulator) -> None:
    url = b24_emulator.webhook_url + "crm.deal.list"
    for _ in range(2):
        reply = requests.post(url, json={}, headers={"Idempotency-Key": "k"}, timeout=10)
        assert "Idempotent-Replayed" not in reply.headers
    for _ in range(2):
        assert "Idempotent-Replayed" not in _v3(b24_emulator, "humanresources.node.get", {"id": 1}, "k").headers
