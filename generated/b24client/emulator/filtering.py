"""Filter keys with operator prefixes (`>=ID`, `@id`, `%TITLE`), shared by every list handler.

The docs describe one operator set for crm.deal.list, crm.item.list, sale.paysystem.list
and the payment sub-lists; only how a field's values are typed differs, so callers pass
a converter and this module does the comparing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

# Longest operators first so that ">=" is not read as ">".
OPERATORS = ("!=%", "!%=", "=%", "%=", "!@", "!%", ">=", "<=", "!=", "@", "%", "=", "!", ">", "<")
ID_OPERATORS = frozenset({"=", "!=", "!", ">", ">=", "<", "<=", "@", "!@"})

Typed = Callable[[Any], Any]


def split_operator(key: str) -> tuple[str, str]:
    """`>=ID` → (">=", "ID"); a key without prefix means equality."""
    for op in OPERATORS:
        if key.startswith(op):
            return op, key[len(op) :]
    return "=", key


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$", re.I | re.S)


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def passes(op: str, actual: Any, expected: Any, typed: Typed) -> bool:
    """Whether a record's (already typed) value passes `op expected`."""
    if op in ("@", "!@"):
        inside = actual in {typed(item) for item in as_list(expected)}
        return inside if op == "@" else not inside
    if op in ("%", "!%"):
        found = actual is not None and str(expected).lower() in str(actual).lower()
        return found if op == "%" else not found
    if op in ("=%", "%=", "!=%", "!%="):
        found = actual is not None and _like(str(expected)).match(str(actual)) is not None
        return found if op in ("=%", "%=") else not found
    wanted = typed(expected)
    if op == "=":
        return bool(actual == wanted)
    if op in ("!=", "!"):
        return bool(actual != wanted)
    if actual is None or wanted is None:
        return False
    try:
        if op == ">":
            return bool(actual > wanted)
        if op == ">=":
            return bool(actual >= wanted)
        if op == "<":
            return bool(actual < wanted)
        return bool(actual <= wanted)
    except TypeError:
        return False


def auto_typed(value: Any) -> Any:
    """Numbers stay numbers and numeric text becomes one; other values compare as text."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value
    text = str(value)
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def filter_records(records: Iterable[Mapping[str, Any]], filter_: Any) -> list[Mapping[str, Any]]:
    """Records passing a flat filter; keys match field names without regard to case."""
    if not isinstance(filter_, Mapping) or not filter_:
        return list(records)
    conditions = [(*split_operator(str(key)), value) for key, value in filter_.items()]
    kept = []
    for record in records:
        by_lower = {name.lower(): value for name, value in record.items()}
        if all(passes(op, auto_typed(by_lower.get(name.lower())), value, auto_typed) for op, name, value in conditions):
            kept.append(record)
    return kept


def order_records(records: list[Mapping[str, Any]], order: Any) -> list[Mapping[str, Any]]:
    """Records sorted by `{"field": "ASC"|"DESC", ...}`; missing values sort first."""
    if not isinstance(order, Mapping):
        return records
    ordered = list(records)
    for name, direction in reversed(list(order.items())):

        def key(record: Mapping[str, Any], name: str = str(name)) -> tuple[int, Any]:
            value = next((v for k, v in record.items() if k.lower() == name.lower()), None)
            typed = auto_typed(value)
            return (0, "") if typed is None else (1 if isinstance(typed, int | float) else 2, typed)

        ordered.sort(key=key, reverse=str(direction).upper() == "DESC")
    return ordered


def select_fields(records: Iterable[Mapping[str, Any]], select: Any) -> list[dict[str, Any]]:
    """Only the selected fields (all of them for an empty select or `*`)."""
    names = [str(name) for name in as_list(select) if name not in (None, "")] if select else []
    if not names or "*" in names:
        return [dict(record) for record in records]
    wanted = {name.lower() for name in names}
    return [{k: v for k, v in record.items() if k.lower() in wanted} for record in records]
