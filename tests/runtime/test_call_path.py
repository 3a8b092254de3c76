"""The call path over real HTTP against the emulator: errors, retries, OAuth refresh
(each test for both clients: `client_kind` is in tests/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from b24client import errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.retry import RetryPolicy
from tests.conftest import make_client

FAST_RETRY = RetryPolicy(attempts=4, backoff=0.001, max_backoff=0.01)


@pytest.fixture
def fresh_portal() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


def _client(portal: Emulator, kind: str, **options: object) -> Any:
    return make_client(kind, webhook=portal.webhook_url, retry=FAST_RETRY, rate_limit=False, **options)


def _payment(client: Any, portal: Emulator) -> int:
    portal.seed_deals(1)
    return int(client.crm.item.payment.add(entity_type_id=2, entity_id=1))


def _sent(portal: Emulator, method: str) -> list[object]:
    return [record for record in portal.log if record.method == method]


def test_reset_after_processing_a_payment_is_reported_as_unknown_and_never_resent(
    client_kind: str, fresh_portal: Emulator
) -> None:
    client = _client(fresh_portal, client_kind)
    payment_id = _payment(client, fresh_portal)
    fresh_portal.inject("reset_after", method="crm.item.payment.pay", count=1)
    with pytest.raises(errors.OutcomeUnknownError) as raised:
        client.crm.item.payment.pay(id=payment_id)
    assert raised.value.sent is None
    assert len(_sent(fresh_portal, "crm.item.payment.pay")) == 1
    assert client.crm.item.payment.get(id=payment_id)["paid"] == "Y"  # it did run on the portal


@pytest.mark.parametrize("fault", ["500", "html", "truncated"])
def test_unsafe_call_is_not_repeated_after_an_ambiguous_failure(client_kind: str, fresh_portal: Emulator, fault: str) -> None:
    client = _client(fresh_portal, client_kind)
    payment_id = _payment(client, fresh_portal)
    fresh_portal.inject(fault, method="crm.item.payment.pay", count=1)
    with pytest.raises((errors.OutcomeUnknownError, errors.ServerError)):
        client.crm.item.payment.pay(id=payment_id)
    assert len(_sent(fresh_portal, "crm.item.payment.pay")) == 1


def test_rate_limit_reply_is_retried_even_for_unsafe_calls(client_kind: str, fresh_portal: Emulator) -> None:
    client = _client(fresh_portal, client_kind)
    payment_id = _payment(client, fresh_portal)
    fresh_portal.respond_once(
        "crm.item.payment.pay", 503, {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
    )
    assert client.crm.item.payment.pay(id=payment_id) is True
    assert [r.status for r in _sent(fresh_portal, "crm.item.payment.pay")] == [503, 200]


@pytest.mark.parametrize("fault", ["503", "500", "reset_before", "reset_after", "html", "truncated"])
def test_reads_are_retried_through_transient_faults(client_kind: str, fresh_portal: Emulator, fault: str) -> None:
    client = _client(fresh_portal, client_kind)
    payment_id = _payment(client, fresh_portal)
    fresh_portal.inject(fault, method="crm.item.payment.get", count=2)
    assert client.crm.item.payment.get(id=payment_id)["id"] == payment_id
    assert len(_sent(fresh_portal, "crm.item.payment.get")) == 3


def test_reads_give_up_after_the_attempt_budget(client_kind: str, fresh_portal: Emulator) -> None:
    client = _client(fresh_portal, client_kind)
    fresh_portal.inject("500", method="crm.item.payment.get", count=10)
    with pytest.raises(errors.ServerError) as raised:
        client.crm.item.payment.get(id=1)
    assert raised.value.status == 500
    assert len(_sent(fresh_portal, "crm.item.payment.get")) == FAST_RETRY.attempts


def test_documented_not_found_maps_to_its_class_with_code_status_and_description(
    client_kind: str, fresh_portal: Emulator
) -> None:
    client = _client(fresh_portal, client_kind)
    with pytest.raises(errors.ErrorInternalInvoiceNotFound) as raised:
        client.sale.paysystem.pay.invoice(invoice_id=424242, pay_system_id=1)
    error = raised.value
    assert (error.code, error.status, error.method) == ("ERROR_INTERNAL_INVOICE_NOT_FOUND", 400, "sale.paysystem.pay.invoice")
    assert error.description
    assert isinstance(error, errors.InvalidRequestError | errors.NotFoundError)


def test_wrong_webhook_token_raises_no_auth_found_without_the_token(client_kind: str, fresh_portal: Emulator) -> None:
    bad = fresh_portal.webhook_url.replace(fresh_portal.config.webhook_token, "wrong-token-value")
    with (
        make_client(client_kind, webhook=bad, retry=FAST_RETRY, rate_limit=False) as client,
        pytest.raises(errors.NoAuthFound) as raised,
    ):
        client.crm.item.payment.get(id=1)
    assert raised.value.status == 401
    assert "wrong-token-value" not in str(raised.value)


def test_expired_token_is_refreshed_once_across_threads(client_kind: str, fresh_portal: Emulator) -> None:
    credentials = fresh_portal.oauth_credentials()
    saved: list[dict[str, object]] = []
    client = make_client(
        client_kind,
        domain=credentials["domain"],
        access_token=credentials["access_token"],
        refresh_token=credentials["refresh_token"],
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        token_url=credentials["token_url"],
        on_token_refresh=saved.append,
        retry=FAST_RETRY,
        rate_limit=False,
    )
    payment_id = _payment(client, fresh_portal)
    fresh_portal.expire_tokens()
    results: list[object] = []
    failures: list[BaseException] = []
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        try:
            results.append(client.crm.item.payment.get(id=payment_id)["id"])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert results == [payment_id] * 8
    assert len(saved) == 1 and saved[0]["access_token"] != credentials["access_token"]
    token_calls = [r for r in fresh_portal.log if r.method is None and "/oauth/token" in r.path]
    assert len(token_calls) == 1
