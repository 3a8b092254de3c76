"""`async for record in b24.iterate(...)`: the export of export.py, driven with awaits.

The route (which strategy the method and query allow), the cursor plan, each request's
pages (`_Chain.fill`) and how a reply advances the cursor (`_Chain.absorb`) are export.py's;
only the request is awaited here; offset- and limit-paged lists are export.py's walks, driven
here with awaits. The partitioned strategy's probe and its cut into id ranges are
export.py's too (`probe`, `ranges_after`); its chains run as tasks instead of threads,
feeding bounded `asyncio.Queue`s, so memory stays bounded as in the sync export.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, Any

from .async_batch import AsyncBatch
from .batch import MAX_COMMANDS
from .export import (
    One,
    Paging,
    Record,
    Several,
    Strategy,
    Walk,
    _Chain,
    _Plan,
    _strip,
    limit_walk,
    offset_walk,
    paging_for,
    probe,
    ranges_after,
    records_of,
    route,
)

if TYPE_CHECKING:
    from .async_core import AsyncCallCore


async def afetch(client: AsyncCallCore, chain: _Chain) -> list[list[Record]]:
    """`_Chain.fetch`, awaited: one request of up to 50 chained pages."""
    batch = AsyncBatch(client, halt=True, raise_on_error=False)
    calls = chain.fill(batch)
    outcome = await batch.execute()
    chain.requests += 1
    return chain.absorb(calls, outcome)


async def cursor_pages(client: AsyncCallCore, plan: _Plan) -> AsyncGenerator[list[Record], None]:
    chain = _Chain(client, plan, plan.after, plan.until)
    while not chain.done:
        for page in await afetch(client, chain):
            yield page


async def iterate_pages(
    client: AsyncCallCore,
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    strategy: Strategy = "auto",
    workers: int = 4,
    ordered: bool | None = None,
    paging: Paging | Mapping[str, Any] | None = None,
    api_version: int = 2,
) -> AsyncGenerator[list[Record], None]:
    """Pages of the whole list (see export.iterate_pages)."""
    params = dict(params or {})
    way = route(method, params, strategy, workers, ordered, paging_for(method, api_version, paging), api_version)
    if way.kind == "none":
        yield records_of(method, way.paging, await client.call(method, params, api_version=api_version))
        return
    if way.plan is None:
        walk = limit_walk if way.kind == "limit" else offset_walk
        async for page in walk_pages(client, method, walk(method, params, way.paging), api_version):
            yield page
        return
    plan = way.plan
    pages = partitioned_pages(client, plan, workers, way.ordered) if way.kind == "partitioned" else cursor_pages(client, plan)
    try:
        async for page in pages:
            yield _strip(page, plan)
    finally:
        await pages.aclose()


async def partitioned_pages(
    client: AsyncCallCore, plan: _Plan, workers: int, ordered: bool
) -> AsyncGenerator[list[Record], None]:
    """export.partitioned_pages with a task per id range."""
    batch = AsyncBatch(client, halt=False, raise_on_error=True)
    head, tail = probe(batch, plan)
    first, ranges = ranges_after(plan, await batch.execute(), head, tail, workers)
    yield first
    if ranges:
        async for page in _run_parallel(client, [_Chain(client, plan, part.after, part.until) for part in ranges], ordered):
            yield page


_DONE = object()


async def _run_parallel(client: AsyncCallCore, chains: list[_Chain], ordered: bool) -> AsyncGenerator[list[Record], None]:
    """Each chain in a task; with `ordered` each has its queue, drained in range order."""
    depth = 2 * MAX_COMMANDS  # pages buffered per chain: two requests' worth, as in export.py
    queues = [asyncio.Queue[Any](depth) for _ in chains] if ordered else [asyncio.Queue[Any](depth * len(chains))]
    tasks = [asyncio.create_task(_work(client, chain, queues[index if ordered else 0])) for index, chain in enumerate(chains)]
    try:
        for source in queues:
            finished, feeding = 0, 1 if ordered else len(chains)
            while finished < feeding:
                item = await source.get()
                if item is _DONE:
                    finished += 1
                elif isinstance(item, BaseException):
                    raise item
                else:
                    yield item
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _work(client: AsyncCallCore, chain: _Chain, target: asyncio.Queue[Any]) -> None:
    """A chain's pages, then _DONE; its exception is handed to the consumer, which raises it."""
    try:
        while not chain.done:
            for page in await afetch(client, chain):
                await target.put(page)
    except Exception as exc:  # not CancelledError: a cancelled task just ends
        await target.put(exc)
    await target.put(_DONE)


async def walk_pages(client: AsyncCallCore, method: str, walk: Walk, api_version: int = 2) -> AsyncGenerator[list[Record], None]:
    """export.walk_pages, awaited."""
    reply: Any = None
    while True:
        try:
            step = walk.send(reply)
        except StopIteration:
            return
        if isinstance(step, One):
            reply = await client.call_raw(method, step.params, api_version=api_version)
        elif isinstance(step, Several):
            batch = AsyncBatch(client, halt=False, raise_on_error=True)
            for params in step.params:
                batch.call(method, params)
            reply = await batch.execute()
        else:
            yield step
            reply = None
