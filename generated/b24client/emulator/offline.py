"""The offline event queue of each application and the event.offline.* methods.

Semantics from api-reference/events/offline-events.md and the four method pages:

* one queue per application and `auth_connector` (a source key splits the queue);
* the queue keeps the latest state, not the history: an event for an object that already
  waits (same event name and data, not reserved) replaces the waiting record — a new `ID`
  and `TIMESTAMP_X`, the same `MESSAGE_ID`;
* event.offline.get returns the first `limit` (50) records by `TIMESTAMP_X`; with `clear=1`
  (the default) it deletes them, with `clear=0` it reserves them under a new `process_id`
  that hides them from other calls until event.offline.clear deletes them;
  `process_id` given again re-selects that process's records;
* event.offline.error marks records of a process as erroneous: they leave the process and
  come back only to calls with `error=1`;
* event.offline.list reads without changing anything, 50 a page, ordered by `ID`.

Choices where the pages are silent: `EVENT_ADDITIONAL` holds the `user_id` whose action
fired the event; clearing or failing records of an unknown process answers true.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .calls import Call, Handler, Reply, as_int, get_ci
from .filtering import as_list, filter_records, order_records
from .lists import PAGE_SIZE, start_value

GET_FIELDS = ("ID", "TIMESTAMP_X", "EVENT_NAME", "EVENT_DATA", "EVENT_ADDITIONAL", "MESSAGE_ID")
LIST_FIELDS = (*GET_FIELDS, "PROCESS_ID", "ERROR")


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class _Record:
    id: int
    client_id: str
    connector: str
    event: str
    data: Any
    user_id: int
    message_id: int
    timestamp: str = field(default_factory=_now)
    process_id: str = ""
    error: bool = False

    def key(self) -> tuple[str, str, str, str]:
        return self.client_id, self.connector, self.event, json.dumps(self.data, sort_keys=True, default=str)

    def row(self, fields: tuple[str, ...]) -> dict[str, Any]:
        full = {
            "ID": str(self.id),
            "TIMESTAMP_X": self.timestamp,
            "EVENT_NAME": self.event,
            "EVENT_DATA": self.data,
            "EVENT_ADDITIONAL": {"user_id": str(self.user_id)},
            "MESSAGE_ID": str(self.message_id),
            "PROCESS_ID": self.process_id,
            "ERROR": "1" if self.error else "0",
        }
        return {name: full[name] for name in fields}


class OfflineQueue:
    """Offline records of every app; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[int, _Record] = {}
        self._ids = itertools.count(1)
        self._message_ids: dict[tuple[str, str, str, str], int] = {}
        self._message_counter = itertools.count(1)

    def reset(self) -> None:
        with self._lock:
            self._records.clear()
            self._message_ids.clear()
            self._ids = itertools.count(1)
            self._message_counter = itertools.count(1)

    def put(self, client_id: str, connector: str, event: str, data: Any, user_id: int) -> bool:
        """Queue an event; True when it is a new waiting record (not a replaced one)."""
        record = _Record(0, client_id, connector, event, data, user_id, 0)
        with self._lock:
            key = record.key()
            record.message_id = self._message_ids.setdefault(key, next(self._message_counter))
            waiting = [r.id for r in self._records.values() if r.key() == key and not r.process_id and not r.error]
            for record_id in waiting:
                del self._records[record_id]
            record.id = next(self._ids)
            self._records[record.id] = record
        return not waiting

    def drop(self, client_id: str) -> None:
        """Forget an app's records (it was uninstalled)."""
        with self._lock:
            for record_id in [i for i, r in self._records.items() if r.client_id == client_id]:
                del self._records[record_id]

    def pending(self, client_id: str | None = None) -> int:
        """How many records wait (reserved ones included), for tests and introspection."""
        with self._lock:
            return sum(1 for r in self._records.values() if client_id is None or r.client_id == client_id)

    def handlers(self, app_of: Callable[[Call], str]) -> dict[str, Handler]:
        def bound(method: Callable[[str, Call], Reply]) -> Handler:
            return lambda call: method(app_of(call), call)

        return {
            "event.offline.get": bound(self.get),
            "event.offline.clear": bound(self.clear),
            "event.offline.error": bound(self.error),
            "event.offline.list": bound(self.list),
        }

    def _own(self, client_id: str, call: Call) -> list[_Record]:
        connector = str(get_ci(call.params, "auth_connector") or "")
        return [r for _, r in sorted(self._records.items()) if r.client_id == client_id and r.connector == connector]

    # --- methods --------------------------------------------------------------------------------

    def get(self, client_id: str, call: Call) -> Reply:
        clear = as_int(get_ci(call.params, "clear"))
        clear = 1 if clear is None else clear
        with_errors = (as_int(get_ci(call.params, "error")) or 0) == 1
        limit = as_int(get_ci(call.params, "limit"))
        limit = 50 if limit is None or limit <= 0 else limit
        given_process = str(get_ci(call.params, "process_id") or "")
        with self._lock:
            candidates = [r for r in self._own(client_id, call) if r.process_id == given_process and (with_errors or not r.error)]
            rows = {r.id: r for r in candidates}
            chosen_rows = order_records(
                filter_records([r.row(LIST_FIELDS) for r in candidates], get_ci(call.params, "filter")),
                get_ci(call.params, "order") or {"TIMESTAMP_X": "ASC", "ID": "ASC"},
            )[:limit]
            chosen = [rows[int(row["ID"])] for row in chosen_rows]
            process_id: str | None = None
            if clear:
                for record in chosen:
                    del self._records[record.id]
            elif chosen:
                process_id = given_process or secrets.token_hex(16)
                for record in chosen:
                    record.process_id = process_id
            events = [record.row(GET_FIELDS) for record in chosen]
        return Reply({"process_id": process_id, "events": events})

    def _of_process(self, client_id: str, call: Call) -> list[_Record]:
        process_id = str(get_ci(call.params, "process_id") or "")
        return [r for r in self._own(client_id, call) if process_id and r.process_id == process_id]

    def clear(self, client_id: str, call: Call) -> Reply:
        ids = {str(item) for item in as_list(get_ci(call.params, "id") or [])}
        message_ids = {str(item) for item in as_list(get_ci(call.params, "message_id") or [])}
        with self._lock:
            for record in self._of_process(client_id, call):
                if ids and str(record.id) not in ids:
                    continue  # `id` wins; `message_id` is ignored when `id` is given
                if not ids and message_ids and str(record.message_id) not in message_ids:
                    continue
                del self._records[record.id]
        return Reply(True)

    def error(self, client_id: str, call: Call) -> Reply:
        message_ids = {str(item) for item in as_list(get_ci(call.params, "message_id") or [])}
        with self._lock:
            for record in self._of_process(client_id, call):
                if str(record.message_id) in message_ids:
                    record.error = True
                    record.process_id = ""
        return Reply(True)

    def list(self, client_id: str, call: Call) -> Reply:
        with self._lock:
            rows = [r.row(LIST_FIELDS) for r in self._own(client_id, call)]
        given = get_ci(call.params, "filter")
        matched = order_records(
            filter_records(rows, given if isinstance(given, Mapping) else None), get_ci(call.params, "order") or {"ID": "ASC"}
        )
        offset = max(start_value(get_ci(call.params, "start") or 0), 0)
        page = [dict(row) for row in matched[offset : offset + PAGE_SIZE]]
        next_start = offset + PAGE_SIZE if offset + PAGE_SIZE < len(matched) else None
        return Reply(page, total=len(matched), next=next_start)
