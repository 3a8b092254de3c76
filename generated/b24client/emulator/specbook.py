"""The emulator's view of the compiled method specs: lookup, validation, documented errors.

The specs themselves are loaded by `b24client.runtime.specs` and checked by
`b24client.runtime.validate`, the same code the client runs, so the emulator and the
client can never disagree about which methods exist or which parameters are valid. This
module only adds what a server needs on top: case-insensitive method names (the portal
accepts `crm.item.payment.product.setquantity`) and choosing the documented error entry
for a failure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from b24client.runtime.specs import ErrorSpec, MethodSpec

GENERIC_INVALID = ("ERROR_ARGUMENT", 400)
GENERIC_FAILURE = ("0", 400)


def _category(entry: Mapping[str, Any]) -> str | None:
    """An entry's category; without one the HTTP status decides, as it does for the client."""
    from b24client.runtime.exceptions import category_for_status

    category: str | None = entry.get("category") or category_for_status(int(entry["status"]))
    return category


def _runtime_specs() -> Any:
    from b24client.runtime import specs

    return specs


class SpecBook:
    """Method lookup by wire name over whatever specs the installed package carries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_lower: dict[str, str] | None = None

    def _index(self) -> dict[str, str]:
        with self._lock:
            if self._by_lower is None:
                try:
                    ids = tuple(_runtime_specs().method_ids())
                except ImportError:  # no generated package yet: only stateful handlers exist
                    ids = ()
                self._by_lower = {method_id.lower(): method_id for method_id in ids}
            return self._by_lower

    def method_ids(self) -> tuple[str, ...]:
        return tuple(self._index().values())

    def canonical(self, method_id: str) -> str | None:
        """The spec's spelling of a method id, or None when no spec has it."""
        return self._index().get(method_id.lower())

    def get(self, method_id: str) -> MethodSpec | None:
        canonical = self.canonical(method_id)
        spec: MethodSpec | None = _runtime_specs().get(canonical) if canonical else None
        return spec

    def example(self, method_id: str) -> Mapping[str, Any] | None:
        """The docs' example of a method (kept apart from the spec: only the emulator reads it)."""
        canonical = self.canonical(method_id)
        found: Mapping[str, Any] | None = _runtime_specs().example(canonical) if canonical else None
        return found

    def validate(self, method_id: str, params: Mapping[str, Any], *, skip: frozenset[str] = frozenset()) -> list[str]:
        """Readable problems with the parameters; empty when valid or when there is no spec.

        Problems of the rules in `skip` are left out: a stateful handler answers those
        itself, with the error the method's page documents for them."""
        canonical = self.canonical(method_id)
        if canonical is None:
            return []
        from b24client.runtime.validate import validate

        return [str(problem) for problem in validate(canonical, dict(params)) if problem.rule not in skip]

    def errors(self, method_id: str) -> list[ErrorSpec]:
        spec = self.get(method_id)
        return list(spec.get("errors", [])) if spec else []

    def error_for(self, method_id: str, category: str, description: str, code: str | None = None) -> tuple[str, int]:
        """Code and status of the documented error for a failure of `category`.

        Candidates are the entries with that code (when given) or else that category
        (an entry without `category` has the one its HTTP status implies);
        among them an entry whose `match` accepts the description wins, then one without
        `match`, then the first. With no candidate, an entry of any category whose `match`
        is exactly the description; else the given code, or a generic one.
        """
        entries = self.errors(method_id)
        candidates = [e for e in entries if e["code"] == code] if code is not None else []
        if not candidates:
            candidates = [e for e in entries if _category(e) == category]
        for entry in candidates:
            pattern = entry.get("match")
            if pattern and re.search(pattern, description):
                return entry["code"], int(entry["status"])
        for entry in candidates:
            if not entry.get("match"):
                return entry["code"], int(entry["status"])
        if candidates:
            return candidates[0]["code"], int(candidates[0]["status"])
        # no entry of that category (pages rarely give one): an entry whose message is this
        # one (crm.deal.get documents `""` "Not found" with status 400 and no category)
        for entry in entries if code is None else ():
            pattern = entry.get("match")
            if pattern and re.fullmatch(pattern, description):
                return entry["code"], int(entry["status"])
        if code is not None:
            return code, 400
        return GENERIC_INVALID if category == "invalid" else GENERIC_FAILURE
