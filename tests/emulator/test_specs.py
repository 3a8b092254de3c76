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
        example = specs.example(method_id)
        if example is None or "request" not in example or spec["api_version"] != 2:
            continue  # drafts whose docs request failed validation keep only the response
        body = rest.post(spec["method"], example.get("request") or {}).json()
        assert body["result"] == example["response"]["body"]["result"], method_id
        checked += 1
    assert checked >= 20


@pytest.mark.b24_emulator(stateful=False)
def test_stateless_portal_still_validates(b24_emulator: Emulator) -> None:
    status, code, description = Rest(b24_emulator).error("crm.item.payment.add", {"entityTypeId": 2})
    assert (status, code) == (400, "100")  # a missing parameter: the page's own entry
    assert "entityId" in description


def test_invalid_parameters_without_an_invalid_entry_get_the_generic_code(rest: Rest) -> None:
    status, code, description = rest.error("ai.engine.list", {"limit": "ten"})
    assert (status, code) == (400, "ERROR_ARGUMENT")
    assert "limit" in description


def test_parameters_the_spec_does_not_know_are_ignored_as_the_portal_does(rest: Rest) -> None:
    # A real portal ignores names it does not know: SDK markers (bx24_*), fast_bitrix24's
    # `__order`, and near-misses too (the client refuses those before sending; the portal
    # drops them). What was dropped is in the request record.
    assert rest.post("sale.paysystem.handler.list", {"bx24_request_id": "x1"}).status_code == 200
    assert rest.post("crm.deal.list", {"__order": "order0000000000", "start": -1}).status_code == 200
    assert rest.post("sale.paysystem.list", {"SELCT": ["ID"]}).status_code == 200
    batch = rest.ok("batch", {"cmd": {"a": "crm.deal.list?__order=order0000000000&start=-1&selct[]=ID"}})
    assert batch["result_error"] == []
    log = rest.portal.log
    assert [r.ignored for r in log[:3]] == [("bx24_request_id",), ("__order",), ("SELCT",)]
    assert log[3].batch[0].ignored == ("__order", "selct")


@pytest.mark.b24_emulator(strict_params=True)
def test_strict_params_refuse_every_undocumented_name(b24_emulator: Emulator) -> None:
    rest = Rest(b24_emulator)
    status, code, description = rest.error("sale.paysystem.list", {"SELCT": ["ID"], "bx24_request_id": "x"})
    assert (status, code) == (400, "ERROR_ARGUMENT")
    assert "SELCT" in description and "bx24_request_id" in description


def test_a_bad_value_answers_error_argument_unless_the_page_documents_that_parameter(rest: Rest) -> None:
    # crm.item.payment.get lists code 100 ("required field missing") for invalid input and
    # nothing for a malformed id: the portal's argument check answers, not 100
    status, code, description = rest.error("crm.item.payment.get", {"id": "abc"})
    assert (status, code) == (400, "ERROR_ARGUMENT")
    assert "id" in description
    assert rest.error("crm.item.payment.get", {})[:2] == (400, "100")  # missing: the page's entry
    # pages that document the parameter's own reply get it: "ID is not defined or invalid",
    # "Parameter 'filter' must be array." (both with an empty code)
    assert rest.error("crm.contact.get", {"id": "abc"})[:2] == (400, "")
    assert rest.error("crm.deal.list", {"filter": "ID > 5"})[:2] == (400, "")


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
