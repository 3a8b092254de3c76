"""Per-call overhead: a generated b24client call against a bare `requests.Session.post`,
and an `AsyncBitrix24` call against a bare `httpx.AsyncClient.post` (the library it sends with).

Both hit the same method of the same portal (limits off, so neither waits), one call
of each in turn so drift in the machine's speed touches both equally; the figure is
the ratio of the median times. Our side runs the whole call path: keyword mapping,
validation against the spec, JSON encoding, the rate limiter's bookkeeping (a limiter
too large to ever wait), decoding and error checks.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import requests

from b24client import Bitrix24
from b24client.runtime.ratelimit import PortalRateLimiter

METHOD = "sale.paysystem.list"


def measure(webhook_url: str, calls: int = 3000) -> dict[str, float]:
    b24 = Bitrix24(webhook=webhook_url, rate_limiter=PortalRateLimiter(capacity=10**9, drain_per_second=1e9))
    session = requests.Session()
    url = webhook_url + METHOD
    ours: list[float] = []
    bare: list[float] = []

    def our_call() -> object:
        return b24.sale.paysystem.list()

    def bare_call() -> object:
        reply = session.post(url, json={}, timeout=30)
        reply.raise_for_status()
        return reply.json()["result"]

    assert our_call() == bare_call()
    for _ in range(200):  # warm both connections and caches
        our_call()
        bare_call()
    pairs = ((our_call, ours), (bare_call, bare))
    for index in range(calls):
        # One of each per step, the order alternating: both see the same machine.
        for call, sink in pairs if index % 2 else pairs[::-1]:
            started = time.perf_counter()
            call()
            sink.append(time.perf_counter() - started)
    b24.close()
    session.close()
    return _figures(ours, bare)


def measure_async(webhook_url: str, calls: int = 3000) -> dict[str, float]:
    """The same pairing on one event loop: `await b24.sale.paysystem.list()` and a bare post."""
    return asyncio.run(_measure_async(webhook_url, calls))


async def _measure_async(webhook_url: str, calls: int) -> dict[str, float]:
    import httpx

    from b24client import AsyncBitrix24

    limiter = PortalRateLimiter(capacity=10**9, drain_per_second=1e9)
    url = webhook_url + METHOD
    ours: list[float] = []
    bare: list[float] = []
    async with AsyncBitrix24(webhook=webhook_url, rate_limiter=limiter) as b24, httpx.AsyncClient(timeout=30) as session:

        async def our_call() -> object:
            return await b24.sale.paysystem.list()

        async def bare_call() -> object:
            reply = await session.post(url, json={})
            reply.raise_for_status()
            return reply.json()["result"]

        assert await our_call() == await bare_call()
        for _ in range(200):
            await our_call()
            await bare_call()
        pairs = ((our_call, ours), (bare_call, bare))
        for index in range(calls):
            for call, sink in pairs if index % 2 else pairs[::-1]:
                started = time.perf_counter()
                await call()
                sink.append(time.perf_counter() - started)
    return _figures(ours, bare)


def _figures(ours: list[float], bare: list[float]) -> dict[str, float]:
    ours_median, bare_median = statistics.median(ours), statistics.median(bare)
    return {
        "ours_ms": ours_median * 1000,
        "bare_ms": bare_median * 1000,
        "ratio": ours_median / bare_median,
        "calls": float(len(ours)),
    }
