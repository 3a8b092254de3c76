"""The `Client` facade: credentials in, the generic entry points and the generated namespaces out.

Everything a call does (validate, encode, send, decode, retry) lives in the call-path core
(core.py drives callpath.py); batch and export stand on that core too. This module only
builds the core from credentials and adds what users reach for: `call`, `call_raw`,
`batch`, `iterate`, and `_invoke`, the entry point of the generated functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

import requests

from . import specs
from .auth import DEFAULT_TOKEN_URL, Auth, TokenCallback
from .callpath import RateLimiter, guess_idempotent
from .core import CallCore
from .credentials import auth_from, limiter_from
from .retry import RetryPolicy
from .transport import DEFAULT_MAX_REPLY_BYTES, Timeout, Transport
from .validate import wire_params

if TYPE_CHECKING:
    from .batch import Batch, BatchResult, Command, Label
    from .export import Paging, Strategy

__all__ = ["Client", "RateLimiter", "guess_idempotent"]  # the last two moved to callpath.py; kept importable here


class Client(CallCore):
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
        auth = auth_from(
            webhook,
            domain=domain,
            access_token=access_token,
            refresh_token=refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            on_token_refresh=on_token_refresh,
            token_url=token_url,
            auth=auth,
        )
        transport = Transport(
            auth,
            timeout=timeout,
            session=session,
            pool_size=pool_size,
            max_reply_bytes=max_reply_bytes,
            attempt_timeout=attempt_timeout,
        )
        limiter = limiter_from(rate_limiter, rate_limit, enterprise)
        super().__init__(auth, transport, validate=validate, strict=strict, retry=retry, rate_limiter=limiter)

    # -- what users reach for beyond one call ---------------------------------------

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
        return self.execute(spec["method"], spec["api_version"], params, spec, unknown, keywords=spec["kwargs"]).result
