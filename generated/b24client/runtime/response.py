"""A successful reply: the result plus the paging and timing members around it."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .exceptions import ResponseFormatError

_COUNT_TEXT = re.compile(r"-?[0-9]{1,18}")


def parse_count(method: str, status: int, name: str, value: Any) -> int | None:
    """`total` / `next` as the portal sends them (a number, sometimes as text); anything else
    is a reply we cannot trust, not a reason to crash with a ValueError."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
        return value  # some pages document -1 for "not counted"
    if isinstance(value, str) and _COUNT_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, float) and value.is_integer() and -(2**63) <= value < 2**63:
        return int(value)
    # Only the type is shown: the value is the server's text, which may echo anything (a token).
    raise ResponseFormatError(method, status, f"{name} is not a count but a {type(value).__name__}")


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
        time = payload.get("time")
        return cls(
            method,
            payload.get("result"),
            parse_count(method, status, "total", payload.get("total")),
            parse_count(method, status, "next", payload.get("next")),
            time if isinstance(time, dict) else {},
            status,
        )
