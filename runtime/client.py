"""The one call path every method goes through: validate, send, decode, retry.

Generated functions only map keyword arguments to wire names and call `_invoke`; the
generic `call` does the same for any method name. Keeping a single path means retries,
token refresh, rate limiting and error mapping behave identically for all methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import requests

from . import specs
from .auth import DEFAULT_TOKEN_URL, Auth, OAuthAuth, TokenCallback, WebhookAuth
from .errormap import api_error
from .exceptions import (
    ApiError,
    Bitrix24Error,
    OutcomeUnknownError,
    RateLimitError,
    ResponseFormatError,
    TransportError,
    ValidationError,
)
from .response import Response
from .retry import TRANSIENT_STATUSES, RetryPolicy
from .transport import Timeout, Transport
from .validate import Problem, check_params

_READ_SUFFIXES = ("get", "list", "fields", "getlist", "search", "count")


class RateLimiter(Protocol):
    """What the call path asks of a rate limiter (see runtime/ratelimit.py)."""

    def acquire(self, method: str) -> None: ...
    def observe(self, method: str, time_block: Mapping[str, Any]) -> None: ...
    def limited(self, method: str, error: RateLimitError) -> float: ...


def guess_idempotent(method: str) -> bool:
    """For methods without a spec: only names that read are treated as safe to repeat."""
    return method.rsplit(".", 1)[-1].lower() in _READ_SUFFIXES


class Client:
    """Connection to one portal, by webhook or by OAuth tokens.

    >>> b24 = Bitrix24(webhook="https://example.bitrix24.com/rest/1/secret/")  # doctest: +SKIP
    """

    def __init__(self, webhook: str | None = None, *, domain: str | None = None, access_token: str | None = None,
                 refresh_token: str | None = None, client_id: str | None = None, client_secret: str | None = None,
                 on_token_refresh: TokenCallback | None = None, token_url: str = DEFAULT_TOKEN_URL,
                 timeout: Timeout = (3.05, 60.0), validate: bool = True, retry: RetryPolicy | None = None,
                 rate_limiter: RateLimiter | None = None, session: requests.Session | None = None,
                 pool_size: int = 16) -> None:
        auth: Auth
        if webhook is not None:
            if domain is not None or access_token is not None:
                raise ValueError("pass either webhook= or OAuth credentials (domain=, access_token=), not both")
            auth = WebhookAuth(webhook)
        elif domain is not None and access_token is not None:
            auth = OAuthAuth(domain, access_token, refresh_token, client_id=client_id, client_secret=client_secret,
                             on_token_refresh=on_token_refresh, token_url=token_url)
        else:
            raise ValueError("pass webhook=, or domain= and access_token= for OAuth")
        self._auth = auth
        self._transport = Transport(auth, timeout=timeout, session=session, pool_size=pool_size)
        self.validate = validate
        self.retry = retry if retry is not None else RetryPolicy()
        self.rate_limiter = rate_limiter
        self.sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._auth!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._transport.close()

    # -- public generic entry points -------------------------------------------------

    def call(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Any:
        """Call any REST method by name; parameters are checked when the method has a spec."""
        return self.call_raw(method, params, api_version=api_version).result

    def call_raw(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Response:
        """Like `call`, but return the whole reply: result, total, next and time."""
        spec = specs.get(specs.method_id(method, api_version))
        return self._execute(method, api_version, dict(params or {}), spec, ())

    # -- used by generated code ---------------------------------------------------------

    def _invoke(self, method_id: str, kwargs: Mapping[str, Any]) -> Any:
        spec = specs.get(method_id)
        assert spec is not None, method_id
        wire_names: Mapping[str, str] = spec["kwargs"]
        params: dict[str, Any] = {}
        unknown: list[Problem] = []
        for name, value in kwargs.items():
            wire = wire_names.get(name)
            if wire is None:
                unknown.append(Problem(spec["method"], name, "unknown", "is not a keyword argument of this method"))
            else:
                params[wire] = value
        return self._execute(spec["method"], spec["api_version"], params, spec, unknown).result

    # -- the call path ------------------------------------------------------------------

    def _execute(self, method: str, api_version: int, params: dict[str, Any], spec: specs.MethodSpec | None,
                 early_problems: Iterable[Problem]) -> Response:
        problems = list(early_problems)
        if self.validate and spec is not None:
            problems += check_params(spec, params)
        if problems:
            raise ValidationError(method, problems)
        idempotent = spec["idempotent"] if spec is not None else guess_idempotent(method)
        deadline = time.monotonic() + self.retry.deadline
        refreshed = False
        attempt = 0
        while True:
            token = self._auth.body_auth()
            wait: float | None = None
            try:
                return self._attempt(method, api_version, params, spec)
            except ApiError as exc:
                if self._should_refresh(exc, refreshed):
                    assert isinstance(self._auth, OAuthAuth) and token is not None
                    self._auth.refresh(self._transport.session, token, self._transport.timeout)
                    refreshed = True
                    continue
                if isinstance(exc, RateLimitError):
                    wait = self.rate_limiter.limited(method, exc) if self.rate_limiter else None
                elif not (idempotent and exc.status in TRANSIENT_STATUSES):
                    raise
                failure: Bitrix24Error = exc
            except TransportError as exc:
                if exc.sent is not False and not idempotent:
                    raise OutcomeUnknownError(
                        method, f"{exc.args[0].split(': ', 1)[-1]}; the portal may have run the call, "
                        "so it was not repeated", sent=None) from None
                failure = exc
            except ResponseFormatError as exc:
                if not idempotent:
                    raise OutcomeUnknownError(
                        method, f"HTTP {exc.status} with an unreadable body; the portal may have run the call, "
                        "so it was not repeated", sent=None) from None
                failure = exc
            attempt += 1
            delay = self.retry.delay(attempt - 1) if wait is None else wait
            if attempt >= self.retry.attempts or time.monotonic() + delay > deadline:
                raise failure
            self.sleep(delay)

    def _should_refresh(self, exc: ApiError, refreshed: bool) -> bool:
        return (exc.code == "expired_token" and not refreshed and isinstance(self._auth, OAuthAuth)
                and self._auth.can_refresh)

    def _attempt(self, method: str, api_version: int, params: dict[str, Any],
                 spec: specs.MethodSpec | None) -> Response:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(method)
        status, payload = self._transport.send(method, api_version, params)
        if self.rate_limiter is not None and isinstance(payload.get("time"), Mapping):
            self.rate_limiter.observe(method, payload["time"])
        if "error" in payload and "result" not in payload:
            raise api_error(method, spec, status, payload)
        return Response.from_payload(method, status, payload)
