"""The contract between the portal and the method handlers.

A handler receives a `Call` (the method, its decoded parameters, who calls) and returns a
`Reply`, or raises `MethodError`. Errors are built through `Call.fail`, which takes the
code and HTTP status from the method's spec, so a handler states only what went wrong
("not_found", "Payment has not been found") and the wire answer matches what the spec
documents, and therefore the exception the client raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .auth import Identity
from .specbook import SpecBook


class MethodError(Exception):
    """A documented error answer of a method: HTTP status, `error`, `error_description`."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.code = code
        self.description = description


@dataclass
class Reply:
    """A successful answer; `cost` is the simulated portal time in seconds (None: default)."""

    result: Any
    total: int | None = None
    next: int | None = None
    cost: float | None = None


@dataclass
class Call:
    method: str  # wire name as the spec spells it
    method_id: str  # `method`, or `method@v3`
    params: dict[str, Any]
    identity: Identity
    specs: SpecBook = field(repr=False)

    def fail(self, category: str, description: str, code: str | None = None) -> MethodError:
        """The error this method documents for `category` (and `code`, when given)."""
        code_out, status = self.specs.error_for(self.method_id, category, description, code)
        return MethodError(status, code_out, description)

    def find(self, store: Mapping[int, dict[str, Any]], key: str, description: str, code: str | None = None) -> dict[str, Any]:
        """The record whose id is in parameter `key`, or the method's documented not-found error."""
        record = store.get(as_int(get_ci(self.params, key)) or 0)
        if record is None:
            raise self.fail("not_found", description, code)
        return record


Handler = Callable[[Call], Reply]
# (family, verb, record id, call): a handler changed a record; the portal turns it into events.
Notify = Callable[[str, str, int, Call], None]


def no_notify(family: str, verb: str, record_id: int, call: Call) -> None:
    """The default of handlers built without a portal (nothing listens)."""


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("-").isdigit():
            return int(text)
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def get_ci(params: Mapping[str, Any], name: str) -> Any:
    """A parameter by name, ignoring case (the portal reads `ID` and `id` alike)."""
    if name in params:
        return params[name]
    lowered = name.lower()
    for key, value in params.items():
        if key.lower() == lowered:
            return value
    return None
