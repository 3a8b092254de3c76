"""What the compiled specs drive: which methods exist, validation, and example answers."""

from __future__ import annotations

import pytest
import requests

from b24client.emulator import Emulator
from b24client.runtime import specs

from .conftest import Rest


def test_every_spec_method_is_served(b24_emulator: Emulator) -> None:
    served = set(b24_emulator.method_names())
    assert set(specs.method_ids()) <= served
    assert {"batch", "crm.deal.list", "crm.item.list"} <= served


@pytest.mark.b24_emulator(stateful=False)
def test_stateless_portal_answers_each_spec_with_its_example(b24_emulator: Emulator) -> None:
    rest = Rest(b24_emulator)
    checked = 0
    for method_id in specs.method_ids():
        spec = specs.get(method_id)
        assert spec is not None
        example = spec["example"]
        if example is None or "request" not in example or spec["api_version"] != 2:
            continue  # drafts whose docs request failed validation keep only the response
        body = rest.post(spec["method"], example.get("request") or {}).json()
        assert body["result"] == example["response"]["body"]["result"], method_id
        checked += 1
    assert checked >= 20


@pytest.mark.b24_emulator(stateful=False)
def test_stateless_portal_still_validates(b24_emulator: Emulator) -> None:
    status, code, description = Rest(b24_emulator).error("crm.item.payment.add", {"entityTypeId": 2})
    assert (status, code) == (400, 100)
    assert "entityId" in description


def test_invalid_parameters_without_an_invalid_entry_get_the_generic_code(rest: Rest) -> None:
    status, code, description = rest.error("ai.engine.list", {"limit": "ten"})
    assert (status, code) == (400, "ERROR_ARGUMENT")
    assert "limit" in description


def test_parameters_the_spec_does_not_know_are_ignored_as_the_portal_does(rest: Rest) -> None:
    # A real portal ignores names it does not know (SDKs add bx24_* markers to every call);
    # a near-miss of a documented name is still refused, since the portal would drop it.
    assert rest.post("sale.paysystem.handler.list", {"bx24_request_id": "x1"}).status_code == 200
    status, code, description = rest.error("sale.paysystem.list", {"SELCT": ["ID"]})
    assert (status, code) == (400, "ERROR_CHECK_FAILURE")  # the method's own entry for invalid input
    assert "did you mean 'SELECT'" in description


def test_rest_v3_paths_use_the_v3_error_shape(b24_emulator: Emulator) -> None:
    token = b24_emulator.oauth_credentials()["access_token"]
    response = requests.post(f"{b24_emulator.base_url}/rest/api/tasks.nothing.list", json={"auth": token}, timeout=5)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "ERROR_METHOD_NOT_FOUND", "message": "Method not found!"}
    webhook = b24_emulator.webhook_url.replace("/rest/", "/rest/api/")
    assert requests.post(webhook + "tasks.nothing.list", json={}, timeout=5).status_code == 404


def test_a_failing_handler_answers_500_instead_of_dropping_the_connection(rest: Rest) -> None:
    def broken(call: object) -> object:
        raise KeyError("boom")

    rest.portal._handlers["crm.item.payment.get"] = broken  # type: ignore[assignment]
    status, code, description = rest.error("crm.item.payment.get", {"id": 1})
    assert (status, code) == (500, "INTERNAL_SERVER_ERROR")
    assert "KeyError" in description
