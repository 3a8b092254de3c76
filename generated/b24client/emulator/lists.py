"""Seeded deals for bulk work: crm.deal.list and crm.item.list (entityTypeId=2).

Deals 1..N exist without being stored: every field is a pure function of (seed, id),
so a portal with 2.4 million deals (the size the docs measured in huge-data.md) costs no
memory, and only deletions and edits are kept. Queries whose filter uses only the id
field are answered arithmetically (ranges, bisection over the few removed ids), so offset
pages deep into a big table stay fast for the emulator even though they are expensive in
the cost model. Other filters and orders scan and generate records, which is fine for the
thousands of deals tests use.

Two renderings of the same record: crm.deal.list uses UPPER_CASE names with every value a
string (as the legacy method returns them); crm.item.list uses camelCase with numbers as
numbers, inside result.items.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import itertools
import random
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .filtering import ID_OPERATORS, as_list, passes, split_operator

Flavor = Literal["deal", "item"]
PAGE_SIZE = 50

# (UPPER name, camelCase name, kind). Kinds: id, int, float, str, char, date, datetime.
DEAL_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("ID", "id", "id"),
    ("TITLE", "title", "str"),
    ("TYPE_ID", "typeId", "str"),
    ("CATEGORY_ID", "categoryId", "int"),
    ("STAGE_ID", "stageId", "str"),
    ("STAGE_SEMANTIC_ID", "stageSemanticId", "str"),
    ("IS_NEW", "isNew", "char"),
    ("IS_RECURRING", "isRecurring", "char"),
    ("IS_RETURN_CUSTOMER", "isReturnCustomer", "char"),
    ("IS_REPEATED_APPROACH", "isRepeatedApproach", "char"),
    ("PROBABILITY", "probability", "int"),
    ("CURRENCY_ID", "currencyId", "str"),
    ("OPPORTUNITY", "opportunity", "float"),
    ("IS_MANUAL_OPPORTUNITY", "isManualOpportunity", "char"),
    ("TAX_VALUE", "taxValue", "float"),
    ("COMPANY_ID", "companyId", "int"),
    ("CONTACT_ID", "contactId", "int"),
    ("QUOTE_ID", "quoteId", "int"),
    ("LEAD_ID", "leadId", "int"),
    ("BEGINDATE", "begindate", "datetime"),
    ("CLOSEDATE", "closedate", "datetime"),
    ("OPENED", "opened", "char"),
    ("CLOSED", "closed", "char"),
    ("COMMENTS", "comments", "str"),
    ("ASSIGNED_BY_ID", "assignedById", "int"),
    ("CREATED_BY_ID", "createdBy", "int"),
    ("MODIFY_BY_ID", "updatedBy", "int"),
    ("MOVED_BY_ID", "movedBy", "int"),
    ("DATE_CREATE", "createdTime", "datetime"),
    ("DATE_MODIFY", "updatedTime", "datetime"),
    ("MOVED_TIME", "movedTime", "datetime"),
    ("SOURCE_ID", "sourceId", "str"),
    ("SOURCE_DESCRIPTION", "sourceDescription", "str"),
    ("ADDITIONAL_INFO", "additionalInfo", "str"),
    ("LOCATION_ID", "locationId", "str"),
    ("ORIGINATOR_ID", "originatorId", "str"),
    ("ORIGIN_ID", "originId", "str"),
    ("UTM_SOURCE", "utmSource", "str"),
    ("UTM_MEDIUM", "utmMedium", "str"),
    ("UTM_CAMPAIGN", "utmCampaign", "str"),
    ("UTM_CONTENT", "utmContent", "str"),
    ("UTM_TERM", "utmTerm", "str"),
    ("LAST_ACTIVITY_TIME", "lastActivityTime", "datetime"),
    ("LAST_ACTIVITY_BY", "lastActivityBy", "int"),
)
_KIND = {upper: kind for upper, _camel, kind in DEAL_FIELDS}
_CAMEL = {upper: camel for upper, camel, _kind in DEAL_FIELDS}
# Either spelling, any case, names the canonical UPPER field.
_FIELD_BY_NAME = {name.lower(): upper for upper, camel, _ in DEAL_FIELDS for name in (upper, camel)}

_STAGES = (
    ("NEW", "P"),
    ("PREPARATION", "P"),
    ("PREPAYMENT_INVOICE", "P"),
    ("EXECUTING", "P"),
    ("FINAL_INVOICE", "P"),
    ("WON", "S"),
    ("LOSE", "F"),
)
_TYPES = ("SALE", "COMPLEX", "GOODS", "SERVICES", "SERVICE")
_SOURCES = ("CALL", "EMAIL", "WEB", "ADVERTISING", "PARTNER", "RECOMMENDATION")
_EPOCH = _dt.datetime(2024, 1, 1, tzinfo=_dt.UTC)
_SYSTEM_ENTITY_TYPES = frozenset({1, 3, 4, 7, 31, 36})  # lead, contact, company, quote, invoice, ...


class QueryError(ValueError):
    """A filter or order the method rejects (crm.item.list: INVALID_ARG_VALUE)."""


def _iso(moment: _dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def product_row_ids(deal_id: int) -> tuple[int, int]:
    """Each seeded deal has two product rows; their ids encode the deal (id*10+1, id*10+2)."""
    return deal_id * 10 + 1, deal_id * 10 + 2


def delivery_ids(deal_id: int) -> tuple[int]:
    """Each seeded deal has one delivery (shipment) document, id*10+5."""
    return (deal_id * 10 + 5,)


@dataclass(frozen=True)
class ListPage:
    records: list[dict[str, Any]]
    total: int | None  # None when counting was turned off (start=-1)
    next: int | None
    skipped: int  # rows read and thrown away to reach the offset (cost model)

    @property
    def wire_total(self) -> int:
        """`total` as the reply carries it: an uncounted page (start=-1) says 0, as the
        portal's own start=-1 reply in settings/performance/huge-data.md shows."""
        return self.total if self.total is not None else 0


@dataclass(frozen=True)
class _Condition:
    op: str
    field: str  # canonical UPPER name
    value: Any


@dataclass
class _Group:
    logic: str  # AND / OR
    parts: list[_Condition | _Group]


def _created(deal_id: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(minutes=37 * deal_id)


def _day(moment: _dt.datetime) -> str:
    return _iso(moment.replace(hour=0, minute=0, second=0))


# Fields of a seeded deal that take no random draw, each as a function of the id alone;
# `DealStore._generated` gives the same values (tests/emulator/test_deal_fields_subset.py).
_DRAWLESS_VALUE: dict[str, Callable[[int], Any]] = {
    "ID": lambda deal_id: deal_id,
    "TITLE": lambda deal_id: f"Deal #{deal_id}",
    "CATEGORY_ID": lambda _id: 0,
    "IS_RECURRING": lambda _id: "N",
    "IS_RETURN_CUSTOMER": lambda _id: "N",
    "IS_REPEATED_APPROACH": lambda _id: "N",
    "PROBABILITY": lambda _id: None,
    "CURRENCY_ID": lambda _id: "USD",
    "IS_MANUAL_OPPORTUNITY": lambda _id: "N",
    "TAX_VALUE": lambda _id: 0.0,
    "QUOTE_ID": lambda _id: None,
    "LEAD_ID": lambda _id: None,
    "BEGINDATE": lambda deal_id: _day(_created(deal_id)),
    "CLOSEDATE": lambda deal_id: _day(_created(deal_id) + _dt.timedelta(days=7)),
    "OPENED": lambda _id: "Y",
    "COMMENTS": lambda _id: None,
    "CREATED_BY_ID": lambda _id: 1,
    "DATE_CREATE": lambda deal_id: _iso(_created(deal_id)),
    **{
        name: (lambda _id: None)
        for name in (
            "SOURCE_DESCRIPTION",
            "ADDITIONAL_INFO",
            "LOCATION_ID",
            "ORIGINATOR_ID",
            "ORIGIN_ID",
            "UTM_SOURCE",
            "UTM_MEDIUM",
            "UTM_CAMPAIGN",
            "UTM_CONTENT",
            "UTM_TERM",
        )
    },
}
_DRAWLESS = frozenset(_DRAWLESS_VALUE)


class DealStore:
    """Deals 1..count generated from the seed, minus deletions, plus edits."""

    def __init__(self, seed: int = 0, count: int = 0) -> None:
        self.seed = seed
        self._count = count
        self._deleted: set[int] = set()
        self._edits: dict[int, dict[str, Any]] = {}  # seeded id → changed fields (typed, UPPER)
        self._added: dict[int, dict[str, Any]] = {}  # ids above the seed: whole records
        self._lock = threading.RLock()

    @property
    def count(self) -> int:
        return self._count

    def seed_deals(self, count: int) -> None:
        """Deals 1..count exist afterwards, except those deleted before (growing adds new ids)."""
        if count < 0:
            raise ValueError("deal count must not be negative")
        with self._lock:
            self._count = count
            self._deleted = {deal_id for deal_id in self._deleted if deal_id <= count}
            for deal_id in [i for i in self._added if i <= count]:  # the seed grew over an added deal
                self._edits[deal_id] = self._added.pop(deal_id)

    def reset(self, count: int) -> None:
        """Deals 1..count exactly as generated, no deletions."""
        with self._lock:
            self._deleted.clear()
            self._edits.clear()
            self._added.clear()
        self.seed_deals(count)

    def exists(self, deal_id: int) -> bool:
        if deal_id in self._added:
            return True
        return 1 <= deal_id <= self._count and deal_id not in self._deleted

    def delete(self, deal_id: int) -> bool:
        with self._lock:
            if not self.exists(deal_id):
                return False
            if self._added.pop(deal_id, None) is None:
                self._deleted.add(deal_id)
                self._edits.pop(deal_id, None)
            return True

    def add(self, fields: Mapping[str, Any], user_id: int = 1) -> int:
        """A new deal after the highest id in use (crm.deal.add, crm.item.add for type 2)."""
        with self._lock:
            deal_id = max([self._count, *self._added]) + 1
            now = _iso(_dt.datetime.now(_dt.UTC).replace(microsecond=0))
            record: dict[str, Any] = {upper: None for upper, _camel, _kind in DEAL_FIELDS}
            record.update(
                {
                    "ID": deal_id,
                    "TITLE": "",
                    "TYPE_ID": "SALE",
                    "CATEGORY_ID": 0,
                    "STAGE_ID": "NEW",
                    "IS_NEW": "Y",
                    "IS_RECURRING": "N",
                    "IS_RETURN_CUSTOMER": "N",
                    "IS_REPEATED_APPROACH": "N",
                    "CURRENCY_ID": "USD",
                    "OPPORTUNITY": 0.0,
                    "IS_MANUAL_OPPORTUNITY": "N",
                    "TAX_VALUE": 0.0,
                    "OPENED": "Y",
                    "ASSIGNED_BY_ID": user_id,
                    "CREATED_BY_ID": user_id,
                    "MODIFY_BY_ID": user_id,
                    "MOVED_BY_ID": user_id,
                    "DATE_CREATE": now,
                    "DATE_MODIFY": now,
                    "MOVED_TIME": now,
                    "BEGINDATE": now,
                    "LAST_ACTIVITY_TIME": now,
                    "LAST_ACTIVITY_BY": user_id,
                }
            )
            record.update(deal_fields(fields))
            _derive_stage(record)
            self._added[deal_id] = record
            return deal_id

    def update(self, deal_id: int, fields: Mapping[str, Any], user_id: int = 1) -> bool:
        """Change fields of a deal (crm.deal.update); False when it does not exist."""
        with self._lock:
            if not self.exists(deal_id):
                return False
            changes = deal_fields(fields)
            changes.pop("ID", None)
            if "STAGE_ID" in changes:
                changes["MOVED_BY_ID"] = user_id
            changes["MODIFY_BY_ID"] = user_id
            changes["DATE_MODIFY"] = _iso(_dt.datetime.now(_dt.UTC).replace(microsecond=0))
            target = self._added.get(deal_id)
            if target is None:
                target = self._edits.setdefault(deal_id, {})
            target.update(changes)
            if "STAGE_ID" in changes:
                merged = self.record(deal_id)
                _derive_stage(merged)
                target.update({key: merged[key] for key in ("STAGE_SEMANTIC_ID", "CLOSED", "IS_NEW")})
            return True

    # --- records ----------------------------------------------------------------------------

    def record(self, deal_id: int, fields: frozenset[str] | None = None) -> dict[str, Any]:
        """Typed values keyed by UPPER names: the seed's deal with its edits, or an added deal.

        With `fields`, the record may hold only those (and the rest may be missing): a page
        that renders ID and TITLE then skips the random draws and date formatting that make
        up most of a whole record's cost, with the same values the whole record has.
        """
        if deal_id in self._added:
            return dict(self._added[deal_id])
        if fields is not None and fields <= _DRAWLESS:
            generated = {field: _DRAWLESS_VALUE[field](deal_id) for field in fields}
        else:
            generated = self._generated(deal_id)
        generated.update(self._edits.get(deal_id, {}))
        return generated

    def _generated(self, deal_id: int) -> dict[str, Any]:
        """Deterministic for (seed, id)."""
        rng = random.Random(self.seed * 1_000_003 + deal_id)
        stage, semantic = _STAGES[rng.randrange(len(_STAGES))]
        created = _EPOCH + _dt.timedelta(minutes=37 * deal_id)
        modified = created + _dt.timedelta(minutes=rng.randrange(1, 5000))
        assigned = rng.randrange(1, 20)
        closed = semantic != "P"
        return {
            "ID": deal_id,
            "TITLE": f"Deal #{deal_id}",
            "TYPE_ID": rng.choice(_TYPES),
            "CATEGORY_ID": 0,
            "STAGE_ID": stage,
            "STAGE_SEMANTIC_ID": semantic,
            "IS_NEW": "Y" if stage == "NEW" else "N",
            "IS_RECURRING": "N",
            "IS_RETURN_CUSTOMER": "N",
            "IS_REPEATED_APPROACH": "N",
            "PROBABILITY": None,
            "CURRENCY_ID": "USD",
            "OPPORTUNITY": round(rng.randrange(100, 10_000_000) / 100, 2),
            "IS_MANUAL_OPPORTUNITY": "N",
            "TAX_VALUE": 0.0,
            "COMPANY_ID": rng.randrange(0, 500),
            "CONTACT_ID": rng.randrange(0, 2000) or None,
            "QUOTE_ID": None,
            "LEAD_ID": None,
            "BEGINDATE": _iso(created.replace(hour=0, minute=0, second=0)),
            "CLOSEDATE": _iso((created + _dt.timedelta(days=7)).replace(hour=0, minute=0, second=0)),
            "OPENED": "Y",
            "CLOSED": "Y" if closed else "N",
            "COMMENTS": None,
            "ASSIGNED_BY_ID": assigned,
            "CREATED_BY_ID": 1,
            "MODIFY_BY_ID": assigned,
            "MOVED_BY_ID": assigned,
            "DATE_CREATE": _iso(created),
            "DATE_MODIFY": _iso(modified),
            "MOVED_TIME": _iso(modified),
            "SOURCE_ID": rng.choice(_SOURCES),
            "SOURCE_DESCRIPTION": None,
            "ADDITIONAL_INFO": None,
            "LOCATION_ID": None,
            "ORIGINATOR_ID": None,
            "ORIGIN_ID": None,
            "UTM_SOURCE": None,
            "UTM_MEDIUM": None,
            "UTM_CAMPAIGN": None,
            "UTM_CONTENT": None,
            "UTM_TERM": None,
            "LAST_ACTIVITY_TIME": _iso(modified),
            "LAST_ACTIVITY_BY": assigned,
        }

    # --- queries ----------------------------------------------------------------------------

    def query(
        self,
        flavor: Flavor,
        filter_: Any = None,
        order: Any = None,
        select: Any = None,
        start: Any = 0,
    ) -> ListPage:
        """One page of deals, counted unless `start` is -1."""
        group = _parse_group(filter_ or {}, "AND", strict=flavor == "item")
        order_keys = _parse_order(order, strict=flavor == "item")
        offset = start_value(start)
        counting = offset >= 0
        offset = max(offset, 0)
        wanted = _wanted(select, flavor)
        with self._lock:
            count, deleted, added = self._count, sorted(self._deleted), sorted(self._added)
        ids = _id_plan(group, order_keys, count, deleted) if not added else None
        if ids is not None:
            total, page_ids = ids.total if counting else None, ids.page(offset, PAGE_SIZE)
            needed = frozenset(wanted)  # the id plan read the filter and order already
            records = [self.record(deal_id, needed) for deal_id in page_ids]
            skipped = min(offset, ids.total)
        else:
            gone = set(deleted)
            present = itertools.chain((i for i in range(1, count + 1) if i not in gone), added)
            matched = [r for r in (self.record(i) for i in present) if _matches(group, r)]
            for field, descending in reversed(order_keys):
                matched.sort(key=_sort_key(field), reverse=descending)
            total = len(matched) if counting else None
            records = matched[offset : offset + PAGE_SIZE]
            skipped = min(offset, len(matched))
        next_start = offset + PAGE_SIZE if total is not None and offset + PAGE_SIZE < total else None
        rendered = [_render_fields(record, flavor, wanted) for record in records]
        # A scan past the last row stops there: a start beyond the end costs the rows that exist
        # (start=9352644289655708277626011 was charged as that many rows, and its time block overflowed).
        return ListPage(rendered, total, next_start, skipped)


def start_value(start: Any) -> int:
    """`start` as the list methods read it: -1 (no counting) or an offset of 0 or more."""
    try:
        value = int(start)
    except (TypeError, ValueError):
        return 0
    return -1 if value == -1 else max(0, value)


def _field(name: str, strict: bool, what: str) -> str | None:
    upper = _FIELD_BY_NAME.get(name.lower())
    if upper is None and strict:
        raise QueryError(f"Invalid {what}: field '{name}' is not allowed in {what}")
    return upper


def _parse_group(filter_: Any, logic: str, strict: bool) -> _Group:
    if isinstance(filter_, list):
        filter_ = {str(index): item for index, item in enumerate(filter_)}
    if not isinstance(filter_, Mapping):
        raise QueryError("Parameter 'filter' must be array.")
    group = _Group(logic, [])
    for key, value in filter_.items():
        key = str(key)
        if key.upper() == "LOGIC":
            group.logic = "OR" if str(value).upper() == "OR" else "AND"
        elif key.isdigit() and isinstance(value, Mapping | list):
            group.parts.append(_parse_group(value, "AND", strict))
        else:
            op, name = split_operator(key)
            field = _field(name, strict, "filter")
            if field is not None:
                group.parts.append(_Condition(op, field, value))
    return group


def _parse_order(order: Any, strict: bool) -> list[tuple[str, bool]]:
    if order in (None, "", [], {}):
        return [("ID", False)]
    if not isinstance(order, Mapping):
        raise QueryError("Parameter 'order' must be array.")
    keys: list[tuple[str, bool]] = []
    for name, direction in order.items():
        field = _field(str(name), strict, "order")
        text = str(direction).upper()
        if text not in ("ASC", "DESC"):
            if strict:
                raise QueryError(
                    f"Invalid order: allowed sort directions are ASC, DESC. But got '{direction}' for field '{name}'"
                )
            text = "ASC"
        if field is not None:
            keys.append((field, text == "DESC"))
    return keys or [("ID", False)]


# --- typed comparison -----------------------------------------------------------------------


def deal_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Input fields (either spelling, any case) as typed UPPER values; unknown names are dropped,
    as the deal table keeps only the fields it renders."""
    typed: dict[str, Any] = {}
    for name, value in (fields or {}).items():
        upper = _FIELD_BY_NAME.get(str(name).lower())
        if upper is None:
            continue
        try:
            typed[upper] = _typed(upper, value)
        except QueryError:
            typed[upper] = value
        if _KIND[upper] == "datetime" and isinstance(typed[upper], _dt.datetime):
            typed[upper] = _iso(typed[upper])
    return typed


def _derive_stage(record: dict[str, Any]) -> None:
    """Stage semantics follow the stage id (`WON`/`C1:WON` success, `LOSE` failure)."""
    stage = str(record.get("STAGE_ID") or "NEW").rsplit(":", 1)[-1]
    semantic = "S" if stage == "WON" else "F" if stage in ("LOSE", "APOLOGY") else "P"
    record["STAGE_SEMANTIC_ID"] = semantic
    record["CLOSED"] = "N" if semantic == "P" else "Y"
    record["IS_NEW"] = "Y" if stage == "NEW" else "N"


def render_deal(record: Mapping[str, Any], flavor: Flavor, select: Any = None) -> dict[str, Any]:
    """One deal as crm.deal.get (UPPER strings) or crm.item.get (camelCase, typed) returns it."""
    return _render(record, flavor, select)


def _typed(field: str, value: Any) -> Any:
    kind = _KIND[field]
    if value is None or value == "":
        return None
    try:
        if kind in ("id", "int"):
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "datetime":
            moment = _dt.datetime.fromisoformat(str(value))
            return moment if moment.tzinfo else moment.replace(tzinfo=_dt.UTC)
    except (TypeError, ValueError):
        raise QueryError(f"Invalid filter: field '{_CAMEL[field]}' has invalid value") from None
    return str(value)


def _test(condition: _Condition, record: Mapping[str, Any]) -> bool:
    field = condition.field
    return passes(condition.op, _typed(field, record[field]), condition.value, lambda value: _typed(field, value))


def _matches(group: _Group, record: Mapping[str, Any]) -> bool:
    results = (_matches(part, record) if isinstance(part, _Group) else _test(part, record) for part in group.parts)
    return any(results) if group.logic == "OR" and group.parts else all(results)


def _sort_key(field: str) -> Callable[[Mapping[str, Any]], tuple[int, Any]]:
    def key(record: Mapping[str, Any]) -> tuple[int, Any]:
        value = _typed(field, record[field])
        return (0, "") if value is None else (1, value)

    return key


# --- the id-only fast path ------------------------------------------------------------------


@dataclass
class _IdPlan:
    """The ids a filter on ID alone selects: a range minus removed ids, or an explicit set."""

    low: int
    high: int
    removed: list[int]  # sorted, inside [low, high]
    explicit: list[int] | None
    descending: bool

    @property
    def total(self) -> int:
        if self.explicit is not None:
            return len(self.explicit)
        return max(0, self.high - self.low + 1 - len(self.removed))

    def _nth(self, k: int) -> int:
        """The k-th (0-based) present id counting up from `low`."""
        candidate = self.low + k
        while True:
            removed_upto = bisect.bisect_right(self.removed, candidate)
            moved = self.low + k + removed_upto
            if moved == candidate:
                return candidate
            candidate = moved

    def page(self, offset: int, size: int) -> list[int]:
        total = self.total
        if offset >= total:
            return []
        positions = range(offset, min(total, offset + size))
        if self.explicit is not None:
            ordered = self.explicit[::-1] if self.descending else self.explicit
            return [ordered[i] for i in positions]
        if self.descending:
            return [self._nth(total - 1 - i) for i in positions]
        return [self._nth(i) for i in positions]


def _id_plan(group: _Group, order: list[tuple[str, bool]], count: int, deleted: list[int]) -> _IdPlan | None:
    """Answer arithmetically when the filter is an AND of ID conditions and the order is by ID."""
    if order[0][0] != "ID" or (group.logic == "OR" and len(group.parts) > 1):
        return None
    low, high = 1, count
    removed = set(deleted)
    explicit: set[int] | None = None
    for part in group.parts:
        if isinstance(part, _Group) or part.field != "ID" or part.op not in ID_OPERATORS:
            return None
        values = as_list(part.value)
        numbers = [int(v) for v in values if _is_int(v)]
        if len(numbers) != len(values):
            raise QueryError("Invalid filter: field 'id' has invalid value")
        if part.op in ("=", "@"):
            explicit = set(numbers) if explicit is None else explicit & set(numbers)
        elif part.op in ("!=", "!", "!@"):
            removed.update(numbers)
        else:
            number = numbers[0]
            low, high = {
                ">": (max(low, number + 1), high),
                ">=": (max(low, number), high),
                "<": (low, min(high, number - 1)),
                "<=": (low, min(high, number)),
            }[part.op]
    descending = order[0][1]
    if explicit is not None:
        chosen = sorted(i for i in explicit if low <= i <= high and i not in removed)
        return _IdPlan(low, high, [], chosen, descending)
    inside = sorted(i for i in removed if low <= i <= high)
    return _IdPlan(low, high, inside, None, descending)


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()) is not None


# --- rendering ------------------------------------------------------------------------------


def _wanted(select: Any, flavor: Flavor) -> list[str]:
    names = select if isinstance(select, list | tuple) else ([select] if isinstance(select, str) and select else [])
    if not names or any(str(name) in ("*", "UF_*") for name in names):
        return [upper for upper, _camel, _kind in DEAL_FIELDS]
    chosen = [_FIELD_BY_NAME[str(name).lower()] for name in names if str(name).lower() in _FIELD_BY_NAME]
    if flavor == "item" and "ID" not in chosen:
        chosen.insert(0, "ID")  # crm.item.list always returns the id
    return list(dict.fromkeys(chosen))


def _as_deal_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if _KIND[field] == "float":
        return f"{value:.2f}"
    return str(value)


def _render(record: Mapping[str, Any], flavor: Flavor, select: Any) -> dict[str, Any]:
    return _render_fields(record, flavor, _wanted(select, flavor))


def _render_fields(record: Mapping[str, Any], flavor: Flavor, fields: list[str]) -> dict[str, Any]:
    """`_render` with the select already resolved: a page resolves it once, not per row."""
    if flavor == "deal":
        return {field: _as_deal_value(field, record[field]) for field in fields}
    rendered = {_CAMEL[field]: record[field] for field in fields}
    if "createdTime" in rendered:
        rendered["entityTypeId"] = 2
    return rendered


def entity_type_supported(entity_type_id: int) -> bool | None:
    """True for deals, False for other system types (empty lists), None for unknown types.

    The emulator has no smart processes, so every other id is an unknown one.
    """
    if entity_type_id == 2:
        return True
    if entity_type_id in _SYSTEM_ENTITY_TYPES:
        return False
    return None
