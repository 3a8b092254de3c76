"""Resolve type expressions (`crm_currency.CURRENCY[]`, `string|object`) against spec/types.yaml."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from b24client.runtime.validate import PRIMITIVE_KINDS as PRIMITIVE_KINDS  # re-exported: the kinds, for codegen

_Entry = TypeVar("_Entry")


def per_kind(table: dict[str, _Entry], *, built_elsewhere: Iterable[str] = ()) -> dict[str, _Entry]:
    """`table`, once it is known to have an entry for every primitive kind and nothing else.

    The kinds are the runtime validator's (`PRIMITIVE_KINDS`); codegen's tables keyed by
    them are wrapped in this at import, so a kind added there fails here, loudly, instead of
    a KeyError on the first spec that uses it. `built_elsewhere` names kinds the caller
    handles in code and so leaves out of the table.
    """
    skipped = set(built_elsewhere)
    missing = [kind for kind in PRIMITIVE_KINDS if kind not in table and kind not in skipped]
    extra = sorted(set(table) - set(PRIMITIVE_KINDS))
    if missing or extra:
        raise LookupError(f"a table per primitive kind lacks {missing} and has unknown kinds {extra}")
    return table


class TypeRegistry:
    def __init__(self, entries: dict[str, dict[str, Any]]) -> None:
        self._entries = entries

    def kind_of(self, name: str) -> str:
        """Follow `base` links to a primitive kind; raise KeyError on unknown names or cycles."""
        seen: list[str] = []
        current = name
        while True:
            entry = self._entries.get(current)
            if current in PRIMITIVE_KINDS and (entry is None or entry["base"] == current):
                return current
            if entry is None:
                raise KeyError(f"unknown type {current!r}")
            if current in seen:
                raise KeyError(f"type cycle: {' -> '.join([*seen, current])}")
            seen.append(current)
            current = entry["base"]

    def resolve(self, expression: str) -> list[tuple[str, int]]:
        """Return the union's alternatives as (primitive kind, array depth) pairs."""
        alternatives = []
        for term in expression.split("|"):
            depth = 0
            while term.endswith("[]"):
                term, depth = term[:-2], depth + 1
            alternatives.append((self.kind_of(term), depth))
        return alternatives

    def problems(self) -> list[str]:
        found = []
        for name in sorted(self._entries):
            try:
                self.kind_of(name)
            except KeyError as exc:
                found.append(f"types.yaml: {name}: {exc.args[0]}")
        return found
