"""The sync driver of the call path: what batch, export and the `Client` facade stand on.

callpath.py decides (validate, encode, decode, retry or refresh or raise); this module only
carries those decisions out with a `Transport` and `self.sleep`, so every method, batch and
export alike, goes through one loop. It imports neither batch nor export nor client: they
import it, which keeps the runtime's import graph free of cycles.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from .auth import Auth, OAuthAuth
from .callpath import FAILURES, CallPolicy, PreparedCall, RateLimiter, Refresh, decode
from .response import Response
from .retry import RetryPolicy
from .transport import Transport
from .validate import Problem

if TYPE_CHECKING:
    from .specs import MethodSpec


class CallCore(CallPolicy):
    """One portal's call path: its auth and transport, and the policy every call obeys.

    The policy is plain attributes, read on every call, so they can be changed on a live
    client (tests replace `sleep` with a fake clock): `validate`, `strict`, `retry`,
    `rate_limiter`, `sleep`.
    """

    def __init__(
        self,
        auth: Auth,
        transport: Transport,
        *,
        validate: bool = True,
        strict: bool = False,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        super().__init__(auth, validate=validate, strict=strict, retry=retry, rate_limiter=rate_limiter)
        self._transport = transport
        self.sleep: Callable[[float], None] = time.sleep

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    def call(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Any:
        """Call any REST method by name; parameters are checked when the method has a spec."""
        return self.call_raw(method, params, api_version=api_version).result

    def call_raw(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Response:
        """Like `call`, but return the whole reply: result, total, next and time."""
        spec, checked = self._generic(method, params, api_version)
        return self.execute(method, api_version, checked, spec, ())

    def execute(
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
        """Validate, send, and carry out the retry decisions until there is a reply or an error."""
        call, attempts = self._start(
            method, api_version, params, spec, early_problems, idempotent=idempotent, keywords=keywords, now=time.monotonic()
        )
        while True:
            token = self._auth.body_auth()
            try:
                return self._attempt(call)
            except FAILURES as failure:
                step = self._after(attempts, failure, time.monotonic())
                if step is failure:
                    raise
                if isinstance(step, Exception):
                    raise step from None
            if isinstance(step, Refresh):
                assert isinstance(self._auth, OAuthAuth) and token is not None
                self._auth.refresh(self._transport.session, token, self._transport.timeout)
            else:
                self.sleep(step.seconds)

    def _attempt(self, call: PreparedCall) -> Response:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(call.method)
        status, payload = self._transport.send(call.method, call.api_version, call.body, call.headers)
        if self.rate_limiter is not None and isinstance(payload.get("time"), Mapping):
            self.rate_limiter.observe(call.method, payload["time"])
        return decode(call, status, payload)
