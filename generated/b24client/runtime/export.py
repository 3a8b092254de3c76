"""Every record of a list method, lazily, with bounded memory: the strategies behind `iterate`.

The method's spec (`pagination`) decides how:

* `cursor`: for lists that accept `start=-1` and filter and sort by a numeric id
  (settings/performance/huge-data.md). Pages are chained by `>ID` (or `<ID` descending)
  cursors, 50 pages per `batch` request, each command taking its cursor from the
  previous command's last record through `$result[...]`: up to 2,500 records per HTTP
  request and no total counted, which is what makes big lists cheap for the portal.
* `partitioned`: the same chains, run in parallel over disjoint id ranges. One request
  finds the first page and the last id; the range is cut at whole-request boundaries
  so every request but the last of each range is full.
* `offset`: `start=0, 50, ...` in batches, for lists that cannot be cut by id. It counts
  the total on every page (expensive) and is only as consistent as the data is still.
* a method without paging is called once.

Exactly once: a cursor only moves forward and the ranges do not overlap, so a record can
neither repeat nor be skipped because of pages shifting, in either direction. Records
added during the export appear when their id is ahead of the cursor (ascending: new ids
are higher, so usually yes); deleted records appear if they were read before deletion.
The offset strategy has neither guarantee: rows inserted or deleted before the current
offset shift later pages, repeating or skipping records.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from . import specs
from .batch import MAX_COMMANDS, Batch, BatchCall, BatchResult, Recorder, Ref
from .exceptions import Bitrix24Error

if TYPE_CHECKING:
    from .callpath import CallPolicy
    from .core import CallCore

Strategy = Literal["auto", "cursor", "partitioned", "offset"]
Record = dict[str, Any]


@dataclass(frozen=True)
class Paging:
    """How a list method pages (the `pagination` member of a compiled spec)."""

    style: str = "offset"
    page_size: int = 50
    no_count: bool = False
    items: str = ""
    id_field: str | None = None
    order_param: str = "order"
    filter_param: str = "filter"
    select_param: str = "select"
    offset_param: str = "OFFSET"  # style "limit": the record offset and the page length
    limit_param: str = "LIMIT"

    @classmethod
    def from_spec(cls, data: Mapping[str, Any]) -> Paging:
        known = {name: data[name] for name in cls.__dataclass_fields__ if data.get(name) is not None}
        return cls(**known)

    @property
    def items_path(self) -> tuple[str, ...]:
        return tuple(part for part in self.items.split(".") if part)


# Lists the docs describe as supporting `start=-1` with id cursors, used when a method has
# no spec yet. A spec, once written, wins.
_LEGACY = Paging("offset", 50, True, "", "ID")
KNOWN_LISTS: dict[str, Paging] = {
    "crm.deal.list": _LEGACY,
    "crm.lead.list": _LEGACY,
    "crm.contact.list": _LEGACY,
    "crm.company.list": _LEGACY,
    "crm.quote.list": _LEGACY,
    "crm.item.list": Paging("offset", 50, True, "items", "id"),
}


def paging_for(method: str, api_version: int = 2, override: Paging | Mapping[str, Any] | None = None) -> Paging:
    if isinstance(override, Paging):
        return override
    if override is not None:
        return Paging.from_spec(override)
    spec = specs.get(specs.method_id(method, api_version))
    if spec is not None:
        data = spec.get("pagination")
        return Paging.from_spec(data) if data else Paging(style="none")
    return KNOWN_LISTS.get(method, Paging())


def _get_ci(mapping: Mapping[str, Any], name: str) -> tuple[str | None, Any]:
    for key, value in mapping.items():
        if str(key).lower() == name.lower():
            return str(key), value
    return None, None


def _as_int(value: Any) -> int:
    return int(str(value).strip())


@dataclass(frozen=True)
class _Plan:
    """The user's query, split into what stays fixed and the id bounds the export controls."""

    method: str
    paging: Paging
    base: dict[str, Any]  # parameters without start, order, and the id bounds
    filter: dict[str, Any]
    descending: bool
    after: int | None  # exclusive cursor the first page starts from
    until: int | None  # inclusive bound on the far side (partitions)
    select_id: bool  # the caller's select lacked the id field and we added it

    @property
    def id_field(self) -> str:
        assert self.paging.id_field
        return self.paging.id_field

    def page_params(self, cursor: Any, until: int | None, select: Any = None, reverse: bool = False) -> dict[str, Any]:
        """One page's parameters; `reverse` flips only the order (to find the far end)."""
        field, paging = self.id_field, self.paging
        query = dict(self.filter)
        if cursor is not None:
            query[("<" if self.descending else ">") + field] = cursor
        if until is not None:
            query[(">=" if self.descending else "<=") + field] = until
        params = {**self.base, paging.order_param: {field: "DESC" if self.descending != reverse else "ASC"}, "start": -1}
        if query:
            params[paging.filter_param] = query
        if select is not None:
            params[paging.select_param] = select
        return params

    def records(self, result: Any) -> list[Record]:
        value = result
        for part in self.paging.items_path:
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, Mapping):
            value = list(value.values())
        return [record for record in value or [] if isinstance(record, dict)]

    def ident(self, record: Mapping[str, Any]) -> int:
        return _as_int(record[self.id_field])

    def cursor_ref(self, call: BatchCall) -> Ref:
        ref = call[self.paging.items_path[0]] if self.paging.items_path else None
        for part in self.paging.items_path[1:]:
            assert ref is not None
            ref = ref[part]
        ref = ref[self.paging.page_size - 1] if ref is not None else call[self.paging.page_size - 1]
        return ref[self.id_field]


def cursor_plan(method: str, params: Mapping[str, Any], paging: Paging) -> _Plan | None:
    """A plan for id cursors, or None when the method or the requested order rules them out."""
    field = paging.id_field
    if not (field and paging.no_count and paging.style == "offset"):
        return None
    base = {key: value for key, value in params.items() if key != "start"}
    order_key, order = _get_ci(base, paging.order_param)
    if order_key is not None:
        del base[order_key]
    descending = _descending(order, field)
    if descending is None:
        return None
    filter_key, query = _get_ci(base, paging.filter_param)
    query = dict(query) if isinstance(query, Mapping) else {}
    if filter_key is not None:
        del base[filter_key]
    bounds = _id_bounds(query, field, descending)
    if bounds is None:
        return None
    select_id = _select_id(base, paging, field)
    return _Plan(method, paging, base, query, descending, *bounds, select_id)


def _descending(order: Any, field: str) -> bool | None:
    """Whether the requested order is by id descending; None when it is by anything else."""
    if not order:
        return False
    if not isinstance(order, Mapping) or len(order) != 1:
        return None
    ((name, direction),) = order.items()
    if str(name).lower() != field.lower() or str(direction).upper() not in ("ASC", "DESC"):
        return None
    return str(direction).upper() == "DESC"


def _bound_rules(descending: bool) -> dict[str, tuple[str, int]]:
    """Filter operators on the id, in the order they are matched: which bound each sets
    (the exclusive cursor `after`, the inclusive `until`) and what to subtract from the value."""
    if descending:
        return {"<=": ("after", -1), "<": ("after", 0), ">=": ("until", 0), ">": ("until", -1)}
    return {">=": ("after", 1), ">": ("after", 0), "<=": ("until", 0), "<": ("until", 1)}


def _id_bounds(query: dict[str, Any], field: str, descending: bool) -> tuple[int | None, int | None] | None:
    """Take the id conditions out of `query` (it is changed) as the tightest (after, until);
    None when one of them is not a number."""
    rules = _bound_rules(descending)
    # Tighter means further along the walk for the cursor, and nearer its start for the far bound.
    tighter = {"after": min if descending else max, "until": max if descending else min}
    bounds: dict[str, int | None] = {"after": None, "until": None}
    for key in list(query):
        rule = next(
            (rule for op, rule in rules.items() if str(key).startswith(op) and str(key)[len(op) :].lower() == field.lower()),
            None,
        )
        if rule is None:
            continue
        try:
            value = _as_int(query[key]) - rule[1]
        except (TypeError, ValueError):
            return None
        held = bounds[rule[0]]
        bounds[rule[0]] = value if held is None else tighter[rule[0]](held, value)
        del query[key]
    return bounds["after"], bounds["until"]


def _select_id(base: dict[str, Any], paging: Paging, field: str) -> bool:
    """Add the id to a select that lacks it (`base` is changed): the cursor needs it. True if added."""
    select_key, select = _get_ci(base, paging.select_param)
    if (
        isinstance(select, list | tuple)
        and select
        and not any(str(name) in ("*", field) or str(name).lower() == field.lower() for name in select)
    ):
        base[select_key or paging.select_param] = [*select, field]
        return True
    return False


class _Chain:
    """Pages of one id range, `MAX_COMMANDS` per request, each page's cursor read by the
    portal from the previous page's last record."""

    def __init__(self, client: CallPolicy, plan: _Plan, after: int | None, until: int | None) -> None:
        self.client = client
        self.plan = plan
        self.cursor = after
        self.until = until
        self.done = until is not None and after is not None and (after <= until if plan.descending else after >= until)
        self.density: float | None = None  # records per id, to size the last request
        self.requests = 0

    def _pages_wanted(self) -> int:
        if self.until is None or self.cursor is None or not self.density:
            return MAX_COMMANDS
        span = abs(self.until - self.cursor)
        expected = span * self.density / self.plan.paging.page_size
        return max(1, min(MAX_COMMANDS, int(expected * 1.1) + 2))

    def fetch(self) -> list[list[Record]]:
        """One request; returns the pages it brought, in order (async_export.afetch awaits the same)."""
        batch = Batch(cast("CallCore", self.client), halt=True, raise_on_error=False)  # the sync driver's chain
        calls = self.fill(batch)
        outcome = batch.execute()
        self.requests += 1
        return self.absorb(calls, outcome)

    def fill(self, batch: Recorder) -> list[BatchCall]:
        """The next request's pages, each taking its cursor from the page before it."""
        plan = self.plan
        calls: list[BatchCall] = []
        for index in range(self._pages_wanted()):
            cursor = self.cursor if index == 0 else plan.cursor_ref(calls[-1])
            calls.append(batch.call(plan.method, plan.page_params(cursor, self.until), label=index))
        return calls

    def absorb(self, calls: list[BatchCall], outcome: BatchResult) -> list[list[Record]]:
        plan, size = self.plan, self.plan.paging.page_size
        pages: list[list[Record]] = []
        start = self.cursor
        for call in calls:
            if call.label not in outcome.results:
                error = outcome.errors.get(call.label)
                if error is not None and not pages:
                    raise error  # the first page failed for good: nothing to continue from
                break  # later pages continue from the cursor in the next request
            records = plan.records(outcome.results[call.label])
            pages.append(records)
            if records:
                self.cursor = plan.ident(records[-1])
            if len(records) < size or (self.until is not None and self.cursor == self.until):
                self.done = True
                break
        got = sum(len(page) for page in pages)
        if start is not None and self.cursor is not None and self.cursor != start and got:
            self.density = got / abs(self.cursor - start)
        if not self.done and self.cursor == start and not pages:
            raise Bitrix24Error(f"{plan.method}: export made no progress")  # pragma: no cover
        return pages

    def run(self) -> Iterator[list[Record]]:
        while not self.done:
            yield from self.fetch()


def _strip(records: list[Record], plan: _Plan) -> list[Record]:
    if not plan.select_id:
        return records
    return [{key: value for key, value in record.items() if key != plan.id_field} for record in records]


def cursor_pages(client: CallCore, plan: _Plan) -> Iterator[list[Record]]:
    """The serial chain: one request at a time."""
    yield from _Chain(client, plan, plan.after, plan.until).run()


@dataclass(frozen=True)
class _Range:
    after: int | None
    until: int | None


def _split(plan: _Plan, first: list[Record], last_id: int, workers: int) -> list[_Range]:
    """Cut the ids after the first page into ranges worth whole requests each."""
    start = plan.ident(first[-1])
    span = abs(last_id - start)
    first_span = abs(plan.ident(first[-1]) - plan.ident(first[0])) + 1
    density = min(1.0, len(first) / first_span) if first_span else 1.0
    per_request = MAX_COMMANDS * plan.paging.page_size / density  # ids one full request covers
    requests = max(1, -(-span // int(per_request)) if per_request >= 1 else 1)
    parts = max(1, min(workers, int(requests)))
    per_part = -(-int(requests) // parts) * per_request
    step = -1 if plan.descending else 1
    ranges: list[_Range] = []
    cursor = start
    for index in range(parts):
        far = start + step * int(per_part * (index + 1))
        if index == parts - 1 or (far - last_id) * step >= 0:
            ranges.append(_Range(cursor, last_id))
            break
        ranges.append(_Range(cursor, far))
        cursor = far
    return ranges


def probe(batch: Recorder, plan: _Plan) -> tuple[BatchCall, BatchCall]:
    """The partitioned export's first request: the first page, and the last id (one record
    in reverse order), which `ranges_after` cuts into ranges for the chains."""
    head = batch.call(plan.method, plan.page_params(plan.after, plan.until), label="first")
    tail = batch.call(plan.method, plan.page_params(plan.after, plan.until, [plan.id_field], reverse=True), label="last")
    return head, tail


def ranges_after(
    plan: _Plan, outcome: BatchResult, head: BatchCall, tail: BatchCall, workers: int
) -> tuple[list[Record], list[_Range]]:
    """The probe's first page, and the ranges left for parallel chains (none: it was all)."""
    first = plan.records(outcome[head.label])
    last = plan.records(outcome[tail.label])
    if len(first) < plan.paging.page_size or not last:
        return first, []
    return first, _split(plan, first, plan.ident(last[0]), workers)


def partitioned_pages(client: CallCore, plan: _Plan, workers: int, ordered: bool) -> Iterator[list[Record]]:
    """Parallel chains over disjoint id ranges; `ordered` keeps the global order."""
    batch = Batch(client, halt=False, raise_on_error=True)
    head, tail = probe(batch, plan)
    first, ranges = ranges_after(plan, batch.execute(), head, tail, workers)
    yield first
    if ranges:
        yield from _run_parallel([_Chain(client, plan, part.after, part.until) for part in ranges], ordered)


_DONE = object()


def _run_parallel(chains: list[_Chain], ordered: bool) -> Iterator[list[Record]]:
    """Run each chain in a thread; pages flow through bounded queues (memory stays bounded)."""
    stop = threading.Event()
    depth = 2 * MAX_COMMANDS  # pages buffered per chain: two requests' worth
    queues = [queue.Queue[Any](maxsize=depth) for _ in chains] if ordered else [queue.Queue[Any](depth * len(chains))]
    threads = [
        threading.Thread(
            target=_work, args=(chain, queues[index if ordered else 0], stop), daemon=True, name=f"b24-export-{index}"
        )
        for index, chain in enumerate(chains)
    ]
    for thread in threads:
        thread.start()
    try:
        for source in queues:
            yield from _drain(source, 1 if ordered else len(chains))
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=5)


def _put(target: queue.Queue[Any], item: Any, stop: threading.Event) -> bool:
    """Put, waiting for room, unless the consumer has stopped; whether it was put."""
    while not stop.is_set():
        try:
            target.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _work(chain: _Chain, target: queue.Queue[Any], stop: threading.Event) -> None:
    """A worker thread: the chain's pages, then _DONE; an exception is handed to the consumer."""
    try:
        for page in chain.run():
            if not _put(target, page, stop):
                return
    except BaseException as exc:  # handed to the consumer, which raises it
        _put(target, exc, stop)
    _put(target, _DONE, stop)


def _drain(source: queue.Queue[Any], chains: int) -> Iterator[list[Record]]:
    """Pages from one queue until `chains` workers feeding it are done; a worker's exception is raised."""
    finished = 0
    while finished < chains:
        item = source.get()
        if item is _DONE:
            finished += 1
        elif isinstance(item, BaseException):
            raise item
        else:
            yield item


@dataclass(frozen=True)
class One:
    """Walk step: call the method once with these parameters; the Response is sent back."""

    params: dict[str, Any]


@dataclass(frozen=True)
class Several:
    """Walk step: these calls in one batch (labels 0, 1, ...); the BatchResult is sent back."""

    params: list[dict[str, Any]]


Walk = Generator[One | Several | list[Record], Any, None]
"""A page walk without I/O: yields requests (answered through `send`) and pages (answered with None)."""


def offset_walk(method: str, params: Mapping[str, Any], paging: Paging) -> Walk:
    """`start=0, 50, ...`: the first page tells the total, the rest go 50 pages per request."""
    base = {key: value for key, value in params.items() if key != "start"}
    first = yield One({**base, "start": 0})
    yield records_of(method, paging, first.result)
    total = first.total or 0
    starts = list(range(paging.page_size, total, paging.page_size))
    for offset in range(0, len(starts), MAX_COMMANDS):
        chunk = starts[offset : offset + MAX_COMMANDS]
        outcome = yield Several([{**base, "start": start} for start in chunk])
        for label in range(len(chunk)):
            yield records_of(method, paging, outcome[label])


def limit_walk(method: str, params: Mapping[str, Any], paging: Paging) -> Walk:
    """`OFFSET=0, LIMIT=n`, then n, 2n, ...: these lists report no total, so a short page
    (or an empty one) ends the walk. The offset grows by the page length asked for, not by
    the records returned, as such methods count it."""
    limit_key, limit = _get_ci(params, paging.limit_param)
    size = _as_int(limit) if limit is not None else paging.page_size
    offset_key = _get_ci(params, paging.offset_param)[0] or paging.offset_param
    base = {key: value for key, value in params.items() if key not in (offset_key, limit_key)}
    offset = 0
    for _ in range(1_000_000):  # a bound: a portal that never sends a short page is a bug
        reply = yield One({**base, offset_key: offset, limit_key or paging.limit_param: size})
        page = records_of(method, paging, reply.result)
        yield page
        if len(page) < size:
            return
        offset += size
    raise RuntimeError(f"{method}: the list did not end after a million pages")  # pragma: no cover


def walk_pages(client: CallCore, method: str, walk: Walk, api_version: int = 2) -> Iterator[list[Record]]:
    """The sync driver of a walk (async_export.walk_pages awaits the same steps)."""
    reply: Any = None
    while True:
        try:
            step = walk.send(reply)
        except StopIteration:
            return
        if isinstance(step, One):
            reply = client.call_raw(method, step.params, api_version=api_version)
        elif isinstance(step, Several):
            batch = Batch(client, halt=False, raise_on_error=True)
            for params in step.params:
                batch.call(method, params)
            reply = batch.execute()
        else:
            yield step
            reply = None


def offset_pages(
    client: CallCore, method: str, params: Mapping[str, Any], paging: Paging, api_version: int = 2
) -> Iterator[list[Record]]:
    return walk_pages(client, method, offset_walk(method, params, paging), api_version)


def limit_pages(
    client: CallCore, method: str, params: Mapping[str, Any], paging: Paging, api_version: int = 2
) -> Iterator[list[Record]]:
    return walk_pages(client, method, limit_walk(method, params, paging), api_version)


@dataclass(frozen=True)
class Route:
    """How one export walks its list: `kind` is none, limit, offset, cursor or partitioned."""

    kind: str
    paging: Paging
    plan: _Plan | None = None
    ordered: bool = False


def route(
    method: str,
    params: Mapping[str, Any],
    strategy: Strategy,
    workers: int,
    ordered: bool | None,
    paging: Paging,
    api_version: int,
) -> Route:
    """The strategy the method and the query allow (shared by the sync and async exports)."""
    if paging.style in ("none", "limit"):
        return Route(paging.style, paging)
    if paging.style != "offset":
        raise ValueError(f"{method}: iterate supports offset- and limit-paged lists; this one pages by {paging.style!r}")
    plan = cursor_plan(method, params, paging) if strategy != "offset" else None
    if plan is None:
        if strategy in ("cursor", "partitioned"):
            raise ValueError(f"{method}: the {strategy} strategy needs start=-1, an id field and an order by id only")
        return Route("offset", paging)
    if api_version != 2:
        raise ValueError("cursor exports run inside batch, which serves REST v2 methods")
    if ordered is None:
        ordered = _get_ci(params, paging.order_param)[1] is not None
    parallel = strategy == "partitioned" or (strategy == "auto" and workers > 1)
    return Route("partitioned" if parallel else "cursor", paging, plan, ordered)


def records_of(method: str, paging: Paging, result: Any) -> list[Record]:
    """The records of one page's result, where the method's paging puts them."""
    return _Plan(method, paging, {}, {}, False, None, None, False).records(result)


def iterate_pages(
    client: CallCore,
    method: str,
    params: Mapping[str, Any] | None = None,
    *,
    strategy: Strategy = "auto",
    workers: int = 4,
    ordered: bool | None = None,
    paging: Paging | Mapping[str, Any] | None = None,
    api_version: int = 2,
) -> Generator[list[Record], None, None]:
    """Pages (lists of records) of the whole list, by the strategy the method allows."""
    params = dict(params or {})
    way = route(method, params, strategy, workers, ordered, paging_for(method, api_version, paging), api_version)
    if way.kind == "none":
        yield records_of(method, way.paging, client.call(method, params, api_version=api_version))
    elif way.kind == "limit":
        yield from limit_pages(client, method, params, way.paging, api_version)
    elif way.kind == "offset":
        yield from offset_pages(client, method, params, way.paging, api_version)
    else:
        assert way.plan is not None
        pages = (
            partitioned_pages(client, way.plan, workers, way.ordered)
            if way.kind == "partitioned"
            else cursor_pages(client, way.plan)
        )
        for page in pages:
            yield _strip(page, way.plan)
