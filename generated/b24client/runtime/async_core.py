"""The async driver of the call path: the decisions of callpath.py, carried out with awaits.

Validation, encoding, decoding, error mapping and the retry/refresh decisions are the very
functions the sync driver (core.py) uses; only sending (an `AsyncTransport`) and sleeping
(`asyncio.sleep`) differ. The rate limiter is the sync client's own (its bucket is shared
by threads, tasks and, with Redis, processes alike); its waits are awaited on the loop
(async_limits.py). The OAuth refresh runs in a worker thread, one task at a time per
client: the auth's lock makes it single-flight across threads, and a refused refresh is
remembered there, so every task waiting on it gets the same error without asking again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from .async_limits import LoopWaiter
from .auth import Auth, OAuthAuth
from .callpath import FAILURES, CallPolicy, PreparedCall, RateLimiter, Refresh, decode
from .response import Response
from .retry import RetryPolicy
from .validate import Problem

if TYPE_CHECKING:
    from .async_transport import AsyncTransport
    from .specs import MethodSpec


class AsyncCallCore(CallPolicy):
    """One portal's call path for asyncio; the same policy attributes as `CallCore`, with
    `sleep` an async function."""

    def __init__(
        self,
        auth: Auth,
        transport: AsyncTransport,
        *,
        validate: bool = True,
        strict: bool = False,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(auth, validate=validate, strict=strict, retry=retry, rate_limiter=rate_limiter)
        self._transport = transport
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._refresh_session: Any = None  # a requests.Session for the token endpoint, made on first refresh
        self._refreshing: asyncio.Lock | None = None  # made in the loop that first needs it
        self.limits = LoopWaiter()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()
        if self._refresh_session is not None:
            self._refresh_session.close()

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Any:
        """Call any REST method by name; parameters are checked when the method has a spec."""
        return (await self.call_raw(method, params, api_version=api_version)).result

    async def call_raw(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Response:
        """Like `call`, but return the whole reply: result, total, next and time."""
        spec, checked = self._generic(method, params, api_version)
        return await self.execute(method, api_version, checked, spec, ())

    async def execute(
        self,
        method: str,
        api_version: int,
        params: dict[str, Any],
        spec: MethodSpec | None,
        early_problems: Iterable[Problem],
        *,
        idempotent: bool | None = None,
        keywords: Mapping[str, str] | None = None,
    ) -> Response:
        """Validate (before anything is awaited), send, and carry out the retry decisions."""
        call, attempts = self._start(
            method, api_version, params, spec, early_problems, idempotent=idempotent, keywords=keywords, now=time.monotonic()
        )
        while True:
            token = self._auth.body_auth()
            try:
                return await self._attempt(call)
            except FAILURES as failure:
                step = self._after(attempts, failure, time.monotonic())
                if step is failure:
                    raise
                if isinstance(step, Exception):
                    raise step from None
            if isinstance(step, Refresh):
                await self._refresh(token)
            else:
                await self.sleep(step.seconds)

    async def _refresh(self, token: str | None) -> None:
        assert isinstance(self._auth, OAuthAuth) and token is not None
        if self._refresh_session is None:
            import requests

            self._refresh_session = requests.Session()
        if self._refreshing is None:
            self._refreshing = asyncio.Lock()
        async with self._refreshing:  # the rest find the token replaced (or refused) and return at once
            await asyncio.to_thread(self._auth.refresh, self._refresh_session, token, self._transport.timeout)

    async def _attempt(self, call: PreparedCall) -> Response:
        limiter = self.rate_limiter
        slots = self._transport.slots
        # Most calls are admitted at once, with a connection free and nothing awaited in
        # between; the rest queue for the budget, then a connection, then the bucket.
        queued = limiter if limiter is not None and (slots.locked() or not self.limits.admit(limiter, call.method)) else None
        if queued is not None:
            await self.limits.ready(queued, call.method)
        async with slots:
            if queued is not None:
                # Counted by the bucket only once a connection is ours: a request counted, then
                # queued behind the pool, would reach the portal late, in a bunch with later ones.
                await self.limits.acquire(queued, call.method)
            status, payload = await self._transport.send(call.method, call.api_version, call.body, call.headers)
        if limiter is not None and isinstance(payload.get("time"), Mapping):
            limiter.observe(call.method, payload["time"])
        return decode(call, status, payload)
