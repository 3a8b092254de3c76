"""Is one type wider than another? For parameters, as the client's validator judges values;
for result fields, as JSON Schema types.

A parameter type is a set of (primitive kind, array depth) alternatives, from the tree's own
type registry, so `widget.ID` and `integer` compare equal. Which kind covers which is not
written down by hand: it is read off the validator (`runtime.validate`) by trying one value
of every shape against each kind, so the diff cannot disagree with what the client accepts.
"""

from __future__ import annotations

import datetime as _dt
from functools import cache
from typing import Any

from b24client.runtime.validate import PRIMITIVE_KINDS, _kind_matches

from ..typeexpr import TypeRegistry

Alternative = tuple[str, int]  # (primitive kind, array depth)

# One value of each shape the validator tells apart.
_SAMPLES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    1,
    7,
    -3,
    2.5,
    "0",
    "1",
    "42",
    "2.5",
    "Y",
    "N",
    "x",
    "",
    "text",
    "2026-01-31",
    _dt.date(2026, 1, 31),
    _dt.datetime(2026, 1, 31, 12, 0),
    [],
    [1],
    ("a",),
    {},
    {"k": 1},
)


@cache
def _accepted(kind: str) -> frozenset[int | str]:
    if kind not in PRIMITIVE_KINDS:  # a name the registry does not know: only itself covers it
        return frozenset({kind})
    return frozenset(index for index, value in enumerate(_SAMPLES) if _kind_matches(kind, value))


def kind_covers(wide: str, narrow: str) -> bool:
    return wide == narrow or _accepted(narrow) <= _accepted(wide)


def _alternative_covers(wide: Alternative, narrow: Alternative) -> bool:
    (wide_kind, wide_depth), (narrow_kind, narrow_depth) = wide, narrow
    if wide_depth == narrow_depth:
        return kind_covers(wide_kind, narrow_kind)
    if wide_depth < narrow_depth:  # a plain kind that takes any list covers a typed list
        return kind_covers(wide_kind, "array")
    return False


def covers(wide: frozenset[Alternative], narrow: frozenset[Alternative]) -> bool:
    """Every value `narrow` accepts, `wide` accepts too."""
    return all(any(_alternative_covers(w, n) for w in wide) for n in narrow)


def compare(old: frozenset[Alternative], new: frozenset[Alternative]) -> str | None:
    """`widened`, `narrowed`, `changed`, or None when both accept the same values."""
    old_in_new, new_in_old = covers(new, old), covers(old, new)
    if old_in_new and new_in_old:
        return None
    if old_in_new:
        return "widened"
    if new_in_old:
        return "narrowed"
    return "changed"


def param_type(param: dict[str, Any], registry: TypeRegistry) -> frozenset[Alternative]:
    alternatives: set[Alternative] = set()
    for term in str(param.get("type", "any")).split("|"):
        try:
            alternatives.update(registry.resolve(term))
        except KeyError:
            depth = len(term) - len(term.rstrip("[]"))
            alternatives.add((term.rstrip("[]"), depth // 2))
    if param.get("nullable"):
        alternatives.add(("null", 0))
    return frozenset(alternatives)


def describe(alternatives: frozenset[Alternative]) -> str:
    return "|".join(sorted(kind + "[]" * depth for kind, depth in alternatives))


# JSON Schema types of result fields: an integer is a number; a schema without a type is anything.
_JSON_WIDER = {"number": {"integer"}}


def schema_types(schema: dict[str, Any]) -> frozenset[str]:
    declared = schema.get("type")
    if declared is None:
        return frozenset({"any"})
    return frozenset([declared] if isinstance(declared, str) else declared)


def compare_json_types(old: frozenset[str], new: frozenset[str]) -> str | None:
    def covers_json(wide: frozenset[str], narrow: frozenset[str]) -> bool:
        return "any" in wide or all(n in wide or any(n in _JSON_WIDER.get(w, ()) for w in wide) for n in narrow)

    old_in_new, new_in_old = covers_json(new, old), covers_json(old, new)
    if old_in_new and new_in_old:
        return None
    return "widened" if old_in_new else "narrowed" if new_in_old else "changed"
