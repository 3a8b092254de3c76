"""The request log, the counters, and the same over HTTP under /_emulator/."""

from __future__ import annotations

import base64

import pytest
import requests

from b24client.emulator import Emulator

from .conftest import Rest

pytestmark = pytest.mark.b24_emulator(deals=5)


def test_log_keeps_the_exact_wire_body_and_content_type(b24_emulator: Emulator) -> None:
    url = b24_emulator.webhook_url + "crm.deal.list"
    requests.post(url, data=b'{"select":["ID"],"start":-1}', headers={"Content-Type": "application/json"}, timeout=5)
    requests.post(url, data={"filter[>ID]": "3"}, timeout=5)
    json_call, form_call = b24_emulator.log
    assert json_call.raw_body == b'{"select":["ID"],"start":-1}'
    assert json_call.content_type == "application/json"
    assert json_call.params == {"select": ["ID"], "start": -1}
    assert (json_call.method, json_call.status, json_call.error, json_call.auth_kind) == ("crm.deal.list", 200, None, "webhook")
    assert form_call.raw_body == b"filter%5B%3EID%5D=3"
    assert form_call.content_type == "application/x-www-form-urlencoded"
    assert form_call.params == {"filter": {">ID": "3"}}
    assert json_call.seq < form_call.seq
    assert json_call.processing > 0 and json_call.duration >= 0
    assert "/***/" in json_call.path


def test_errors_and_auth_are_recorded_with_auth_masked(b24_emulator: Emulator) -> None:
    token = b24_emulator.oauth_credentials()["access_token"]
    requests.post(f"{b24_emulator.base_url}/rest/crm.item.payment.get", json={"auth": token, "id": 5}, timeout=5)
    record = b24_emulator.log[-1]
    assert (record.status, record.error, record.auth_kind) == (400, "0", "oauth")
    assert record.params == {"auth": "***", "id": 5}


def test_counters_by_status_and_method(rest: Rest) -> None:
    rest.post("crm.deal.list", {})
    rest.post("crm.deal.list", {})
    rest.post("crm.item.payment.get", {"id": 1})
    rest.post("unknown.method", {})
    counters = rest.portal.counters
    assert counters["requests"] == 4
    assert counters["status"] == {"200": 2, "400": 1, "404": 1}
    assert counters["methods"]["crm.deal.list"]["calls"] == 2
    assert counters["methods"]["crm.item.payment.get"]["errors"] == 1
    assert "unknown.method" not in counters["methods"]
    assert (counters["query_limit_exceeded"], counters["operation_time_limit"]) == (0, 0)


def test_http_control_endpoints(b24_emulator: Emulator) -> None:
    control = b24_emulator.base_url + "/_emulator/"
    info = requests.get(control + "info", timeout=5).json()
    assert info["webhook_url"] == b24_emulator.webhook_url
    assert "crm.item.list" in info["methods"] and "batch" in info["methods"]

    rest = Rest(b24_emulator)
    rest.post("crm.deal.list", {"start": -1})
    records = requests.get(control + "log", timeout=5).json()["records"]
    assert [r["method"] for r in records] == ["crm.deal.list"]
    assert base64.b64decode(records[0]["raw_body_base64"]) == b'{"start": -1}'
    newer = requests.get(control + "log", params={"since": records[0]["seq"]}, timeout=5).json()["records"]
    assert newer == []

    assert requests.post(control + "inject", json={"fault": "500", "method": "crm.deal.list"}, timeout=5).ok
    assert rest.post("crm.deal.list", {}).status_code == 500
    body = {"result": {"custom": True}}
    assert requests.post(control + "respond_once", json={"method": "crm.deal.list", "status": 200, "body": body}, timeout=5).ok
    assert rest.post("crm.deal.list", {}).json() == body
    assert requests.post(control + "seed_deals", json={"count": 70}, timeout=5).json()["deals"] == 70
    assert rest.post("crm.deal.list", {}).json()["total"] == 70

    counters = requests.get(control + "counters", timeout=5).json()
    assert counters["faults"] == {"500": 1, "respond_once": 1}
    token = b24_emulator.oauth_credentials()["access_token"]
    assert requests.post(control + "expire_tokens", timeout=5).ok
    expired = requests.post(f"{b24_emulator.base_url}/rest/crm.deal.list", json={"auth": token}, timeout=5)
    assert expired.json()["error"] == "expired_token"

    assert requests.post(control + "reset", timeout=5).json() == {"ok": True}
    assert requests.get(control + "counters", timeout=5).json()["requests"] == 0
    assert rest.post("crm.deal.list", {}).json()["total"] == 5  # back to the configured deals


def test_control_endpoint_errors(b24_emulator: Emulator) -> None:
    control = b24_emulator.base_url + "/_emulator/"
    assert requests.get(control + "nothing", timeout=5).status_code == 404
    assert requests.get(control + "reset", timeout=5).status_code == 405
    assert requests.post(control + "inject", json={"fault": "teapot"}, timeout=5).status_code == 400
    assert requests.post(control + "inject", json={}, timeout=5).status_code == 400
