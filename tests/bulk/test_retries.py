"""Safe methods are retried through transient failures; a payment is never sent twice."""

from __future__ import annotations

import socket

import pytest

from b24client import Bitrix24, errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.exceptions import OutcomeUnknownError
from b24client.runtime.retry import RetryPolicy

TRANSIENT = ["503", "500", "html", "reset_before", "reset_after", "truncated"]


@pytest.mark.parametrize("fault", TRANSIENT)
def test_reads_are_retried_through_each_transient_failure(portal_factory, client_for, fault):
    portal = portal_factory(deals=5)
    b24 = client_for(portal)
    portal.inject(fault, "crm.deal.list", count=2)
    assert len(b24.call("crm.deal.list", {"select": ["ID"]})) == 5
    assert portal.faults.pending() == 0


def test_retries_stop_at_the_attempt_limit(portal_factory, client_for):
    portal = portal_factory(deals=5)
    b24 = client_for(portal, attempts=3)
    portal.inject("500", "crm.deal.list", count=5)
    with pytest.raises(errors.InternalServerError):
        b24.call("crm.deal.list")
    assert portal.counters["requests"] == 3


@pytest.mark.parametrize("fault", ["reset_after", "reset_before", "truncated", "slow"])
def test_a_payment_whose_reply_is_lost_is_not_repeated(portal_factory, client_for, processed, fault):
    portal = portal_factory(deals=5, slow_seconds=1.0)
    b24 = client_for(portal, timeout=(1.0, 0.3))
    payment = b24.crm.item.payment.add(entity_type_id=2, entity_id=1)
    portal.inject(fault, "crm.item.payment.pay")
    with pytest.raises(OutcomeUnknownError, match="not repeated"):
        b24.crm.item.payment.pay(id=payment)
    assert processed(portal, "crm.item.payment.pay") == (0 if fault == "reset_before" else 1)
    assert sum(1 for record in portal.log if record.method == "crm.item.payment.pay") == 1


def test_a_payment_refused_by_a_limit_is_sent_again(portal_factory, client_for, processed):
    portal = portal_factory(deals=5)
    b24 = client_for(portal)
    payment = b24.crm.item.payment.add(entity_type_id=2, entity_id=1)
    portal.inject("503", "crm.item.payment.pay")  # QUERY_LIMIT_EXCEEDED: the portal ran nothing
    assert b24.crm.item.payment.pay(id=payment) is True
    assert processed(portal, "crm.item.payment.pay") == 1


def test_a_500_on_a_payment_is_not_repeated(portal_factory, client_for):
    portal = portal_factory(deals=5)
    b24 = client_for(portal)
    payment = b24.crm.item.payment.add(entity_type_id=2, entity_id=1)
    portal.inject("500", "crm.item.payment.pay")
    with pytest.raises(errors.InternalServerError):
        b24.crm.item.payment.pay(id=payment)
    assert sum(1 for record in portal.log if record.method == "crm.item.payment.pay") == 1


def test_payments_under_random_faults_are_each_run_at_most_once(portal_factory, client_for, processed):
    portal = portal_factory(
        deals=50,
        fault_methods=frozenset({"crm.item.payment.pay"}),
        fault_seed=3,
        fault_rates={"503": 0.15, "500": 0.1, "reset_before": 0.1, "reset_after": 0.1, "truncated": 0.1, "html": 0.1},
    )
    b24 = client_for(portal)
    outcomes = {}
    for deal in range(1, 41):
        payment = b24.crm.item.payment.add(entity_type_id=2, entity_id=deal)
        try:
            outcomes[payment] = b24.crm.item.payment.pay(id=payment)
        except (OutcomeUnknownError, errors.InternalServerError, errors.ServerError) as exc:
            outcomes[payment] = type(exc).__name__
    for payment in outcomes:
        ran = sum(
            1
            for record in portal.log
            if record.method == "crm.item.payment.pay"
            and str(record.params.get("id")) == str(payment)
            and record.fault in (None, "reset_after", "truncated")
        )
        assert ran <= 1, payment
    assert processed(portal, "crm.item.payment.pay") <= len(outcomes)
    assert True in outcomes.values() and "OutcomeUnknownError" in outcomes.values()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_refused_connection_is_retried_even_for_a_payment(processed):
    """Connection refused means the request never left: the one case a payment may be retried."""
    port = _free_port()
    config = EmulatorConfig(port=port, deals=3, limits_enabled=False)
    portal = Emulator(config)
    b24 = Bitrix24(
        webhook=f"http://127.0.0.1:{port}/rest/1/{config.webhook_token}/",
        rate_limit=False,
        retry=RetryPolicy(attempts=3, backoff=0.01),
    )
    waits = []

    def start_portal_during_backoff(seconds: float) -> None:
        waits.append(seconds)
        portal.start()  # the first attempt was refused; the portal is up for the second

    b24.sleep = start_portal_during_backoff
    try:
        with pytest.raises(errors.PaymentNotFound):
            b24.crm.item.payment.pay(id=1)  # reaches the portal on the second attempt
        assert len(waits) == 1
        assert processed(portal, "crm.item.payment.pay") == 1
    finally:
        portal.stop()
        b24.close()
