"""Valid requests built from a compiled spec alone, reaching every nested object they can.

codegen/testcases.py builds the minimal request the generated tests replay (required names
only, arrays empty). The tree-wide checks of required members need more: optional objects
filled in too, and one element in every array of records and every keyed map, so that each
nested `required` flag sits in a request where dropping it can be seen.
"""

from __future__ import annotations

from typing import Any

from b24client.runtime.validate import condition_holds

_SCALARS: dict[str, Any] = {
    "string": "sample", "integer": 1, "number": 1.5, "boolean": True, "char": "Y", "date": "2024-01-01",
    "datetime": "2024-01-01T00:00:00+00:00", "any": "sample", "file": ["a.txt", "aGVsbG8="], "array": [],
    "object": {}, "null": None,
}


def _structured(param: dict[str, Any]) -> bool:
    return any(key in param for key in ("properties", "items", "values"))


def _choice(param: dict[str, Any]) -> tuple[str, int]:
    """The type alternative to sample: the structured one where the param describes a structure."""
    types = [(kind, depth) for kind, depth in param["types"]]
    if "items" in param:
        return next(((k, d) for k, d in types if d == 1), types[0])
    if _structured(param):
        return next(((k, d) for k, d in types if k == "object" and d == 0),
                    next(((k, d) for k, d in types if k == "object"), types[0]))
    return types[0]


def _scalar(kind: str, param: dict[str, Any]) -> Any:
    value = _SCALARS.get(kind, "sample")
    if kind in ("integer", "number"):
        low = max(param.get("minimum", value), param.get("exclusive_minimum", value - 1) + 1)
        value = min(low, param.get("maximum", low))
    if isinstance(value, str) and "max_length" in param:
        value = value[: max(param["max_length"], 1)]
    return list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value


def value_for(param: dict[str, Any], full: bool) -> Any:
    """A value the validator accepts for `param`; `full` fills optional structured members too."""
    kind, depth = _choice(param)
    if "enum" in param and depth == 0:
        return param["enum"][0]
    if depth > 0:
        if "items" in param:
            return [value_for(param["items"], full)]
        if depth == 1 and kind == "object" and "properties" in param:
            return [members(param["properties"], param.get("constraints", ()), full)]
        return [_scalar(kind, param)] if param.get("min_items") else []
    if kind != "object":
        return _scalar(kind, param)
    if "properties" in param:
        return members(param["properties"], param.get("constraints", ()), full)
    if "values" in param:
        return {"key1": value_for(param["values"], full)}
    return {"key1": "sample"} if param.get("min_items") else {}


def members(properties: dict[str, Any], constraints: Any, full: bool) -> dict[str, Any]:
    """Required members, optional structured ones when `full`, and what the constraints ask for."""
    chosen = {name: value_for(p, full) for name, p in properties.items()
              if p.get("required") or (full and _structured(p))}
    for _ in range(3):  # a rule met may make another hold (required_if on a member just added)
        for rule in constraints:
            names = [name for name in rule["params"] if name in properties]
            if rule["rule"] in ("at_least_one_of", "exactly_one_of") and names:
                given = [name for name in names if name in chosen]
                for extra in given[1:] if rule["rule"] == "exactly_one_of" else []:
                    del chosen[extra]
                if not given:
                    chosen[names[0]] = value_for(properties[names[0]], full)
            elif rule["rule"] == "mutually_exclusive":
                for extra in [name for name in names if name in chosen][1:]:
                    del chosen[extra]
            elif rule["rule"] == "required_if" and condition_holds(chosen, rule["when"]):
                for name in names:
                    chosen.setdefault(name, value_for(properties[name], full))
            elif rule["rule"] == "forbidden_if" and condition_holds(chosen, rule["when"]):
                for name in names:
                    chosen.pop(name, None)
    return chosen


def request(spec: dict[str, Any], full: bool = True) -> dict[str, Any]:
    """A request for the whole method: its parameters as `members` builds them."""
    return members(spec["params"], spec.get("constraints", ()), full)
