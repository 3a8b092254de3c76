"""Per-type tabs: one table per tab, each the fields an object takes for one variant.

The userfield pages describe SETTINGS once per field type (`string`, `integer`,
`enumeration`, ... tabs), and the fields differ between the tabs: DISPLAY takes CHECKBOX
or RADIO for a boolean field and LIST or UI for a list. The spec format has no
alternatives for an object's fields, so the tabs are joined without ever refusing what
one tab allows: a field listed in several tabs takes any of their types and, only when
every tab gives it a value list, any of their values; no field is required unless every
tab requires it; and the object stays open, since the docs say other variants exist.
"""

from __future__ import annotations

import copy
from typing import Any


def _union_types(types: list[str]) -> str:
    terms: list[str] = []
    for type_ in types:
        for term in type_.split("|"):
            if term not in terms:
                terms.append(term)
    if "any" in terms:
        return "any"
    return "|".join(terms)


def _enum_values(param: dict[str, Any]) -> list[Any]:
    return [item["value"] if isinstance(item, dict) else item for item in param["enum"]]


def _join_one(variants: list[dict[str, Any]], tabs: int) -> dict[str, Any]:
    """One field as listed in the tabs that have it (`tabs`: how many tabs there are)."""
    joined = copy.deepcopy(variants[0])
    joined["type"] = _union_types([variant["type"] for variant in variants])
    if len(variants) < tabs or not all(variant.get("required") for variant in variants):
        joined.pop("required", None)
    if all("enum" in variant for variant in variants):
        seen: list[Any] = []
        for variant in variants:
            seen += [value for value in _enum_values(variant) if value not in seen]
        joined["enum"] = seen
    else:
        joined.pop("enum", None)
    if any(variant.get("properties") != variants[0].get("properties") for variant in variants):
        joined.pop("properties", None)  # nested fields that differ per tab: leave the member unchecked inside
        joined["open"] = True
    for bound in ("minimum", "maximum", "max_length", "max_items"):
        if any(variant.get(bound) != joined.get(bound) for variant in variants):
            joined.pop(bound, None)
    return joined


def join(tables: list[dict[str, Any]]) -> dict[str, Any]:
    """The fields of all tabs' tables, relaxed so that every tab's valid value stays valid."""
    names: list[str] = []
    for table in tables:
        names += [name for name in table if name not in names]
    return {name: _join_one([table[name] for table in tables if name in table], len(tables)) for name in names}
