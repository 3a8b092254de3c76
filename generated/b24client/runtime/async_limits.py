"""Waiting for the rate limiter on the event loop instead of in a thread.

The limiter's state (ratelimit.py) is shared by threads, tasks and, with Redis, processes;
only the waiting differs. A `Polled` limiter says how long to wait and the task awaits that
on the loop, so 1,000 waiting calls cost 1,000 sleeping tasks, not 1,000 threads (the
default executor has a handful, and the loop's own DNS lookups queue behind them).

Tasks of one method wait in line behind an `asyncio.Lock`: when the budget frees, the
first in line asks, not every waiter at once (no thundering herd), and in their order
(FIFO). Different methods do not wait behind each other, as in the portal.

A limiter of the user's own that only has the blocking `acquire`/`hold` still works: it
waits in a worker thread. The Redis bucket's `take` is one round trip made on the loop
(Redis answers in well under a millisecond on a nearby host).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeGuard, TypeVar

from .callpath import RateLimiter
from .ratelimit import BatchAware, Polled, WaitKind

_MAX_WAITS = 100_000
_POLLED: dict[type, bool] = {}
T = TypeVar("T")


def _polled(limiter: object) -> TypeGuard[Polled]:
    """`isinstance(limiter, Polled)`, remembered per class: a runtime protocol check walks
    the protocol's members each time, a cost every call would pay twice."""
    kind = type(limiter)
    known = _POLLED.get(kind)
    if known is None:
        known = _POLLED[kind] = isinstance(limiter, Polled)
    return known


class LoopWaiter:
    """One client's queues for its limiter; made on the client, used from any of its tasks."""

    def __init__(self) -> None:
        self._lines: dict[str, asyncio.Lock] = {}

    def _line(self, method: str) -> asyncio.Lock:
        key = method.lower()  # "" is the bucket's line, "batch" the batches' operating line
        line = self._lines.get(key)
        if line is None:
            line = self._lines[key] = asyncio.Lock()
        return line

    def admit(self, limiter: RateLimiter, method: str) -> bool:
        """Count a request of `method` at once if nobody waits ahead of it and neither the
        method's budget nor the bucket asks for a wait: `ready` then `acquire` without an
        await, as most calls find them. False (nothing counted) sends it the long way."""
        if not _polled(limiter) or self._line(method).locked() or self._line("").locked():
            return False
        return limiter.ready(method) <= 0 and limiter.take() <= 0

    async def ready(self, limiter: RateLimiter, method: str) -> None:
        """Until `method`'s operating budget has room; nothing is counted yet."""
        if _polled(limiter):
            await self._operating(limiter, method)

    async def acquire(self, limiter: RateLimiter, method: str) -> None:
        """Until a request of `method` may go now; it is counted when this returns. The
        order of `PortalRateLimiter.acquire`: the method's operating budget, then the bucket
        (one line for every method: the portal has one bucket)."""
        if _polled(limiter):
            await self._operating(limiter, method)
            await self._poll(limiter, "bucket", self._line(""), lambda: (limiter.take(), None))
        else:
            await asyncio.to_thread(limiter.acquire, method)

    async def _operating(self, limiter: Polled, method: str) -> None:
        await self._poll(limiter, "operating", self._line(method), lambda: (limiter.ready(method), None))

    async def _poll(self, limiter: Polled, kind: WaitKind, line: asyncio.Lock, ask: Callable[[], tuple[float, T]]) -> T:
        """Ask until the wait is 0, then return what was granted; waiting tasks keep `line`'s order."""
        if not line.locked():  # nobody is waiting in this line: none to keep
            wait, granted = ask()
            if wait <= 0:
                return granted  # the common case: no lock, no await
        async with line:
            for _ in range(_MAX_WAITS):
                wait, granted = ask()
                if wait <= 0:
                    return granted
                await _wait(limiter, wait)
                limiter.note_wait(kind, wait)
        raise RuntimeError(f"rate limiter could not grant {kind} time")  # pragma: no cover

    @asynccontextmanager
    async def hold(self, limiter: RateLimiter | None, counts: Mapping[str, int]) -> AsyncIterator[None]:
        """A batch's operating budget, held from before its request until its reply."""
        if _polled(limiter):
            held = await self._poll(limiter, "operating", self._line("batch"), lambda: limiter.try_hold(counts))
            try:
                yield
            finally:
                limiter.release(held)
        elif isinstance(limiter, BatchAware):
            context: Any = limiter.hold(counts)
            await asyncio.to_thread(context.__enter__)
            try:
                yield
            finally:
                context.__exit__(None, None, None)
        else:
            yield


async def _wait(limiter: object, seconds: float) -> None:
    """On the loop; a limiter given a sleep of its own (a test's virtual clock) waits with it."""
    own = getattr(limiter, "sleep", time.sleep)
    if own is time.sleep:
        await asyncio.sleep(seconds)
    else:
        own(seconds)
        await asyncio.sleep(0)
