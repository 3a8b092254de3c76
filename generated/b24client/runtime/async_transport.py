"""One HTTP exchange with the portal over httpx, for the async client (the `async` extra).

Why httpx: it is what stripe-python chose for its async client; one library serves sync and
async with the same API; its pool is plain HTTP/1.1 keep-alive (what the portal speaks) with
limits we can set; and it is well kept. Only this module imports it, and nothing imports this
module until an `AsyncBitrix24` is made, so `import b24client` never pays for it.

Failures are classified as in transport.py: `sent=False` only when the request surely never
left (no connection), `sent=None` once it may have. The body is decoded by the same
`json_object`, so both clients see the same replies the same way.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Mapping
from typing import Any

try:
    import httpx  # pyright: ignore[reportMissingImports]  (optional: the `async` extra)
except ModuleNotFoundError as missing:  # say which extra brings it, not only which module is absent
    raise ModuleNotFoundError("AsyncBitrix24 needs httpx: pip install 'b24client[async]'", name="httpx") from missing

from .auth import Auth
from .encoding import with_auth
from .exceptions import Bitrix24Error, TransportError
from .redact import guard_library_logs, redact, redact_url_shapes
from .transport import DEFAULT_MAX_REPLY_BYTES, HEADERS, ReplyBody, Timeout, json_object, whole_seconds


def _httpx_timeout(timeout: Timeout) -> httpx.Timeout:
    connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    return httpx.Timeout(read, connect=connect)


class AsyncTransport:
    """`max_reply_bytes` and `attempt_timeout` mean what they mean for `Transport`."""

    def __init__(
        self,
        auth: Auth,
        *,
        timeout: Timeout = (3.05, 60.0),
        client: httpx.AsyncClient | None = None,
        pool_size: int = 16,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        attempt_timeout: float | None = None,
    ) -> None:
        self.auth = auth
        self.timeout = timeout
        self.client = client or httpx.AsyncClient(
            limits=httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size),
            timeout=_httpx_timeout(timeout),
            follow_redirects=False,
        )
        self.max_reply_bytes = max_reply_bytes
        # One per pooled connection: the call path takes a slot before the rate limiter counts
        # a request, so every counted request is sent at once (async_core.py).
        self.slots = asyncio.Semaphore(pool_size)
        self.attempt_timeout = attempt_timeout if attempt_timeout is not None else whole_seconds(timeout)
        # httpx parses a string URL on every request (about a twentieth of a call to a nearby
        # portal); a client calls few methods, so each method's parsed URL is kept.
        self._url = functools.lru_cache(maxsize=4096)(httpx.URL)
        guard_library_logs(auth)

    async def send(
        self, method: str, api_version: int, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST one call; return the status and the JSON object."""
        token = self.auth.body_auth()
        data = with_auth(body, token) if token else body
        request = self.client.build_request(
            "POST", self._url(self.auth.url_for(method, api_version)), content=data, headers={**HEADERS, **(headers or {})}
        )
        started = time.perf_counter()
        failure: Bitrix24Error | None = None
        try:
            reply = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            failure = self._failed(method, exc, False if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout) else None)
        if failure is not None:  # raised out here, so no library exception (URL and all) is its context
            raise failure
        try:
            status, raw = await self._read(method, reply, started)
        finally:
            await reply.aclose()
        return status, json_object(method, status, raw, self.auth)

    async def _read(self, method: str, reply: httpx.Response, started: float) -> tuple[int, bytes]:
        body = ReplyBody(method, reply.status_code, self, started)
        body.check_head(reply.headers.get("Location", ""), reply.headers.get("Content-Length", ""))
        failure: Bitrix24Error | None = None
        try:
            async for chunk in reply.aiter_bytes():
                if not body.take(chunk):
                    break
        except (httpx.HTTPError, OSError) as exc:
            failure = self._failed(method, exc, None)
        if failure is not None:
            raise failure
        return reply.status_code, body.whole()

    def _failed(self, method: str, exc: Exception, sent: bool | None) -> TransportError:
        reason = redact_url_shapes(redact(f"{type(exc).__name__}: {exc}", self.auth.secrets()))
        return TransportError(method, reason, sent=sent)

    async def aclose(self) -> None:
        await self.client.aclose()
