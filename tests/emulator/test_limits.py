"""The cloud limits of limits.md: leaky bucket (503), operating baskets (429), cost model, time scale."""

from __future__ import annotations

import time

import pytest
import requests

from b24client.emulator import CostModel, Emulator, EmulatorConfig
from b24client.emulator.limits import LeakyBucket, OperatingMeter
from tests.support.clock import VirtualClock

from .conftest import Rest


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- leaky bucket -------------------------------------------------------------------------------


def test_bucket_refuses_above_x_and_drains_y_per_second() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(capacity=50, drain_per_second=2, clock=clock)
    assert all(bucket.try_acquire() for _ in range(50))
    assert not bucket.try_acquire()  # the 51st request of a burst
    clock.now += 0.4  # 0.8 drained: still no room for a whole request
    assert not bucket.try_acquire()
    clock.now += 0.1  # 1.0 drained
    assert bucket.try_acquire()
    assert not bucket.try_acquire()


def test_bucket_at_y_per_second_is_never_refused() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(capacity=50, drain_per_second=2, clock=clock)
    for _ in range(1000):
        assert bucket.try_acquire()
        clock.now += 0.5


def test_time_scale_compresses_the_drain_interval() -> None:
    clock = FakeClock()
    bucket = LeakyBucket(capacity=5, drain_per_second=2, time_scale=100, clock=clock)
    assert all(bucket.try_acquire() for _ in range(5))
    assert not bucket.try_acquire()
    clock.now += 0.006  # 0.6 scaled seconds: more than one request drained
    assert bucket.try_acquire()


def test_enterprise_defaults() -> None:
    assert (EmulatorConfig().effective_rate_limit, EmulatorConfig().effective_drain_per_second) == (50, 2.0)
    enterprise = EmulatorConfig(enterprise=True)
    assert (enterprise.effective_rate_limit, enterprise.effective_drain_per_second) == (250, 5.0)
    assert EmulatorConfig(enterprise=True, rate_limit=7).effective_rate_limit == 7


def test_burst_over_http_gets_503_query_limit_exceeded() -> None:
    # The bucket's clock stands still, so however slow the machine the burst does not drain.
    with Emulator(EmulatorConfig(limits_enabled=True), rate_clock=VirtualClock()) as portal:
        rest = Rest(portal)
        responses = [rest.post("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2}) for _ in range(60)]
        counters = portal.counters
    statuses = [r.status_code for r in responses]
    assert statuses[:50] == [200] * 50
    assert statuses[50:] == [503] * 10
    assert {r.json()["error"] for r in responses[50:]} == {"QUERY_LIMIT_EXCEEDED"}
    assert counters["query_limit_exceeded"] == 10
    assert counters["status"] == {"200": 50, "503": 10}


def test_bucket_recovers_after_draining_with_time_scale() -> None:
    config = EmulatorConfig(limits_enabled=True, rate_limit=5, drain_per_second=2, time_scale=100)
    clock = VirtualClock()
    with Emulator(config, rate_clock=clock) as portal:
        rest = Rest(portal)
        statuses = [rest.post("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2}).status_code for _ in range(12)]
        assert statuses == [200] * 5 + [503] * 7
        clock.sleep(0.05)  # 5 scaled seconds: 10 requests drained
        assert rest.post("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2}).status_code == 200


def test_limits_off_never_refuse() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False, rate_limit=2)) as portal:
        rest = Rest(portal)
        assert {rest.post("crm.deal.list", {}).status_code for _ in range(10)} == {200}


# --- operating baskets --------------------------------------------------------------------------


def test_meter_blocks_after_the_limit_and_releases_with_the_oldest_basket() -> None:
    clock = FakeClock()
    meter = OperatingMeter(limit_seconds=480, basket_seconds=60, baskets=10, clock=clock)
    # limits.md's worked example: 20 s calls, 20 in ten minutes, then five more.
    for _ in range(25):
        assert meter.blocked("app:x", "crm.item.list") is None
        meter.record("app:x", "crm.item.list", 20.0)
        clock.now += 20.0
    state = meter.blocked("app:x", "crm.item.list")
    assert state is not None and state.operating > 480
    assert meter.blocked("app:x", "crm.deal.list") is None  # other methods unaffected
    assert meter.blocked("webhook:1", "crm.item.list") is None  # other callers unaffected
    assert state.reset_at is not None
    clock.now = state.reset_at
    after = meter.state("app:x", "crm.item.list")
    assert after.operating < state.operating
    assert meter.blocked("app:x", "crm.item.list") is None


def test_basket_opens_at_its_first_call_and_lasts_ten_scaled_minutes() -> None:
    clock = FakeClock()
    meter = OperatingMeter(basket_seconds=60, baskets=10, time_scale=10, clock=clock)
    first = meter.record("w", "m", 1.0)
    assert first.reset_at == pytest.approx(1000.0 + 60.0)  # 600 s / 10
    clock.now += 5.9  # still in the first (6 s) basket
    assert meter.record("w", "m", 1.0).operating == pytest.approx(2.0)
    clock.now += 0.2  # a second basket opens
    meter.record("w", "m", 1.0)
    clock.now = 1060.0  # the first basket drops out
    assert meter.state("w", "m").operating == pytest.approx(1.0)


def test_operating_limit_over_http_answers_429_until_reset() -> None:
    config = EmulatorConfig(limits_enabled=True, operating_limit_seconds=1.0, time_scale=600, costs=CostModel(call_seconds=0.4))
    with Emulator(config) as portal:
        rest = Rest(portal)
        params = {"entityId": 1, "entityTypeId": 2}
        allowed = [rest.post("crm.item.payment.list", params) for _ in range(3)]
        assert [r.status_code for r in allowed] == [200, 200, 200]
        assert allowed[-1].json()["time"]["operating"] == pytest.approx(1.2)
        blocked = rest.post("crm.item.payment.list", params)
        assert blocked.status_code == 429
        body = blocked.json()
        assert body["error"] == "OPERATION_TIME_LIMIT"
        assert body["time"]["operating"] == pytest.approx(1.2)
        reset_at = body["time"]["operating_reset_at"]
        assert time.time() < reset_at <= time.time() + 1.01  # 600 s scaled by 600
        assert rest.post("crm.deal.list", {}).status_code == 200  # another method is not blocked
        time.sleep(max(0.0, reset_at - time.time()) + 0.02)
        assert rest.post("crm.item.payment.list", params).status_code == 200
        assert portal.counters["operation_time_limit"] == 1


# --- cost model ---------------------------------------------------------------------------------

HUGE = 2_387_743  # the table size measured in settings/performance/huge-data.md


def test_cost_model_reproduces_the_measured_figures() -> None:
    costs = CostModel()
    assert costs.list_page(50, HUGE, 0) == pytest.approx(49.9, rel=1e-3)
    assert costs.list_page(50, None, 0) == pytest.approx(0.097, rel=1e-3)


def test_counted_offset_pages_are_expensive_and_start_minus_one_is_cheap() -> None:
    with Emulator(EmulatorConfig(limits_enabled=False, deals=HUGE)) as portal:
        rest = Rest(portal)
        counted = rest.post("crm.item.list", {"entityTypeId": 2, "select": ["id"]}).json()
        uncounted = rest.post("crm.item.list", {"entityTypeId": 2, "select": ["id"], "start": -1}).json()
        deep = rest.post("crm.item.list", {"entityTypeId": 2, "select": ["id"], "start": 2_000_000}).json()
        keyset = rest.post(
            "crm.item.list", {"entityTypeId": 2, "select": ["id"], "start": -1, "filter": {">id": 2_000_000}}
        ).json()
    assert counted["total"] == HUGE and counted["next"] == 50
    assert counted["time"]["processing"] == pytest.approx(49.9, rel=1e-3)
    assert uncounted["total"] == 0 and "next" not in uncounted
    assert uncounted["time"]["processing"] == pytest.approx(0.097, rel=1e-3)
    assert deep["result"]["items"][0]["id"] == 2_000_001
    assert deep["time"]["processing"] > counted["time"]["processing"]
    assert keyset["result"]["items"][0]["id"] == 2_000_001
    assert keyset["time"]["processing"] == pytest.approx(0.097, rel=1e-3)


def test_simulated_latency_makes_expensive_calls_take_longer() -> None:
    config = EmulatorConfig(limits_enabled=False, deals=HUGE, simulate_latency=True, time_scale=100)
    with Emulator(config) as portal:
        url = portal.webhook_url + "crm.deal.list"
        began = time.perf_counter()
        requests.post(url, json={"select": ["ID"]}, timeout=10)  # ~50 s of portal time → 0.5 s
        counted = time.perf_counter() - began
        began = time.perf_counter()
        requests.post(url, json={"select": ["ID"], "start": -1}, timeout=10)  # ~0.1 s → 1 ms
        cheap = time.perf_counter() - began
    assert counted >= 0.45
    assert cheap < 0.2
