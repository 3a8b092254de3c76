"""What the docs forbid in the shape of values, read into a draft's parameters.

The parameter tables give names and types; the rest of a value's shape sits in prose
around them: value lists in description cells (enums, see values.py), nested tables
linked by anchors (subtables.py), per-variant tabs (tabs.py), bounds ("at most 255
characters"). This module applies the page-wide passes that need the whole draft: it
counts what subtables.assemble did, and it keeps the draft consistent with the page's
own example request, so that no rule read from prose refuses what the page sends.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from . import examples, params, subtables, yfm


def count_subtables(outcome: subtables.Outcome, counts: Counter[str], findings: list[str]) -> None:
    counts["sub-tables attached by an anchor link"] += outcome.by_anchor
    counts["sub-tables of field names (linked from select, or from several parameters) not taken as members"] += len(
        outcome.field_name_tables
    )
    counts["sub-tables linked only from scalar parameters not taken as members"] += len(outcome.scalar_linked)
    counts["per-variant tab groups joined"] += len(outcome.tab_groups)
    counts["linked sections left out for a sub-heading that names the parameter"] += len(outcome.shadowed)
    for heading in outcome.field_name_tables:
        findings.append(f"the table under '{heading}' lists field names for select/filter/order, not members")
    for heading in outcome.scalar_linked:
        findings.append(f"the table under '{heading}' is linked from a scalar parameter only: not its members")
    for heading in outcome.shadowed:
        findings.append(f"the tables right under '{heading}' are not members: a sub-heading naming the parameter holds them")
    for heading in outcome.tab_groups:
        findings.append(f"the tabs under '{heading}' are variants: joined, none required, object open")


def _given(value: dict[str, Any], name: str, top: bool) -> Any:
    """The example's value for `name`; top-level REST v2 names match without regard to case."""
    if name in value or not top:
        return value.get(name)
    lowered = {str(key).lower(): key for key in value}
    return value.get(lowered.get(name.lower(), name))


def reconcile(level: dict[str, Any], value: dict[str, Any], path: str, notes: list[str], top: bool = True) -> None:
    """Relax nested rules the page's own example request breaks, noting each choice.

    The example is what the portal accepts: a nested field the tables mark required but
    the example leaves out stops being required, and a member the example sends as a list
    of objects where the table says one object takes either.
    """
    for name, param in level.items():
        given = _given(value, name, top)
        here = f"{path}.{name}" if path else name
        if given is None:
            continue
        if isinstance(given, list) and given and all(isinstance(item, dict) for item in given) and not top:
            type_ = param["type"]
            if params.is_structured(type_) and not any(term.endswith("[]") or term == "array" for term in type_.split("|")):
                param["type"] = f"{type_}|{type_.split('|')[0]}[]"
                notes.append(f"`{here}`: the example sends a list of objects where the table says one; both are taken")
        elements = (
            [given]
            if isinstance(given, dict)
            else [item for item in given if isinstance(item, dict)]
            if isinstance(given, list)
            else []
        )
        fields = param.get("properties") or param.get("items", {}).get("properties")
        if not fields:
            continue
        for element in elements:
            for child, child_param in fields.items():
                if child_param.get("required") and child not in element:
                    del child_param["required"]
                    notes.append(f"`{here}.{child}`: the table marks it required, the example leaves it out; not required")
            reconcile(fields, element, here, notes, top=False)


_LITERAL = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?|true|false))"""


def _example_values(name: str, texts: list[str], top: bool) -> set[str]:
    """Literal values the page's code examples give a key called `name` (JSON, JS, PHP, Python)."""
    flags = re.IGNORECASE if top else 0
    key = re.compile(r"""["']""" + re.escape(name) + r"""["']\s*(?::|=>)\s*(\[[^\]]*\]|""" + _LITERAL + ")", flags)
    found: set[str] = set()
    for text in texts:
        for match in key.finditer(text):
            value = match.group(1)
            if value.startswith("["):
                for item in re.finditer(_LITERAL, value):
                    found.add(next(group for group in item.groups() if group is not None))
            else:
                found.add(next(group for group in match.groups()[1:] if group is not None))
    return found


def _within(param: dict[str, Any], value: str) -> bool:
    if "max_length" in param and len(value) > param["max_length"]:
        return False
    try:
        number = float(value)
    except ValueError:
        return True
    return bool(param.get("minimum", number) <= number <= param.get("maximum", number))


def drop_contradicted(level: dict[str, Any], texts: list[str], notes: list[str], path: str = "", top: bool = True) -> int:
    """Remove enums and bounds that a value in the page's own code examples breaks; how many were removed."""
    removed = 0
    for name, param in level.items():
        here = f"{path}.{name}" if path else name
        if "enum" in param:
            allowed = {str(value) for value in param["enum"]} | {
                str(value).lower() for value in param["enum"] if isinstance(value, bool)
            }
            outside = sorted(_example_values(name, texts, top) - allowed)
            if outside:
                del param["enum"]
                removed += 1
                notes.append(
                    f"`{here}`: the listed values are not the closed set (the examples send "
                    f"{', '.join(repr(v) for v in outside[:3])}); no enum"
                )
        if any(bound in param for bound in ("minimum", "maximum", "max_length")):
            broken = [value for value in _example_values(name, texts, top) if not _within(param, value)]
            if broken:
                for bound in ("minimum", "maximum", "max_length"):
                    param.pop(bound, None)
                removed += 1
                notes.append(f"`{here}`: the examples send {broken[0]!r}, outside the stated bound; no bound")
        if "properties" in param:
            removed += drop_contradicted(param["properties"], texts, notes, here, top=False)
        if "properties" in param.get("items", {}):
            removed += drop_contradicted(param["items"]["properties"], texts, notes, here, top=False)
        if "properties" in param.get("values", {}):
            removed += drop_contradicted(param["values"]["properties"], texts, notes, here, top=False)
    return removed


def settle_case_clashes(tree: dict[str, Any], request: dict[str, Any] | None, notes: list[str]) -> None:
    """Two top-level names that differ only in case are one REST v2 parameter: keep the example's.

    department.get lists `sort` (the field to sort by) and `SORT` (a filter on the SORT
    field); the portal reads names without regard to case, so only one can be sent. The
    spelling the page's example request uses wins, else the first listed. The kept name still
    takes every value the page documents under either spelling: `SORT=5` must not be refused
    because `sort` lists field names, so differing types are joined and a value list that only
    one spelling has is dropped.
    """
    by_case: dict[str, list[str]] = {}
    for name in tree:
        by_case.setdefault(name.lower(), []).append(name)
    for names in by_case.values():
        if len(names) < 2:
            continue
        used = [name for name in names if request and name in request]
        kept = used[0] if used else names[0]
        widened = False
        for name in names:
            if name != kept:
                widened |= _absorb(tree[kept], tree.pop(name))
        why = "the example request sends it" if used else "listed first; the example sends neither"
        notes.append(
            f"`{'`, `'.join(names)}` are one parameter, as REST v2 reads names without regard to case: "
            f"`{kept}` is kept ({why})" + ("; it takes the values documented for each spelling" if widened else "")
        )


def _absorb(kept: dict[str, Any], other: dict[str, Any]) -> bool:
    """Widen `kept` to accept what the page documents for `other`; true when it changed."""
    before = dict(kept)
    kinds = kept["type"].split("|")
    kinds += [kind for kind in other["type"].split("|") if kind not in kinds]
    kept["type"] = "|".join(kinds)
    if "enum" in kept and kept.get("enum") != other.get("enum"):
        del kept["enum"]
    if kept.get("required") and not other.get("required"):
        del kept["required"]
    return kept != before


def request_bodies(blocks: list[yfm.Block], method: str) -> list[dict[str, Any]]:
    """Every cURL request body on the page that calls `method` (webhook and OAuth tabs alike)."""
    bodies = []
    for block in blocks:
        if not (isinstance(block, yfm.Code) and examples.is_curl(block)):
            continue
        if method.lower() not in (found.group(2).lower() for found in examples.URL.finditer(block.text)):
            continue
        data = examples.DATA.search(block.text)
        if data is None:
            continue
        body = data.group(1) if data.group(1) is not None else data.group(2).replace('\\"', '"')
        parsed = examples.loads(body.replace("'\\''", "'"))
        if isinstance(parsed, dict):
            parsed.pop("auth", None)
            bodies.append(parsed)
    return bodies
