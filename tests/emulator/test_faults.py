"""Seeded random faults and the deterministic `inject` / `respond_once` API, seen over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from b24client.emulator import Emulator, EmulatorConfig, FaultPlan
from b24client.emulator.faults import Faults

from .conftest import Rest

PARAMS = {"entityId": 1, "entityTypeId": 2}


@pytest.fixture
def portal_with_payment(b24_emulator: Emulator) -> Iterator[tuple[Emulator, Rest]]:
    b24_emulator.seed_deals(5)
    yield b24_emulator, Rest(b24_emulator)


def test_injected_503_and_500_do_not_run_the_method(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("503", "crm.item.payment.add")
    portal.inject("500", "crm.item.payment.add")
    first, second = rest.post("crm.item.payment.add", PARAMS), rest.post("crm.item.payment.add", PARAMS)
    assert (first.status_code, first.json()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")
    assert (second.status_code, second.json()["error"]) == (500, "INTERNAL_SERVER_ERROR")
    assert rest.ok("crm.item.payment.list", PARAMS) == []  # nothing was created
    assert rest.ok("crm.item.payment.add", PARAMS) == 1  # the faults were used up


def test_reset_before_processing_has_no_side_effect(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("reset_before", "crm.item.payment.add")
    with pytest.raises(requests.ConnectionError):
        rest.post("crm.item.payment.add", PARAMS)
    assert rest.ok("crm.item.payment.list", PARAMS) == []


def test_reset_after_processing_keeps_the_side_effect(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("reset_after", "crm.item.payment.add")
    with pytest.raises(requests.ConnectionError):
        rest.post("crm.item.payment.add", PARAMS)
    assert [p["id"] for p in rest.ok("crm.item.payment.list", PARAMS)] == [1]
    assert portal.log[-2].status == 0 and portal.log[-2].fault == "reset_after"


@pytest.mark.b24_emulator(slow_seconds=0.5)
def test_slow_reply_passes_the_client_timeout_but_the_call_happened(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("slow", "crm.item.payment.add")
    with pytest.raises(requests.Timeout):
        rest.session.post(portal.webhook_url + "crm.item.payment.add", json=PARAMS, timeout=0.1)
    assert len(rest.ok("crm.item.payment.list", PARAMS)) == 1


def test_html_error_page_instead_of_json(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("html")
    response = rest.post("crm.deal.list", {})
    assert response.status_code == 502
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<html>")


def test_truncated_json_cannot_be_parsed(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("truncated", "crm.deal.list")
    response = rest.post("crm.deal.list", {})
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_inject_counts_down_and_is_restricted_to_the_method(portal_with_payment: tuple[Emulator, Rest]) -> None:
    portal, rest = portal_with_payment
    portal.inject("500", "crm.deal.list", count=2)
    assert rest.post("crm.item.payment.list", PARAMS).status_code == 200
    assert [rest.post("crm.deal.list", {}).status_code for _ in range(3)] == [500, 500, 200]
    assert portal.counters["faults"] == {"500": 2}


def test_respond_once_returns_exactly_the_given_body(b24_emulator: Emulator) -> None:
    body = {"error": "ERROR_CHECK_FAILURE", "error_description": "Pay system not found"}
    b24_emulator.respond_once("sale.paysystem.pay.invoice", 400, body)
    url = b24_emulator.webhook_url + "sale.paysystem.pay.invoice"
    first = requests.post(url, json={"INVOICE_ID": 1, "PAY_SYSTEM_ID": 1}, timeout=5)
    assert (first.status_code, first.json()) == (400, body)
    second = requests.post(url, json={"INVOICE_ID": 1, "PAY_SYSTEM_ID": 1}, timeout=5)
    assert second.status_code == 200 and second.json()["result"] is True


def _draws(plan: FaultPlan, calls: int = 300) -> list[object]:
    faults = Faults(plan)
    return [faults.draw("crm.deal.list") for _ in range(calls)]


def test_random_faults_are_reproducible_from_the_seed() -> None:
    plan = {"503": 0.1, "reset_before": 0.05, "truncated": 0.05}
    first, again, other = _draws(FaultPlan(plan, seed=7)), _draws(FaultPlan(plan, seed=7)), _draws(FaultPlan(plan, 8))
    assert first == again
    assert first != other
    share = sum(kind is not None for kind in first) / len(first)
    assert 0.1 < share < 0.3  # 20 % configured


def test_random_faults_only_hit_the_chosen_methods() -> None:
    faults = Faults(FaultPlan({"500": 1.0}, seed=1, methods=frozenset({"crm.deal.list"})))
    assert faults.draw("crm.item.list") is None
    assert faults.draw("crm.deal.list") == "500"


def test_bad_fault_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan({"teapot": 0.1})
    with pytest.raises(ValueError, match="more than 1"):
        FaultPlan({"503": 0.7, "500": 0.6})
    with pytest.raises(ValueError, match="unknown fault"):
        Faults().inject("teapot")


def test_random_faults_over_http_follow_the_seed() -> None:
    def statuses() -> list[int]:
        config = EmulatorConfig(limits_enabled=False, fault_rates={"500": 0.3}, fault_seed=42)
        with Emulator(config) as portal:
            return [requests.post(portal.webhook_url + "crm.deal.list", json={}, timeout=5).status_code for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert set(first) == {200, 500}
