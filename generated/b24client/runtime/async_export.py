"""`async for record in b24.iterate(...)`: the export of export.py, driven with awaits.

The route (which strategy the method and query allow), the cursor plan, each request's
pages (`_Chain.fill`) and how a reply advances the cursor (`_Chain.absorb`) are export.py's;
only the request is awaited here; offset- and limit-paged lists are export.py's walks, driven
here with awaits. For now the async export walks one id chain: the `partitioned` strategy's
parallel ranges run as that one chain (same records, same order).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from .async_batch import AsyncBatch
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


async def cursor_pages(client: AsyncCallCore, plan: _Plan) -> AsyncIterator[list[Record]]:
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
    ordered: bool | None = None,
    paging: Paging | Mapping[str, Any] | None = None,
    api_version: int = 2,
) -> AsyncIterator[list[Record]]:
    """Pages of the whole list (see export.iterate_pages)."""
    params = dict(params or {})
    way = route(method, params, strategy, 1, ordered, paging_for(method, api_version, paging), api_version)
    if way.kind == "none":
        yield records_of(method, way.paging, await client.call(method, params, api_version=api_version))
        return
    if way.plan is None:
        walk = limit_walk if way.kind == "limit" else offset_walk
        async for page in walk_pages(client, method, walk(method, params, way.paging), api_version):
            yield page
        return
    async for page in cursor_pages(client, way.plan):
        yield _strip(page, way.plan)


async def walk_pages(client: AsyncCallCore, method: str, walk: Walk, api_version: int = 2) -> AsyncIterator[list[Record]]:
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
