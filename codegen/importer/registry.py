"""The type registry as the importer sees it: spec/types.yaml plus a guessed base for the rest.

A type name the docs use but types.yaml lacks still needs a kind while importing (to
check example requests, to type result schemas); the guess is the same one written to
spec/imported-types.yaml, so what the importer checks is what the loader will load.
"""

from __future__ import annotations

from typing import Any

from ..typeexpr import PRIMITIVE_KINDS, TypeRegistry
from . import typeexpr


class _Guessing(dict[str, dict[str, Any]]):
    """Registry entries that answer `.get` for unknown names with the guessed entry."""

    def get(self, key: str, default: Any = None) -> Any:
        found = super().get(key)
        if found is not None or key in PRIMITIVE_KINDS:
            return found if found is not None else default
        if typeexpr.TYPE_EXPR.match(key) and "|" not in key and not key.endswith("[]"):
            return {"base": typeexpr.guessed_base(key)}
        return default


class ImportRegistry:
    def __init__(self, curated: dict[str, dict[str, Any]]) -> None:
        self.curated = curated
        self.types = TypeRegistry(_Guessing(curated))

    def kind_or_none(self, name: str) -> str | None:
        try:
            return self.types.kind_of(name)
        except KeyError:
            return None

    def proposed(self, names: set[str]) -> dict[str, dict[str, str]]:
        """imported-types.yaml entries for the names types.yaml lacks, sorted by name."""
        missing = sorted(name for name in names if name not in self.curated and name not in PRIMITIVE_KINDS)
        summary = "Imported from the docs; base guessed from the name {!r}."
        return {name: {"base": typeexpr.guessed_base(name), "summary": summary.format(name)} for name in missing}
