"""Two clients, one portal budget: the Redis-backed bucket (skipped without redis-server)."""

from __future__ import annotations

import threading

import pytest

from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.ratelimit import PortalRateLimiter
from tests.support.clock import VirtualClock

redis = pytest.importorskip("redis")


def _hammer(clients, calls: int) -> None:
    def work(b24):
        for _ in range(calls):
            b24.call("crm.deal.list", {"select": ["ID"], "start": -1})

    threads = [threading.Thread(target=work, args=(b24,)) for b24 in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_clients_share_one_budget_through_redis(portal_factory, client_for, redis_url):
    from b24client.runtime.ratelimit_redis import shared_limiter

    portal = portal_factory(deals=5, limits_enabled=True, time_scale=50)
    # Redis's own clock drives the shared bucket and cannot be replaced by a virtual one, so
    # the test keeps 10 requests of headroom: 100 ms of scheduling delay between a slot taken
    # and the request's arrival at the 100-per-second compressed drain rate.
    clients = [
        client_for(portal, rate_limiter=shared_limiter(redis_url, portal="emulator", time_scale=50, margin=10)) for _ in range(2)
    ]
    _hammer(clients, 70)  # 140 requests against a 50-request bucket
    assert portal.counters["query_limit_exceeded"] == 0
    assert portal.counters["requests"] == 140


def test_separate_buckets_overrun_the_portal(portal_factory, client_for):
    """The control: the same load with a bucket per client provokes refusals."""
    # One virtual clock for the portal and both limiters: the overrun cannot drain away on a slow machine.
    clock = VirtualClock()
    with Emulator(EmulatorConfig(deals=5, limits_enabled=True, time_scale=50), rate_clock=clock) as portal:
        clients = [
            client_for(portal, attempts=20, rate_limiter=PortalRateLimiter(time_scale=50, clock=clock, sleep=clock.sleep))
            for _ in range(2)
        ]
        _hammer(clients, 70)
        assert portal.counters["query_limit_exceeded"] > 0
