"""`AsyncClient`, the runtime of `AsyncBitrix24`: the same credentials, validation, errors
and retries as `Client`, awaited. Needs the `async` extra (httpx); `import b24client` does
not import it.

The generated namespaces (b24client/api_async/, one `async def` per method, typed as the sync
ones are) map keyword arguments and await `_invoke`, which checks, sends and decodes on the
async core. b24client/async_client.py adds them to this class as `AsyncBitrix24`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
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


class AsyncClient(AsyncCallCore):
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

    async def _invoke(self, method_id: str, kwargs: Mapping[str, Any]) -> Any:
        """What the generated functions await: check, send, decode (`Client._invoke`, awaited)."""
        spec = specs.get(method_id)
        assert spec is not None, method_id
        params, unknown = wire_params(spec, kwargs)
        return (await self.execute(spec["method"], spec["api_version"], params, spec, unknown, keywords=spec["kwargs"])).result

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
