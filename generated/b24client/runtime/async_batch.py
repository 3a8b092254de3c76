"""`async with b24.batch() as batch`: the batch plan of batch.py, driven with awaits.

Checking, chunking into requests of 50, references, retries of limit-refused commands and
the honest partial outcome all live in `batch.plan`, which does no I/O; this driver only
awaits each request it asks for and each pause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Self, cast

from .batch import (
    BatchCall,
    BatchResult,
    Command,
    Label,
    Pause,
    Recorder,
    _counts,
    _idempotent,
    _observe,
    _payload,
    _request,
    fill,
    plan,
)
from .exceptions import Bitrix24Error

if TYPE_CHECKING:
    from .async_core import AsyncCallCore


async def arun(client: AsyncCallCore, calls: Sequence[BatchCall], *, halt: bool = False) -> BatchResult:
    """`batch.run` for the async client: the same steps, awaited."""
    steps = plan(client, calls, halt=halt)
    try:
        step = next(steps)
        while True:
            if isinstance(step, Pause):
                await client.sleep(step.seconds)
                step = steps.send(None)
                continue
            try:
                async with client.limits.hold(client.rate_limiter, _counts(step)):
                    payload = _payload(await client.execute(*_request(step), idempotent=_idempotent(step)))
                    _observe(client, step, payload)
            except Bitrix24Error as exc:
                step = steps.throw(exc)
            else:
                step = steps.send(payload)
    except StopIteration as done:
        return cast(BatchResult, done.value)


class AsyncBatch(Recorder):
    """Collects commands, then runs them when awaited with `execute()` or on leaving `async with`."""

    def __init__(self, client: AsyncCallCore, *, halt: bool = False, raise_on_error: bool = True) -> None:
        super().__init__(client, halt=halt, raise_on_error=raise_on_error)
        self._core = client

    def _namespaces(self) -> type:
        from b24client.client import Bitrix24  # the generated namespaces, shared with the sync client

        return Bitrix24

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            await self.execute()

    async def execute(self) -> BatchResult:
        return self._finish(await arun(self._core, self.calls, halt=self.halt))


def from_commands(
    client: AsyncCallCore, commands: Mapping[Label, Command] | Sequence[Command], *, halt: bool, raise_on_error: bool
) -> AsyncBatch:
    return fill(AsyncBatch(client, halt=halt, raise_on_error=raise_on_error), commands)
