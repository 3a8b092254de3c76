"""What the emulator remembers about traffic: the request log and the counters.

Tests read these to check what a client really sent (the exact body and content type),
how it reacted to limits (how many 503s and 429s it provoked), and how often it called
each method. Secrets are masked on the way in: the webhook code in the path and `auth`
in the decoded parameters. The raw body is kept byte for byte on purpose (a test may
compare wire bodies); with OAuth it can contain the emulator's own access token.
"""

from __future__ import annotations

import base64
import copy
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

MASK = "***"


def mask_params(params: Any) -> Any:
    """A deep copy (handlers may keep and change what they were given) with `auth` masked."""
    if isinstance(params, dict):
        return {key: (MASK if key == "auth" else copy.deepcopy(value)) for key, value in params.items()}
    return copy.deepcopy(params)


@dataclass(frozen=True)
class SubCall:
    """One command of a batch."""

    label: str
    method: str
    params: dict[str, Any]
    status: int
    error: str | None
    ignored: tuple[str, ...] = ()  # undocumented parameters the method dropped
    fault: str | None = None  # the command fault that replaced it (command_faults.py)


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request to a REST or token URL, after it was answered."""

    seq: int
    started_at: float
    http_method: str
    path: str  # webhook code masked
    api_version: int | None
    auth_kind: str | None  # "webhook", "oauth", or None (token endpoint, unparsable URL)
    method: str | None
    params: dict[str, Any]  # decoded query + body, `auth` masked
    status: int  # 0 when the connection was reset instead of answered
    error: str | None
    duration: float  # real seconds spent answering
    processing: float  # simulated portal seconds (cost model)
    raw_body: bytes = field(repr=False)
    content_type: str
    query: str = field(repr=False)
    fault: str | None = None
    batch: tuple[SubCall, ...] = ()
    replayed: bool = False  # v3: answered from the Idempotency-Key store, the method did not run
    ignored: tuple[str, ...] = ()  # undocumented parameters the method dropped, as the portal does

    @property
    def body_text(self) -> str:
        return self.raw_body.decode("utf-8", errors="replace")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["raw_body"] = self.body_text
        data["raw_body_base64"] = base64.b64encode(self.raw_body).decode("ascii")
        data["batch"] = [asdict(sub) for sub in self.batch]
        return data


class Traffic:
    """Thread-safe log and counters."""

    def __init__(self, max_records: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._max = max_records
        self._records: list[RequestRecord] = []
        self._seq = 0
        self._reset_counters()

    def _reset_counters(self) -> None:
        self._requests = 0
        self._status: Counter[int] = Counter()
        self._faults: Counter[str] = Counter()
        self._methods: dict[str, Counter[str]] = {}
        self._limits: Counter[str] = Counter()

    def next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def count_method(self, method: str, status: int, in_batch: bool) -> None:
        with self._lock:
            counts = self._methods.setdefault(method, Counter())
            counts["calls"] += 1
            counts["in_batch"] += int(in_batch)
            counts["errors"] += int(status >= 400)
            counts[f"status_{status}"] += 1

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._requests += 1
            self._status[record.status] += 1
            for sub in record.batch:
                if sub.fault:
                    self._faults[f"command_{sub.fault}"] += 1
            if record.fault:
                self._faults[record.fault] += 1
            else:  # refusals by the emulated limits, not scripted or random faults
                errors = [record.error, *(sub.error for sub in record.batch if not sub.fault)]
                self._limits["query_limit_exceeded"] += errors[:1].count("QUERY_LIMIT_EXCEEDED")
                self._limits["operation_time_limit"] += errors.count("OPERATION_TIME_LIMIT")
            self._records.append(record)
            if len(self._records) > self._max:
                del self._records[: len(self._records) - self._max]

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def counters(self) -> dict[str, Any]:
        """Plain-dict snapshot: requests, per-status counts, limit hits, faults, per-method counts."""
        with self._lock:
            return {
                "requests": self._requests,
                "status": {str(code): count for code, count in sorted(self._status.items())},
                "query_limit_exceeded": self._limits["query_limit_exceeded"],
                "operation_time_limit": self._limits["operation_time_limit"],
                "faults": dict(self._faults),
                "methods": {name: dict(counts) for name, counts in sorted(self._methods.items())},
            }

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._reset_counters()
