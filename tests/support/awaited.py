"""A blocking face on `AsyncBitrix24`, so the sync client's behaviour tests also run it.

The tests are written once, against the sync API. For the `async` parameter of the client
fixtures they get an `Awaited` client instead: every call on it is a coroutine run to the
end on one event loop in a background thread, every `async for` becomes a plain iterator
and `async with b24.batch()` a plain `with`. Nothing of the client is replaced: the
coroutines are the ones a user awaits, over the same HTTP to the same emulator. Threads of
a test that call at once put their coroutines on the loop at once, so the async client's
own concurrency (its limiter queues, its pool) is what they exercise.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any

from b24client.runtime.async_batch import AsyncBatch
from b24client.runtime.async_core import AsyncCallCore


class LoopThread:
    """One event loop, run forever in a daemon thread; `run` waits for a coroutine on it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="awaited-loop", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        if threading.current_thread() is self._thread:
            raise RuntimeError("a blocking call from the loop's own thread would deadlock it")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


_shared: LoopThread | None = None
_shared_lock = threading.Lock()


def shared_loop() -> LoopThread:
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LoopThread()
        return _shared


class Awaited:
    """`Awaited(AsyncBitrix24(...))`: the attributes of the async object, their results awaited."""

    def __init__(self, target: Any, loop: LoopThread | None = None) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_loop", loop or shared_loop())

    @property
    def target(self) -> Any:
        """The async object itself, for a test that needs to await it directly."""
        return self._target

    def __getattr__(self, name: str) -> Any:
        if name == "close" and isinstance(self._target, AsyncCallCore):  # the sync client's name for aclose
            return lambda: self._loop.run(self._target.aclose())
        return self._settle(getattr(self._target, name))

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "sleep" and callable(value) and not inspect.iscoroutinefunction(value):
            blocking = value

            async def sleep(seconds: float) -> None:  # a test's fake clock or recording sleep
                await asyncio.to_thread(blocking, seconds)

            value = sleep
        setattr(self._target, name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._settle(self._target(*args, **kwargs))

    def __enter__(self) -> Any:
        return self._settle(self._loop.run(self._target.__aenter__()))

    def __exit__(self, *exc_info: Any) -> None:
        exit_ = self._target.__aexit__
        self._loop.run(exit_(*exc_info))

    def __repr__(self) -> str:
        return f"Awaited({self._target!r})"

    def _settle(self, value: Any) -> Any:
        if inspect.iscoroutine(value):
            return self._settle(self._loop.run(value))
        if isinstance(value, AsyncIterator):
            return _blocking_iterator(value, self._loop)
        if isinstance(value, AsyncBatch | AsyncCallCore) or _is_namespace(value) or _is_bound_method(value):
            return Awaited(value, self._loop)
        return value


def _is_namespace(value: Any) -> bool:
    return type(value).__name__.endswith("Namespace") and type(value).__module__.startswith("b24client.")


def _is_bound_method(value: Any) -> bool:
    return inspect.ismethod(value) or inspect.isfunction(value)


async def _next(items: AsyncIterator[Any]) -> Any:
    return await items.__anext__()  # an awaitable, not always a coroutine: run_coroutine_threadsafe wants one


def _blocking_iterator(items: AsyncIterator[Any], loop: LoopThread) -> Iterator[Any]:
    try:
        while True:
            try:
                yield loop.run(_next(items))
            except StopAsyncIteration:
                return
    finally:
        close: Callable[[], Any] | None = getattr(items, "aclose", None)
        if close is not None:
            loop.run(close())
