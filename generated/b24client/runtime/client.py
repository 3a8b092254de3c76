"""The one call path every method goes through: validate, send, decode, retry.

Generated functions only map keyword arguments to wire names and call `_invoke`; the
generic `call` does the same for any method name. Keeping a single path means retries,
token refresh, rate limiting and error mapping behave identically for all methods.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, Self, overload

import requests

from . import specs
from .auth import DEFAULT_TOKEN_URL, Auth, OAuthAuth, TokenCallback, WebhookAuth
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
from .transport import DEFAULT_MAX_REPLY_BYTES, Timeout, Transport
from .validate import Problem, check, wire_params

if TYPE_CHECKING:
    from .batch import Batch, BatchResult, Command, Label
    from .export import Paging, Strategy

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

    def __init__(
        self,
        webhook: str | None = None,
        *,
        domain: str | None = None,
        access_token: str | None = None,
        refresh_token: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        on_token_refresh: TokenCallback | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        timeout: Timeout = (3.05, 60.0),
        validate: bool = True,
        retry: RetryPolicy | None = None,
        rate_limiter: RateLimiter | None = None,
        rate_limit: bool = True,
        enterprise: bool = False,
        session: requests.Session | None = None,
        pool_size: int = 16,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        attempt_timeout: float | None = None,
        strict: bool = False,
        auth: Auth | None = None,
    ) -> None:
        """`rate_limiter=None` with `rate_limit=True` (the default) keeps to the portal's
        documented limits: 50 requests and 2 per second, or 250 and 5 with `enterprise=True`,
        plus each method's operating-time budget. `rate_limit=False` turns that off.
        `max_reply_bytes` (32 MiB) caps one reply and `attempt_timeout` (connect plus read
        timeout) the whole of one exchange.

        `strict=True` refuses parameters a method's spec does not document; by default they
        are sent (the portal ignores names it does not know) with an UnknownParameterWarning,
        and only a name that looks like a typo of a documented one is refused.

        `auth=` takes a ready `Auth` instead of credentials (tokens kept in a shared
        `TokenStore`: b24client.runtime.inbound.portal_client)."""
        if auth is not None:
            if webhook is not None or domain is not None or access_token is not None:
                raise ValueError("pass auth= or credentials (webhook=, domain=, access_token=), not both")
        elif webhook is not None:
            if domain is not None or access_token is not None:
                raise ValueError("pass either webhook= or OAuth credentials (domain=, access_token=), not both")
            auth = WebhookAuth(webhook)
        elif domain is not None and access_token is not None:
            auth = OAuthAuth(
                domain,
                access_token,
                refresh_token,
                client_id=client_id,
                client_secret=client_secret,
                on_token_refresh=on_token_refresh,
                token_url=token_url,
            )
        else:
            raise ValueError("pass webhook=, or domain= and access_token= for OAuth")
        self._auth = auth
        self._transport = Transport(
            auth,
            timeout=timeout,
            session=session,
            pool_size=pool_size,
            max_reply_bytes=max_reply_bytes,
            attempt_timeout=attempt_timeout,
        )
        self.validate = validate
        self.strict = strict
        self.retry = retry if retry is not None else RetryPolicy()
        if rate_limiter is None and rate_limit:
            from .ratelimit import standard_limiter

            rate_limiter = standard_limiter(enterprise)
        self.rate_limiter = rate_limiter
        self.sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._auth!r})"

    def __enter__(self) -> Self:
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
        if params is not None and not isinstance(params, Mapping):
            raise ValidationError(
                method, [Problem(method, "", "type", f"parameters must be a mapping, got {type(params).__name__}")]
            )
        return self._execute(method, api_version, dict(params or {}), spec, ())

    @overload
    def batch(self, commands: None = None, *, halt: bool = False, raise_on_error: bool = True) -> Batch: ...
    @overload
    def batch(
        self, commands: Mapping[Label, Command] | Sequence[Command], *, halt: bool = False, raise_on_error: bool = True
    ) -> BatchResult: ...

    def batch(
        self,
        commands: Mapping[Label, Command] | Sequence[Command] | None = None,
        *,
        halt: bool = False,
        raise_on_error: bool = True,
    ) -> Batch | BatchResult:
        """Run many calls in few requests (see docs/bulk.md).

        With commands, `{label: (method, params)}` or `[(method, params), ...]`, run them now
        and return the results by label. Without, return a `Batch` to fill, as a context
        manager that runs it on exit. A partial failure raises `BatchError` (which holds the
        successes too) unless `raise_on_error=False`.
        """
        from . import batch as batching

        if commands is None:
            return batching.Batch(self, halt=halt, raise_on_error=raise_on_error)
        return batching.from_commands(self, commands, halt=halt, raise_on_error=raise_on_error).execute()

    def iterate(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        strategy: Strategy = "auto",
        workers: int = 4,
        ordered: bool | None = None,
        progress: bool | None = None,
        paging: Paging | Mapping[str, Any] | None = None,
        api_version: int = 2,
    ) -> Iterator[dict[str, Any]]:
        """Every record of a list method, lazily and with bounded memory (see docs/bulk.md).

        `ordered` (default: whether `params` gives an order) keeps the records in that order
        when parallel workers fetch id ranges; `progress` shows a bar (default: on a terminal).
        """
        from . import export
        from . import progress as bars

        pages = export.iterate_pages(
            self, method, params, strategy=strategy, workers=workers, ordered=ordered, paging=paging, api_version=api_version
        )
        bar = bars.make(progress, method)
        try:
            for page in pages:
                bar.update(len(page))
                yield from page
        finally:
            bar.close()
            pages.close()

    # -- used by generated code ---------------------------------------------------------

    def _invoke(self, method_id: str, kwargs: Mapping[str, Any]) -> Any:
        spec = specs.get(method_id)
        assert spec is not None, method_id
        params, unknown = wire_params(spec, kwargs)
        return self._execute(spec["method"], spec["api_version"], params, spec, unknown, keywords=spec["kwargs"]).result

    # -- the call path ------------------------------------------------------------------

    def _execute(
        self,
        method: str,
        api_version: int,
        params: dict[str, Any],
        spec: specs.MethodSpec | None,
        early_problems: Iterable[Problem],
        *,
        idempotent: bool | None = None,
        keywords: Mapping[str, str] | None = None,
    ) -> Response:
        """`idempotent` overrides the spec's flag (batch: safe only when every command is);
        `keywords` names problems by the keyword arguments a typed call used."""
        problems = list(early_problems)
        if self.validate and spec is not None:
            problems += self.check(spec, params)
        if problems:
            raise ValidationError(method, problems, keywords)
        body = encode_params(method, params)
        if idempotent is None:
            idempotent = spec["idempotent"] if spec is not None else guess_idempotent(method)
        # REST v3 stores a write's reply under its Idempotency-Key: repeating it with the same
        # key and body replays the reply instead of running the write twice (rest-v3.md).
        headers = {"Idempotency-Key": os.urandom(16).hex()} if api_version == 3 and not idempotent else None
        repeatable = idempotent or headers is not None
        deadline = time.monotonic() + self.retry.deadline
        refreshed = False
        attempt = 0
        while True:
            token = self._auth.body_auth()
            wait: float | None = None
            try:
                return self._attempt(method, api_version, body, spec, headers)
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
                if exc.sent is not False and not repeatable:
                    raise OutcomeUnknownError(
                        method, f"{exc.reason}; the portal may have run the call, so it was not repeated", sent=None
                    ) from None
                failure = exc
            except ResponseFormatError as exc:
                if not repeatable or isinstance(exc, ReplyTooLargeError):
                    if idempotent:
                        raise
                    raise OutcomeUnknownError(
                        method,
                        f"HTTP {exc.status} with an unreadable body; the portal may have run the call, so it was not repeated",
                        sent=None,
                    ) from None
                failure = exc
            attempt += 1
            delay = self.retry.delay(attempt - 1) if wait is None else wait
            if attempt >= self.retry.attempts or time.monotonic() + delay > deadline:
                raise failure
            self.sleep(delay)

    def check(self, spec: specs.MethodSpec, params: Mapping[str, Any], where: str = "") -> list[Problem]:
        """The validation problems of one call under this client's policy; undocumented names
        that pass are announced with an UnknownParameterWarning (`where` prefixes their paths)."""
        checked = check(spec, params, strict=self.strict)
        if checked.unknown:
            names = ", ".join(where + name for name in checked.unknown)
            warnings.warn(
                UnknownParameterWarning(f"{spec['method']}: {names} not documented for this method; sent as given"), stacklevel=4
            )
        return checked.problems

    def _should_refresh(self, exc: ApiError, refreshed: bool) -> bool:
        return exc.code == "expired_token" and not refreshed and isinstance(self._auth, OAuthAuth) and self._auth.can_refresh

    def _attempt(
        self, method: str, api_version: int, body: bytes, spec: specs.MethodSpec | None, headers: Mapping[str, str] | None = None
    ) -> Response:
        if self.rate_limiter is not None:
            self.rate_limiter.acquire(method)
        status, payload = self._transport.send(method, api_version, body, headers)
        if self.rate_limiter is not None and isinstance(payload.get("time"), Mapping):
            self.rate_limiter.observe(method, payload["time"])
        if "error" in payload and "result" in payload and status < 400:
            raise ResponseFormatError(method, status, "a reply that carries both result and error")
        if "error" in payload or status >= 400:
            raise api_error(method, spec, status, payload)
        return Response.from_payload(method, status, payload)
