"""Subscribing to events, and draining offline events for apps the portal cannot call.

An app behind a firewall binds events with `event_type=offline`; the portal queues them and
the app pulls them with event.offline.get (api-reference/events/offline-events.md). Pulled
with `clear=0`, a batch is reserved under a `process_id` instead of deleted, so an event is
deleted (event.offline.clear) only after its handler succeeded, and one whose handler failed
is marked (event.offline.error) rather than lost or handed out again forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

log = logging.getLogger("b24client.inbound")


class Caller(Protocol):
    """What these helpers need of a client: `Bitrix24.call`."""

    def call(self, method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2) -> Any: ...


def bound(b24: Caller) -> set[tuple[str, str]]:
    """The (event name, handler URL) pairs this app has bound on the portal (event.get)."""
    result = b24.call("event.get")
    rows = result if isinstance(result, list) else []
    return {(str(row.get("event", "")).upper(), str(row.get("handler", ""))) for row in rows if isinstance(row, Mapping)}


def ensure_bound(
    b24: Caller, handlers: Mapping[str, str], *, event_type: Literal["online", "offline"] = "online", auth_type: int | None = None
) -> list[str]:
    """Bind each `{event name: handler URL}` not bound yet (URL "" for offline); the names bound now, sorted.

    Safe to run on every install or start: binding the same pair twice is avoided, since
    the portal would then call the handler twice per event."""
    have = bound(b24)
    added: list[str] = []
    for name, url in sorted(handlers.items()):
        if (name.upper(), url) in have:
            continue
        params: dict[str, Any] = {"event": name.upper()}
        if url:  # offline bindings have no handler
            params["handler"] = url
        if event_type == "offline":
            params["event_type"] = "offline"
        if auth_type is not None:
            params["auth_type"] = auth_type
        b24.call("event.bind", params)
        added.append(name.upper())
    return added


@dataclass(frozen=True)
class OfflineEvent:
    """One queued record of event.offline.get."""

    id: int
    message_id: str
    name: str
    data: Any
    additional: Any
    timestamp: str

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OfflineEvent:
        return cls(
            id=int(record["ID"]),
            message_id=str(record.get("MESSAGE_ID", "")),
            name=str(record.get("EVENT_NAME", "")).upper(),
            data=record.get("EVENT_DATA"),
            additional=record.get("EVENT_ADDITIONAL"),
            timestamp=str(record.get("TIMESTAMP_X", "")),
        )


@dataclass
class DrainReport:
    processed: list[int] = field(default_factory=list)  # record IDs cleared after their handler succeeded
    failed: list[str] = field(default_factory=list)  # MESSAGE_IDs marked with event.offline.error
    rounds: int = 0  # event.offline.get calls that returned records


def drain_offline(
    b24: Caller,
    handler: Callable[[OfflineEvent], object],
    *,
    limit: int = 50,
    auth_connector: str | None = None,
    max_rounds: int = 10_000,
) -> DrainReport:
    """Pull queued events until the queue is empty, handing each to `handler`.

    Each batch is reserved (`clear=0`); after it the records whose handler returned are
    cleared by ID, and those whose handler raised are marked erroneous by MESSAGE_ID (the
    portal keeps them, and `event.offline.get` with `error=1` returns them for a retry).
    A call that fails raises: the batch stays reserved under its process_id, not lost."""
    report = DrainReport()
    while report.rounds < max_rounds:
        params: dict[str, Any] = {"clear": 0, "limit": limit}
        if auth_connector:
            params["auth_connector"] = auth_connector
        result = b24.call("event.offline.get", params)
        records = result.get("events") if isinstance(result, Mapping) else None
        if not records:
            return report
        report.rounds += 1
        process_id = str(result.get("process_id") or "")
        done: list[int] = []
        failed: list[str] = []
        for record in records:
            event = OfflineEvent.from_record(record)
            try:
                handler(event)
                done.append(event.id)
            except Exception as exc:
                log.error("offline handler failed on %s (ID %s): %s: %s", event.name, event.id, type(exc).__name__, exc)
                failed.append(event.message_id)
        if failed:
            b24.call("event.offline.error", {"process_id": process_id, "message_id": failed})
        if done:
            b24.call("event.offline.clear", {"process_id": process_id, "id": done})
        report.processed += done
        report.failed += failed
    return report
