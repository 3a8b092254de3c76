"""`AsyncBitrix24`: the same credentials, namespaces, validation, errors and retries as
`Bitrix24`, awaited. Needs the `async` extra (httpx); `import b24client` does not import it.

The generated namespaces are the sync client's own classes: a generated function only maps
keyword arguments and calls `self._client._invoke(...)`, which here returns a coroutine of
the async core instead of a value. Static types of `b24.crm...` are `Any` for now; exact
`Awaitable[...]` types need an async twin of the generated namespaces (not generated yet).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, overload

from . import specs
from .async_core import AsyncCallCore
from .async_transport import AsyncTransport
from .auth import DEFAULT_TOKEN_URL, Auth, TokenCallback
from .callpath import RateLimiter
from .credentials import auth_from, limiter_from
from .retry import RetryPolicy
from .transport import DEFAULT_MAX_REPLY_BYTES, Timeout
from .validate import wire_params

if TYPE_CHECKING:
    from .async_batch import AsyncBatch
    from .batch import BatchResult, Command, Label
    from .export import Paging, Strategy


class AsyncBitrix24(AsyncCallCore):
    """A connection to one portal for asyncio: `await b24.<group>.<...>.<method>(**params)`.

    >>> async with AsyncBitrix24(webhook="https://example.bitrix24.com/rest/1/secret/") as b24:  # doctest: +SKIP
    ...     deal = await b24.crm.deal.get(id=7)
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
        pool_size: int = 16,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        attempt_timeout: float | None = None,
        strict: bool = False,
        auth: Auth | None = None,
    ) -> None:
        """The keyword arguments of `Bitrix24` (but `session=`: httpx keeps its own pool)."""
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
        transport = AsyncTransport(
            auth, timeout=timeout, pool_size=pool_size, max_reply_bytes=max_reply_bytes, attempt_timeout=attempt_timeout
        )
        limiter = limiter_from(rate_limiter, rate_limit, enterprise)
        super().__init__(auth, transport, validate=validate, strict=strict, retry=retry, rate_limiter=limiter)

    def _invoke(self, method_id: str, kwargs: Mapping[str, Any]) -> Coroutine[Any, Any, Any]:
        """What generated functions call: a coroutine that checks, then sends, when awaited."""
        spec = specs.get(method_id)
        assert spec is not None, method_id
        params, unknown = wire_params(spec, kwargs)
        return self._result(self.execute(spec["method"], spec["api_version"], params, spec, unknown, keywords=spec["kwargs"]))

    @staticmethod
    async def _result(pending: Coroutine[Any, Any, Any]) -> Any:
        return (await pending).result

    @overload
    def batch(self, commands: None = None, *, halt: bool = False, raise_on_error: bool = True) -> AsyncBatch: ...
    @overload
    def batch(
        self, commands: Mapping[Label, Command] | Sequence[Command], *, halt: bool = False, raise_on_error: bool = True
    ) -> Coroutine[Any, Any, BatchResult]: ...

    def batch(
        self,
        commands: Mapping[Label, Command] | Sequence[Command] | None = None,
        *,
        halt: bool = False,
        raise_on_error: bool = True,
    ) -> AsyncBatch | Coroutine[Any, Any, BatchResult]:
        """`Bitrix24.batch`, awaited: without commands an `AsyncBatch` for `async with`; with
        them, a coroutine of their results by label."""
        from . import async_batch

        if commands is None:
            return async_batch.AsyncBatch(self, halt=halt, raise_on_error=raise_on_error)
        return async_batch.from_commands(self, commands, halt=halt, raise_on_error=raise_on_error).execute()

    async def iterate(
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
    ) -> AsyncIterator[dict[str, Any]]:
        """`Bitrix24.iterate` for `async for`: `workers` id ranges are fetched by as many tasks."""
        from . import async_export
        from . import progress as bars

        pages = async_export.iterate_pages(
            self, method, params, strategy=strategy, workers=workers, ordered=ordered, paging=paging, api_version=api_version
        )
        bar = bars.make(progress, method)
        try:
            async for page in pages:
                bar.update(len(page))
                for record in page:
                    yield record
        finally:
            bar.close()
            await pages.aclose()

    def __getattr__(self, name: str) -> Any:
        """`b24.crm...`: the generated namespaces of `Bitrix24`, bound to this client."""
        from b24client.client import Bitrix24

        attribute = getattr(Bitrix24, name, None)
        if isinstance(attribute, cached_property):
            namespace = attribute.func(self)  # the namespaces only call _invoke
            self.__dict__[name] = namespace
            return namespace
        raise AttributeError(name)
