"""Resolve type expressions (`crm_currency.CURRENCY[]`, `string|object`) against spec/types.yaml."""

from __future__ import annotations

from typing import Any

PRIMITIVE_KINDS = (
    "string",
    "integer",
    "number",
    "boolean",
    "char",
    "date",
    "datetime",
    "object",
    "array",
    "any",
    "null",
    "file",
)


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
