"""The client-side leaky bucket and operating-time tracker against a portal with limits on."""

from __future__ import annotations

import threading
import time

from b24client import Bitrix24, errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.ratelimit import LeakyBucket, PortalRateLimiter
from tests.support.clock import VirtualClock

PAGE = {"select": ["ID"], "start": -1}


def _limit_hits(portal):
    counters = portal.counters
    return counters["query_limit_exceeded"], counters["operation_time_limit"]


def test_defaults_are_the_documented_values():
    standard = Bitrix24(webhook="https://example.bitrix24.com/rest/1/secret-code/")
    enterprise = Bitrix24(webhook="https://example.bitrix24.com/rest/1/secret-code/", enterprise=True)
    off = Bitrix24(webhook="https://example.bitrix24.com/rest/1/secret-code/", rate_limit=False)
    assert isinstance(standard.rate_limiter, PortalRateLimiter)
    assert isinstance(standard.rate_limiter.bucket, LeakyBucket)
    assert (standard.rate_limiter.bucket.capacity, standard.rate_limiter.bucket.drain_per_second) == (50, 2.0)
    assert isinstance(enterprise.rate_limiter, PortalRateLimiter)
    assert isinstance(enterprise.rate_limiter.bucket, LeakyBucket)
    assert (enterprise.rate_limiter.bucket.capacity, enterprise.rate_limiter.bucket.drain_per_second) == (250, 5.0)
    assert off.rate_limiter is None
    assert "secret" not in repr(standard.rate_limiter)


def test_a_burst_stays_under_the_portals_bucket(portal_factory, client_for):
    portal = portal_factory(deals=10, limits_enabled=True, time_scale=50)
    b24 = client_for(portal)
    for _ in range(130):
        b24.call("crm.deal.list", PAGE)
    assert _limit_hits(portal) == (0, 0)
    assert portal.counters["requests"] == 130


def test_threads_of_one_client_share_the_bucket(client_for):
    # One virtual clock drives both buckets, so the result does not depend on how the
    # scheduler spreads the threads: 150 requests from 6 threads against a bucket of 50
    # must wait (the clock moved) and must never be refused.
    clock = VirtualClock()
    with Emulator(EmulatorConfig(deals=10, limits_enabled=True, time_scale=50), rate_clock=clock) as portal:
        limiter = PortalRateLimiter(time_scale=50, clock=clock, sleep=clock.sleep)
        b24 = client_for(portal, rate_limiter=limiter)

        def work():
            for _ in range(25):
                b24.call("crm.deal.list", PAGE)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _limit_hits(portal) == (0, 0)
        assert portal.counters["requests"] == 150
        # 150 requests through room for 49 at 100 per (virtual) second: at least ~1 s of waiting.
        assert clock.slept >= (150 - 49) / 100 - 1e-9


def test_a_bucket_per_thread_would_overflow_the_portal(client_for):
    # The control for the test above: the same load and clock, but each thread with a
    # limiter of its own, is refused by the portal, so sharing is what keeps it at zero.
    clock = VirtualClock()
    with Emulator(EmulatorConfig(deals=10, limits_enabled=True, time_scale=50), rate_clock=clock) as portal:
        clients = [
            client_for(portal, attempts=1, rate_limiter=PortalRateLimiter(time_scale=50, clock=clock, sleep=clock.sleep))
            for _ in range(6)
        ]
        refused = []

        def work(b24):
            for _ in range(25):
                try:
                    b24.call("crm.deal.list", PAGE)
                except errors.QueryLimitExceeded:
                    refused.append(1)

        threads = [threading.Thread(target=work, args=(b24,)) for b24 in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert _limit_hits(portal)[0] == len(refused) > 0


def test_without_the_limiter_the_same_burst_is_refused(client_for):
    # The portal's bucket runs on a virtual clock that only the client's retry backoff moves,
    # so the burst overflows however slowly the machine sends it, and backoff lets it drain.
    clock = VirtualClock()
    with Emulator(EmulatorConfig(deals=10, limits_enabled=True, time_scale=50), rate_clock=clock) as portal:
        b24 = client_for(portal, limited=False, attempts=20)
        b24.sleep = clock.sleep
        for _ in range(130):
            b24.call("crm.deal.list", PAGE)  # succeeds through retries with backoff
        assert _limit_hits(portal)[0] > 0


def test_a_503_tightens_the_bucket(portal_factory, client_for):
    portal = portal_factory(deals=10, limits_enabled=True, time_scale=50)
    limiter = PortalRateLimiter(time_scale=50)
    b24 = client_for(portal, rate_limiter=limiter)
    b24.call("crm.deal.list", PAGE)
    assert isinstance(limiter.bucket, LeakyBucket)
    assert limiter.bucket.level < 5
    portal.inject("503", "crm.deal.list")
    b24.call("crm.deal.list", PAGE)
    # The portal said "full": we believe it, so the retry waited only until the bucket had room
    # again (capacity 50 less the margin of 10), where without the 503 it stays under 5.
    assert limiter.bucket.level > 30
    assert limiter.bucket.retry_after() > 1 / 100  # and drain slower than the nominal 100 per second


def test_single_calls_slow_down_before_the_operating_limit(portal_factory, client_for):
    # 3 s of operating time per 1 s window (time_scale 60); 60 pages cost about 5.8 s.
    portal = portal_factory(deals=100, limits_enabled=True, operating_limit_seconds=3.0, basket_seconds=6.0, time_scale=60)
    limiter = PortalRateLimiter(operating_limit=3.0, operating_window=60.0, time_scale=60)
    b24 = client_for(portal, rate_limiter=limiter)
    for _ in range(60):
        b24.call("crm.deal.list", PAGE)
    assert _limit_hits(portal) == (0, 0)
    assert limiter.operating.waited > 0


def test_an_export_in_batches_waits_for_the_reset_instead_of_a_429(portal_factory, client_for):
    portal = portal_factory(deals=8_000, limits_enabled=True, operating_limit_seconds=6.0, basket_seconds=6.0, time_scale=60)
    limiter = PortalRateLimiter(operating_limit=6.0, operating_window=60.0, time_scale=60)
    b24 = client_for(portal, rate_limiter=limiter)
    ids = [int(record["ID"]) for record in b24.iterate("crm.deal.list", {"select": ["ID"]}, workers=3)]
    assert sorted(ids) == list(range(1, 8_001))
    assert _limit_hits(portal) == (0, 0)
    assert limiter.operating.waited > 0  # 160 pages are ~15 s of operating time: it had to wait


def test_a_429_waits_until_operating_reset_at(portal_factory, client_for):
    portal = portal_factory(deals=10, limits_enabled=True, time_scale=50)
    b24 = client_for(portal, attempts=2)
    reset_at = time.time() + 0.3
    portal.respond_once(
        "crm.deal.list",
        429,
        {
            "error": "OPERATION_TIME_LIMIT",
            "error_description": "Method is blocked due to operation time limit.",
            "time": {"operating": 481.0, "operating_reset_at": reset_at},
        },
    )
    slept = []
    b24.sleep = lambda seconds: (slept.append(seconds), time.sleep(seconds))
    assert len(b24.call("crm.deal.list", PAGE)) == 10
    assert slept and slept[0] > 0.1  # the reset time, not a blind short backoff
