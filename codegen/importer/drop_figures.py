"""Measure, for every method, that dropping what the docs require from a valid request is caught.

A valid request is built from the compiled spec alone: required members, optional objects
too, and one element in every array of records and every keyed map, so that each nested
`required` flag sits where dropping it can be seen (codegen/testcases.py builds the smaller
request the generated tests replay). Then each required member present, at any depth, is
dropped in turn, and so are all members of each either-or group and each member a
`required_if` rule asks for while its condition holds; the runtime validator must name the
dropped path and the rule each time. tests/runtime/test_required_drops.py runs it over the
generated package; reports/coverage.md gives its figures over the effective specs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from b24client.runtime.validate import check_params, condition_holds

from ..testcases import KIND_SAMPLES

_SCALARS: dict[str, Any] = {**KIND_SAMPLES, "object": {}}  # testcases fills objects in code; here {} is the start


def _structured(param: dict[str, Any]) -> bool:
    return any(key in param for key in ("properties", "items", "values"))


def _choice(param: dict[str, Any]) -> tuple[str, int]:
    """The type alternative to sample: the structured one where the param describes a structure."""
    types = [(kind, depth) for kind, depth in param["types"]]
    if "items" in param:
        return next(((k, d) for k, d in types if d == 1), types[0])
    if _structured(param):
        return next(
            ((k, d) for k, d in types if k == "object" and d == 0), next(((k, d) for k, d in types if k == "object"), types[0])
        )
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
    chosen = {name: value_for(p, full) for name, p in properties.items() if p.get("required") or (full and _structured(p))}
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


def request(spec: Mapping[str, Any], full: bool = True) -> dict[str, Any]:
    """A request for the whole method: its parameters as `members` builds them."""
    return members(spec["params"], spec.get("constraints", ()), full)


Drop = tuple[str, dict[str, Any], str, str]  # (what was dropped, request, path expected, rule expected)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _without(request: dict[str, Any], names: list[str]) -> dict[str, Any]:
    return {key: value for key, value in request.items() if key not in names}


def drops(request: dict[str, Any], properties: dict[str, Any], constraints: Any, path: str = "") -> list[Drop]:
    """Every drop of a required name or group inside `request`, as a rebuilt object at `path`.

    The requests returned are the object at `path` with the drop made; `rebuild` puts them
    back into the whole request.
    """
    found: list[Drop] = []
    for name, param in properties.items():
        if param.get("required") and name in request:
            found.append((_join(path, name), _without(request, [name]), _join(path, name), "required"))
    for rule in constraints:
        names = [name for name in rule["params"] if name in request]
        if rule["rule"] in ("at_least_one_of", "exactly_one_of") and names:
            found.append((f"{path or '(top)'}: {'|'.join(rule['params'])}", _without(request, names), path, rule["rule"]))
        elif rule["rule"] == "required_if" and condition_holds(request, rule["when"]):
            for name in names:
                found.append((_join(path, name), _without(request, [name]), _join(path, name), "required_if"))
    return found


def nested(request: Any, param: dict[str, Any], path: str) -> list[tuple[str, Any, dict[str, Any]]]:
    """(path, value, param) of every object below `param` in `request`: members, elements, map values."""
    found: list[tuple[str, Any, dict[str, Any]]] = []
    if isinstance(request, list):
        element = param.get("items", param)
        for index, item in enumerate(request):
            found += nested(item, element, f"{path}[{index}]")
        return found
    if not isinstance(request, dict):
        return found
    if "properties" in param:
        found.append((path, request, param))
        for name, child in param["properties"].items():
            if name in request:
                found += nested(request[name], child, _join(path, name))
    elif "values" in param:
        for key, value in request.items():
            found += nested(value, param["values"], _join(path, str(key)))
    return found


def replace_at(whole: Any, path: str, value: dict[str, Any]) -> Any:
    """A copy of `whole` with the object at `path` (`a.b[0].c`) replaced by `value`."""
    if not path:
        return value
    head, _, rest = path.partition(".")
    name, _, index = head.partition("[")
    copied = dict(whole)
    if index:
        items = list(copied[name])
        position = int(index.split("]")[0])
        tail = head[len(name) + len(index) + 1 :]
        items[position] = (
            replace_at(items[position], (tail.lstrip(".") + ("." + rest if rest else "")).lstrip("."), value)
            if tail or rest
            else value
        )
        copied[name] = items
    else:
        copied[name] = replace_at(copied[name], rest, value)
    return copied


def check_method(method_id: str, spec: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(labels of the drops checked, failures) for one compiled spec."""
    base = request(spec)
    if check_params(spec, base):
        base = request(spec, full=False)
    problems = check_params(spec, base)
    if problems:
        return [], [f"{method_id}: no valid request could be built: {problems[0]}"]
    top = {"properties": spec["params"], "constraints": spec.get("constraints", ())}
    checked, failures = [], []
    for path, value, param in [("", base, top), *nested(base, top, "")[1:]]:
        for dropped, changed, where, rule in drops(value, param["properties"], param.get("constraints", ()), path):
            found = check_params(spec, replace_at(base, path, changed))
            checked.append(f"{rule} {dropped}")
            if (where, rule) not in {(p.path, p.rule) for p in found}:
                failures.append(f"{method_id}: dropping {dropped} is not caught ({rule} at {where!r} expected)")
    return checked, failures


def declared(param: Mapping[str, Any]) -> tuple[int, int]:
    """(required flags, either-or groups) declared below a compiled param, at any depth."""
    flags = groups = 0
    for child in param.get("properties", {}).values():
        flags += bool(child.get("required"))
        more = declared(child)
        flags, groups = flags + more[0], groups + more[1]
    groups += sum(rule["rule"] in ("at_least_one_of", "exactly_one_of") for rule in param.get("constraints", ()))
    for key in ("items", "values"):
        if key in param:
            more = declared(param[key])
            flags, groups = flags + more[0], groups + more[1]
    return flags, groups


class Figures:
    """What one pass over a tree found."""

    def __init__(self) -> None:
        self.methods = 0
        self.flags = 0  # required flags declared
        self.groups = 0  # either-or groups declared
        self.checked: list[str] = []  # one label per drop made ("required fields.TITLE", ...)
        self.failures: list[str] = []

    def count(self, prefixes: tuple[str, ...]) -> int:
        return sum(label.startswith(prefixes) for label in self.checked)


def measure(compiled: Mapping[str, Mapping[str, Any]]) -> Figures:
    """Every drop of every method (method id → compiled spec)."""
    figures = Figures()
    for method_id, spec in compiled.items():
        figures.methods += 1
        flags, groups = declared({"properties": spec["params"], "constraints": spec.get("constraints", ())})
        figures.flags += flags
        figures.groups += groups
        checked, failures = check_method(method_id, spec)
        figures.checked += checked
        figures.failures += failures
    return figures
