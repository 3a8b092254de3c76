"""Per-call overhead: a generated b24client call against a bare `requests.Session.post`,
and an `AsyncBitrix24` call against a bare `httpx.AsyncClient.post` (the library it sends with).

Both hit the same method of the same portal (limits off, so neither waits), one call
of each in turn so drift in the machine's speed touches both equally; the figure is
the ratio of the median times. Our side runs the whole call path: keyword mapping,
validation against the spec, JSON encoding, the rate limiter's bookkeeping (a limiter
too large to ever wait), decoding and error checks.

A third arm, our transport's `send` of the same prepared call, splits the figure in two:
what our call path adds above the transport, and what the transport saves or costs
against the bare library call (it resolves proxies once per origin, and keeps parsed
URLs, where the libraries redo both on every request).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator

import requests

from b24client import Bitrix24
from b24client.runtime import specs
from b24client.runtime.ratelimit import PortalRateLimiter
from b24client.runtime.validate import wire_params

METHOD = "sale.paysystem.list"
ARMS = ("ours", "bare", "transport")
WARMUP = 200  # rounds that warm connections and caches, not kept


def _rounds(calls: int) -> Iterator[tuple[str, bool]]:
    """Each arm once per round, the order rotating so every arm sees the same machine; with
    whether the round's time is kept."""
    for index in range(WARMUP + calls):
        for name in ARMS[index % 3 :] + ARMS[: index % 3]:
            yield name, index >= WARMUP


def _prepared(b24: object) -> object:
    """The call our `b24.sale.paysystem.list()` sends, prepared as its call path prepares it."""
    spec = specs.get(METHOD)
    assert spec is not None
    params, unknown = wire_params(spec, {})
    call, _ = b24._start(METHOD, 2, params, spec, unknown, idempotent=None, keywords=spec["kwargs"], now=time.monotonic())  # type: ignore[attr-defined]
    return call


def _limiter() -> PortalRateLimiter:
    return PortalRateLimiter(capacity=10**9, drain_per_second=1e9)


def measure(webhook_url: str, calls: int = 3000) -> dict[str, float]:
    b24 = Bitrix24(webhook=webhook_url, rate_limiter=_limiter())
    session = requests.Session()
    url = webhook_url + METHOD
    call = _prepared(b24)

    def bare_call() -> object:
        reply = session.post(url, json={}, timeout=30)
        reply.raise_for_status()
        return reply.json()["result"]

    arms: dict[str, Callable[[], object]] = {
        "ours": lambda: b24.sale.paysystem.list(),
        "bare": bare_call,
        "transport": lambda: b24._transport.send(call.method, call.api_version, call.body, call.headers)[1]["result"],  # type: ignore[attr-defined]
    }
    assert arms["ours"]() == arms["bare"]() == arms["transport"]()
    times: dict[str, list[float]] = {name: [] for name in ARMS}
    for name, kept in _rounds(calls):
        started = time.perf_counter()
        arms[name]()
        if kept:
            times[name].append(time.perf_counter() - started)
    b24.close()
    session.close()
    return _figures(times)


def measure_async(webhook_url: str, calls: int = 3000) -> dict[str, float]:
    """The same arms on one event loop: `await b24.sale.paysystem.list()`, a bare post, our transport."""
    return asyncio.run(_measure_async(webhook_url, calls))


async def _measure_async(webhook_url: str, calls: int) -> dict[str, float]:
    import httpx

    from b24client import AsyncBitrix24

    url = webhook_url + METHOD
    async with AsyncBitrix24(webhook=webhook_url, rate_limiter=_limiter()) as b24, httpx.AsyncClient(timeout=30) as session:
        call = _prepared(b24)

        async def our_call() -> object:
            return await b24.sale.paysystem.list()

        async def bare_call() -> object:
            reply = await session.post(url, json={})
            reply.raise_for_status()
            return reply.json()["result"]

        async def transport_call() -> object:
            return (await b24._transport.send(call.method, call.api_version, call.body, call.headers))[1]["result"]  # type: ignore[attr-defined]

        arms: dict[str, Callable[[], Awaitable[object]]] = {"ours": our_call, "bare": bare_call, "transport": transport_call}
        assert await our_call() == await bare_call() == await transport_call()
        times: dict[str, list[float]] = {name: [] for name in ARMS}
        for name, kept in _rounds(calls):
            started = time.perf_counter()
            await arms[name]()
            if kept:
                times[name].append(time.perf_counter() - started)
    return _figures(times)


def _figures(times: dict[str, list[float]]) -> dict[str, float]:
    ours, bare, transport = (statistics.median(times[name]) for name in ARMS)
    return {
        "ours_ms": ours * 1000,
        "bare_ms": bare * 1000,
        "transport_ms": transport * 1000,
        "ratio": ours / bare,
        "call_path_us": (ours - transport) * 1e6,
        "transport_vs_bare_us": (transport - bare) * 1e6,
        "calls": float(len(times["ours"])),
    }
