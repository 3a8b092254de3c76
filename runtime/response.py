"""A successful reply: the result plus the paging and timing members around it."""

from __future__ import annotations

from typing import Any, NamedTuple


class Response(NamedTuple):
    """Immutable, and a NamedTuple rather than a dataclass so importing it costs nothing."""

    method: str
    result: Any
    total: int | None = None
    next: int | None = None
    time: dict[str, Any] = {}  # noqa: RUF012 - never mutated; from_payload always passes its own
    status: int = 200

    @classmethod
    def from_payload(cls, method: str, status: int, payload: dict[str, Any]) -> Response:
        total, next_ = payload.get("total"), payload.get("next")
        return cls(method, payload.get("result"), None if total is None else int(total),
                   None if next_ is None else int(next_), payload.get("time") or {}, status)
