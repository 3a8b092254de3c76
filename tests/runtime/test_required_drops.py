"""Tree-wide: for every method, dropping what the docs require from a valid request is caught.

One pass over every compiled spec (a test per method would cost minutes of collection):
a valid request is built from the spec (tests/support/samples.py, optional objects and one
element per array of records included), then each required member present in it, at any
depth, is dropped in turn, and so are all members of each either-or group and each member a
`required_if` rule asks for while its condition holds. `b24client.validate` must name the
dropped path and the rule each time.
"""

from __future__ import annotations

from typing import Any

import b24client
from b24client.runtime import specs
from b24client.runtime.validate import condition_holds
from tests.support import samples

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
            found.append((f"{path or '(top)'}: {'|'.join(rule['params'])}", _without(request, names), path,
                          rule["rule"]))
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


def _replace(whole: Any, path: str, value: dict[str, Any]) -> Any:
    """A copy of `whole` with the object at `path` (`a.b[0].c`) replaced by `value`."""
    if not path:
        return value
    head, _, rest = path.partition(".")
    name, _, index = head.partition("[")
    copied = dict(whole)
    if index:
        items = list(copied[name])
        position = int(index.split("]")[0])
        tail = head[len(name) + len(index) + 1:]
        items[position] = _replace(items[position], (tail.lstrip(".") + ("." + rest if rest else "")).lstrip("."),
                                   value) if tail or rest else value
        copied[name] = items
    else:
        copied[name] = _replace(copied[name], rest, value)
    return copied


def check_method(method_id: str) -> tuple[list[str], list[str]]:
    """(paths of the drops checked, failures) for one method."""
    spec = specs.get(method_id)
    assert spec is not None
    method, version = spec["method"], spec["api_version"]
    base = samples.request(spec)
    if b24client.validate(method, base, api_version=version):
        base = samples.request(spec, full=False)
    problems = b24client.validate(method, base, api_version=version)
    if problems:
        return [], [f"{method_id}: no valid request could be built: {problems[0]}"]
    top = {"properties": spec["params"], "constraints": spec.get("constraints", ())}
    checked, failures = [], []
    for path, value, param in [("", base, top), *nested(base, top, "")[1:]]:
        for dropped, changed, where, rule in drops(value, param["properties"], param.get("constraints", ()), path):
            found = b24client.validate(method, _replace(base, path, changed), api_version=version)
            checked.append(f"{rule} {dropped}")
            if (where, rule) not in {(p.path, p.rule) for p in found}:
                failures.append(f"{method_id}: dropping {dropped} is not caught ({rule} at {where!r} expected)")
    return checked, failures


def declared(param: dict[str, Any]) -> tuple[int, int]:
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


def test_dropping_anything_the_docs_require_is_caught_for_every_method() -> None:
    ids = specs.method_ids()
    checked, failures = [], []
    flags = groups = 0
    for method_id in ids:
        spec = specs.get(method_id)
        assert spec is not None
        more = declared({"properties": spec["params"], "constraints": spec.get("constraints", ())})
        flags, groups = flags + more[0], groups + more[1]
        paths, found = check_method(method_id)
        checked += paths
        failures += found
    assert failures == []
    assert len(ids) > 1600
    # every required flag and every either-or group of the tree was reached by some drop
    assert sum(label.startswith("required ") for label in checked) == flags > 2000
    assert sum(label.startswith(("at_least_one_of ", "exactly_one_of ")) for label in checked) == groups > 50
    assert any("[0]." in label for label in checked)  # inside arrays of records
    assert any(".key1." in label for label in checked)  # inside keyed maps


def test_drops_and_their_requests_are_what_they_claim() -> None:
    """The helpers drop one name (or one whole group) and put the changed object back in place."""
    properties = {"TITLE": {"types": [["string", 0]], "required": True}, "A": {"types": [["integer", 0]]},
                  "B": {"types": [["integer", 0]]}}
    group = [{"rule": "at_least_one_of", "params": ["A", "B"]}]
    found = drops({"TITLE": "x", "A": 1, "B": 2}, properties, group, "fields.rows[1]")
    assert [(label, request, where, rule) for label, request, where, rule in found] == [
        ("fields.rows[1].TITLE", {"A": 1, "B": 2}, "fields.rows[1].TITLE", "required"),
        ("fields.rows[1]: A|B", {"TITLE": "x"}, "fields.rows[1]", "at_least_one_of")]
    whole = {"fields": {"rows": [{"x": 1}, {"y": 2}], "other": {"z": {"w": 1}}}, "top": 1}
    assert _replace(whole, "fields.rows[1]", {"new": 1}) == {
        "fields": {"rows": [{"x": 1}, {"new": 1}], "other": {"z": {"w": 1}}}, "top": 1}
    assert _replace(whole, "fields.other.z", {}) == {"fields": {"rows": [{"x": 1}, {"y": 2}], "other": {"z": {}}},
                                                     "top": 1}
    assert whole["fields"]["rows"][1] == {"y": 2}  # copies, the base request is left alone
