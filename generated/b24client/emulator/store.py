"""One generic in-memory record store for every stateful entity family.

Records are plain dicts keyed by the family's own field names (UPPER_CASE for crm.contact,
camelCase for crm.item). A family may be split by scope parameters (crm.item by
`entityTypeId`, lists.element by `IBLOCK_ID`): each scope has its own records and its own
id counter, as on a portal where every smart process numbers its items from 1.

Listing reuses the operator set of `filtering` and the paging protocol of the deal table:
pages of 50, `start=-1` counts nothing (`total` 0, no `next`).
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .filtering import filter_records, order_records, select_fields
from .lists import PAGE_SIZE, ListPage, start_value

Scope = tuple[tuple[str, str], ...]  # sorted (parameter, value) pairs; () for unscoped families


@dataclass
class _Table:
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


class RecordStore:
    """Records of every family and scope; thread-safe; `reset()` empties it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._tables: dict[tuple[str, Scope], _Table] = {}

    def _table(self, family: str, scope: Scope) -> _Table:
        return self._tables.setdefault((family, scope), _Table())

    def reset(self) -> None:
        with self._lock:
            self._tables.clear()

    def families(self) -> dict[str, int]:
        """Family name → number of records (all scopes), for introspection."""
        with self._lock:
            counts: dict[str, int] = {}
            for (family, _scope), table in self._tables.items():
                counts[family] = counts.get(family, 0) + len(table.records)
            return counts

    def add(self, family: str, scope: Scope, record: Mapping[str, Any], id_key: str, record_id: int | None = None) -> int:
        """Store a record under a new id (or the given one, for seeding); returns the id."""
        with self._lock:
            table = self._table(family, scope)
            if record_id is None:
                record_id = next(table.ids)
                while record_id in table.records:
                    record_id = next(table.ids)
            else:
                # keep the counter above seeded ids so later adds never collide
                highest = max([record_id, *table.records])
                table.ids = itertools.count(highest + 1)
            stored = copy.deepcopy(dict(record))
            stored[id_key] = record_id
            table.records[record_id] = stored
            return record_id

    def get(self, family: str, scope: Scope, record_id: int) -> dict[str, Any] | None:
        with self._lock:
            record = self._table(family, scope).records.get(record_id)
            return copy.deepcopy(record) if record is not None else None

    def update(self, family: str, scope: Scope, record_id: int, changes: Mapping[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            record = self._table(family, scope).records.get(record_id)
            if record is None:
                return None
            record.update(copy.deepcopy(dict(changes)))
            return copy.deepcopy(record)

    def delete(self, family: str, scope: Scope, record_id: int) -> bool:
        with self._lock:
            return self._table(family, scope).records.pop(record_id, None) is not None

    def query(
        self, family: str, scope: Scope, filter_: Any = None, order: Any = None, select: Any = None, start: Any = 0
    ) -> ListPage:
        """One page, as crm.deal.list pages: 50 rows, `total`/`next` unless start is -1."""
        with self._lock:
            records = [copy.deepcopy(r) for _, r in sorted(self._table(family, scope).records.items())]
        offset = start_value(start)
        counting = offset >= 0
        offset = max(offset, 0)
        matched = order_records(filter_records(records, _flat(filter_)), order)
        total = len(matched) if counting else None
        page = select_fields(matched[offset : offset + PAGE_SIZE], select)
        next_start = offset + PAGE_SIZE if total is not None and offset + PAGE_SIZE < total else None
        return ListPage(page, total, next_start, offset)


def _flat(filter_: Any) -> Any:
    """Filters are flat here; a `LOGIC` key (only the deal table evaluates groups) is dropped."""
    if isinstance(filter_, Mapping):
        return {key: value for key, value in filter_.items() if str(key).upper() != "LOGIC"}
    return filter_
