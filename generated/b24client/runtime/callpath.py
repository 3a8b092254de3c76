"""The pure half of one call: what to send, and what to do with what came back.

In the sans-I/O style of h11 and httpcore, nothing here sends, sleeps or reads a clock:
`prepare` turns checked parameters into a `PreparedCall` (body, headers, whether it may be
repeated), `decode` turns a status and JSON object into a `Response` or a typed error, and
`Attempts` decides, for each failure, whether to refresh the token, sleep and try again, or
raise. A driver (core.py for the sync client; an async one can share all of this) does the
sending and the sleeping, so retries, refresh and error mapping cannot drift between them.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from . import specs
from .auth import Auth, OAuthAuth
from .encoding import encode_params
from .errormap import api_error
from .exceptions import (
    ApiError,
    Bitrix24Error,
    OutcomeUnknownError,
    RateLimitError,
    ReplyTooLargeError,
    ResponseFormatError,
    TransportError,
    UnknownParameterWarning,
    ValidationError,
)
from .response import Response
from .retry import TRANSIENT_STATUSES, RetryPolicy
from .validate import Problem, check

if TYPE_CHECKING:
    from .specs import MethodSpec

_READ_SUFFIXES = ("get", "list", "fields", "getlist", "search", "count")
FAILURES = (ApiError, TransportError, ResponseFormatError)
"""What an attempt may end in that `Attempts.after` decides about; anything else propagates."""


class RateLimiter(Protocol):
    """What the call path asks of a rate limiter (see runtime/ratelimit.py)."""

    def acquire(self, method: str) -> None: ...
    def observe(self, method: str, time_block: Mapping[str, Any]) -> None: ...
    def limited(self, method: str, error: RateLimitError) -> float: ...


def guess_idempotent(method: str) -> bool:
    """For methods without a spec: only names that read are treated as safe to repeat."""
    return method.rsplit(".", 1)[-1].lower() in _READ_SUFFIXES


def policy_problems(spec: MethodSpec, params: Mapping[str, Any], *, strict: bool, where: str, stacklevel: int) -> list[Problem]:
    """The validation problems of one call under a client's policy; undocumented names that
    pass are announced with an UnknownParameterWarning (`where` prefixes their paths)."""
    checked = check(spec, params, strict=strict)
    if checked.unknown:
        names = ", ".join(where + name for name in checked.unknown)
        warnings.warn(
            UnknownParameterWarning(f"{spec['method']}: {names} not documented for this method; sent as given"),
            stacklevel=stacklevel + 1,
        )
    return checked.problems


class PreparedCall(NamedTuple):
    """Everything a driver needs to send one call, and to judge whether it may send it again."""

    method: str
    api_version: int
    body: bytes
    spec: MethodSpec | None
    headers: Mapping[str, str] | None
    idempotent: bool
    repeatable: bool  # idempotent, or a REST v3 write the portal deduplicates by its key


def prepare(
    method: str,
    api_version: int,
    params: Mapping[str, Any],
    spec: MethodSpec | None,
    problems: Iterable[Problem],
    *,
    idempotent: bool | None = None,
    keywords: Mapping[str, str] | None = None,
) -> PreparedCall:
    """Refuse the call on any problem (all at once), else encode it. `idempotent` overrides
    the spec's flag (batch: safe only when every command is); `keywords` names problems by
    the keyword arguments a typed call used."""
    problems = list(problems)
    if problems:
        raise ValidationError(method, problems, keywords)
    body = encode_params(method, params)
    safe: bool = idempotent if idempotent is not None else spec["idempotent"] if spec is not None else guess_idempotent(method)
    # REST v3 stores a write's reply under its Idempotency-Key: repeating it with the same
    # key and body replays the reply instead of running the write twice (rest-v3.md).
    headers = {"Idempotency-Key": os.urandom(16).hex()} if api_version == 3 and not safe else None
    return PreparedCall(method, api_version, body, spec, headers, safe, safe or headers is not None)


def decode(call: PreparedCall, status: int, payload: dict[str, Any]) -> Response:
    """The reply as a Response, or the typed error it carries (raised)."""
    if "error" in payload and "result" in payload and status < 400:
        raise ResponseFormatError(call.method, status, "a reply that carries both result and error")
    if "error" in payload or status >= 400:
        raise api_error(call.method, call.spec, status, payload)
    return Response.from_payload(call.method, status, payload)


class Refresh:
    """Step: refresh the access token, then try again at once."""


REFRESH = Refresh()


class Sleep(NamedTuple):
    """Step: wait this long, then try again."""

    seconds: float


Step = Refresh | Sleep | Bitrix24Error
"""What to do after a failed attempt; an exception means raise it."""


class Attempts:
    """The retry and refresh state of one call, fed each failure in turn."""

    def __init__(self, call: PreparedCall, policy: RetryPolicy, now: float) -> None:
        self.call = call
        self.policy = policy
        self.deadline = now + policy.deadline
        self.refreshed = False
        self.count = 0

    def after(
        self,
        failure: Bitrix24Error,
        *,
        can_refresh: bool,
        limited: Callable[[str, RateLimitError], float] | None,
        now: float,
    ) -> Step:
        """`can_refresh`: the auth holds what a refresh needs; `limited`: the rate limiter's
        prescribed wait for a limit refusal (None: back off by attempt)."""
        call = self.call
        wait: float | None = None
        if isinstance(failure, ApiError):
            if failure.code == "expired_token" and not self.refreshed and can_refresh:
                self.refreshed = True
                return REFRESH
            if isinstance(failure, RateLimitError):
                wait = limited(call.method, failure) if limited is not None else None
            elif not (call.idempotent and failure.status in TRANSIENT_STATUSES):
                return failure
        elif isinstance(failure, TransportError):
            if failure.sent is not False and not call.repeatable:
                return OutcomeUnknownError(
                    call.method, f"{failure.reason}; the portal may have run the call, so it was not repeated", sent=None
                )
        elif isinstance(failure, ResponseFormatError):
            if not call.repeatable or isinstance(failure, ReplyTooLargeError):
                return failure if call.idempotent else _unreadable(call.method, failure.status)
        return self._backoff(failure, wait, now)

    def _backoff(self, failure: Bitrix24Error, wait: float | None, now: float) -> Step:
        self.count += 1
        delay = self.policy.delay(self.count - 1) if wait is None else wait
        if self.count >= self.policy.attempts or now + delay > self.deadline:
            return failure
        return Sleep(delay)


def _unreadable(method: str, status: int) -> OutcomeUnknownError:
    return OutcomeUnknownError(
        method, f"HTTP {status} with an unreadable body; the portal may have run the call, so it was not repeated", sent=None
    )


class CallPolicy:
    """What both drivers (core.py, async_core.py) share besides the loop: the auth and the
    policy every call obeys, as plain attributes read on every call so they can be changed
    on a live client: `validate`, `strict`, `retry`, `rate_limiter` (and each driver's `sleep`)."""

    def __init__(
        self,
        auth: Auth,
        *,
        validate: bool = True,
        strict: bool = False,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self._auth = auth
        self.validate = validate
        self.strict = strict
        self.retry = retry if retry is not None else RetryPolicy()
        self.rate_limiter = rate_limiter

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._auth!r})"

    def check(self, spec: MethodSpec, params: Mapping[str, Any], where: str = "") -> list[Problem]:
        """The validation problems of one call under this client's policy (see policy_problems)."""
        return policy_problems(spec, params, strict=self.strict, where=where, stacklevel=4)

    def _generic(
        self, method: str, params: Mapping[str, Any] | None, api_version: int
    ) -> tuple[MethodSpec | None, dict[str, Any]]:
        """`call_raw`'s arguments checked: the method's spec (if any) and the parameters as a dict."""
        if params is not None and not isinstance(params, Mapping):
            raise ValidationError(
                method, [Problem(method, "", "type", f"parameters must be a mapping, got {type(params).__name__}")]
            )
        return specs.get(specs.method_id(method, api_version)), dict(params or {})

    def _start(
        self,
        method: str,
        api_version: int,
        params: dict[str, Any],
        spec: MethodSpec | None,
        early_problems: Iterable[Problem],
        *,
        idempotent: bool | None,
        keywords: Mapping[str, str] | None,
        now: float,
    ) -> tuple[PreparedCall, Attempts]:
        """Where both drivers begin a call: checked under this client's policy (every problem
        at once, before anything is sent), prepared, and given its retry state."""
        problems = list(early_problems)
        if self.validate and spec is not None:
            problems += policy_problems(spec, params, strict=self.strict, where="", stacklevel=4)
        call = prepare(method, api_version, params, spec, problems, idempotent=idempotent, keywords=keywords)
        return call, Attempts(call, self.retry, now)

    def _after(self, attempts: Attempts, failure: Bitrix24Error, now: float) -> Step:
        """The decision on a failed attempt, given this client's auth and rate limiter."""
        can_refresh = isinstance(self._auth, OAuthAuth) and self._auth.can_refresh
        limited = self.rate_limiter.limited if self.rate_limiter else None
        return attempts.after(failure, can_refresh=can_refresh, limited=limited, now=now)
