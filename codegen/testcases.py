"""Derive each method's generated test cases from its spec.

Every negative case is built here and then run through the runtime validator once, at
generation time, to prove it really breaks the rule it claims to; a case that cannot be
built that way is left out and counted, never emitted as a test that cannot fail.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from runtime.exceptions import CATEGORY_BASES, category_for_status  # the repo root is on sys.path
from runtime.validate import check_params

from .compile import error_class_name
from .load import SpecFile
from .naming import python_name

_SAMPLES = {
    "string": "sample", "integer": 1, "number": 1.5, "boolean": True, "char": "Y", "date": "2024-01-01",
    "datetime": "2024-01-01T00:00:00+00:00", "array": [], "any": "sample", "file": ["a.txt", "aGVsbG8="],
}


def sample_value(param: dict[str, Any]) -> Any:
    """A value the validator accepts for `param`, filling required members of objects."""
    kind, depth = param["types"][0]
    if "enum" in param and depth == 0:
        return param["enum"][0]
    if depth > 0:
        return []
    if kind == "object":
        properties = param.get("properties", {})
        value = {name: sample_value(child) for name, child in properties.items() if child.get("required")}
        return _satisfy(value, properties, param.get("constraints", ()))
    if kind == "null":
        return None
    return copy.deepcopy(_SAMPLES[kind])


@dataclass
class MethodCases:
    method_id: str
    attr_path: list[str]
    examples: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    base: dict[str, Any] | None = None
    required: list[str] = field(default_factory=list)
    nested_required: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (dotted path, params)
    broken: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (rule, id, params)
    wire: dict[str, Any] | None = None  # {"kwargs": ..., "body": ...}
    errors: list[tuple[str, int, dict[str, Any], str]] = field(default_factory=list)  # (id, status, body, class)
    skipped: list[str] = field(default_factory=list)


def _satisfy(request: dict[str, Any], properties: dict[str, Any], constraints: Any) -> dict[str, Any]:
    """Add the first member of every either-or group that `request` does not meet yet."""
    for rule in constraints:
        if rule["rule"] in ("at_least_one_of", "exactly_one_of") and not any(n in request for n in rule["params"]):
            first = rule["params"][0]
            request[first] = sample_value(properties[first])
    return request


def _minimal_request(compiled: dict[str, Any]) -> dict[str, Any]:
    request = {name: sample_value(p) for name, p in compiled["params"].items() if p.get("required")}
    return _satisfy(request, compiled["params"], compiled["constraints"])


def _break(rule: dict[str, Any], base: dict[str, Any], compiled: dict[str, Any]) -> dict[str, Any] | None:
    params = dict(base)
    kind = rule["rule"]
    if kind in ("at_least_one_of", "exactly_one_of"):
        for name in rule["params"]:
            params.pop(name, None)
        return params
    if kind == "mutually_exclusive":
        for name in rule["params"]:
            params.setdefault(name, sample_value(compiled["params"][name]))
        return params
    if kind in ("required_if", "forbidden_if"):
        when = rule["when"]
        condition = compiled["params"][when["param"]]
        if "equals" in when:
            params[when["param"]] = when["equals"]
        elif "in" in when:
            params[when["param"]] = when["in"][0]
        elif when["present"]:
            params[when["param"]] = params.get(when["param"], sample_value(condition))
        else:
            params.pop(when["param"], None)
        for name in rule["params"]:
            if kind == "required_if":
                params.pop(name, None)
            else:
                params[name] = sample_value(compiled["params"][name])
        return params
    return None  # precedence is documentation, never an error


def _error_cases(data: dict[str, Any], by_code: dict[str, str]) -> list[tuple[str, int, dict[str, Any], str]]:
    cases = []
    for example in data.get("examples", []):
        body = example["response"]["body"]
        if "error" in body:
            expected = _expected_class(data, str(body["error"]), example["response"]["status"],
                                       str(body.get("error_description") or ""), by_code)
            cases.append((example["name"], example["response"]["status"], body, expected))
    covered = {(str(body["error"]), status) for _, status, body, _ in cases}
    for index, error in enumerate(data["errors"]):
        if "match" in error or (error["code"], error["status"]) in covered:
            continue
        body = {"error": error["code"], "error_description": "synthesized by the generated test"}
        expected = _expected_class(data, error["code"], error["status"], body["error_description"], by_code)
        cases.append((f"documented_{index}_{re.sub(r'[^0-9a-z]+', '_', error['code'].lower()) or 'empty'}",
                      error["status"], body, expected))
        covered.add((error["code"], error["status"]))
    return cases


def _expected_class(data: dict[str, Any], code: str, status: int, description: str, by_code: dict[str, str]) -> str:
    """The class the specs promise for this reply: the method's own entries, then the code
    table shared by all methods, then the category of the HTTP status."""
    candidates = [error for error in data["errors"] if error["code"] == code]
    for error in [e for e in candidates if e["status"] == status] or candidates:
        if "match" not in error or re.search(error["match"], description):
            return error_class_name(error)
    if code in by_code:
        return by_code[code]
    return CATEGORY_BASES.get(category_for_status(status) or "", CATEGORY_BASES["server"]).__name__ if status >= 400 else ""


def _replace_at(base: dict[str, Any], path: list[str], value: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with the object at `path` replaced by `value`."""
    if not path:
        return value
    copied = dict(base)
    copied[path[0]] = _replace_at(base[path[0]], path[1:], value)
    return copied


def _constraint_cases(cases: MethodCases, compiled: dict[str, Any], base: dict[str, Any],
                      properties: dict[str, Any], constraints: list[dict[str, Any]], path: list[str]) -> None:
    here = base
    for part in path:
        here = here[part]
    label = ".".join(path) or "top"
    for index, rule in enumerate(constraints):
        broken_here = _break(rule, here, {"params": properties})
        if broken_here is None:
            continue
        broken = _replace_at(base, path, broken_here)
        if any(problem.rule == rule["rule"] for problem in check_params(compiled, broken)):
            cases.broken.append((rule["rule"], f"{label}_{index}_{rule['rule']}", broken))
        else:
            cases.skipped.append(f"constraint {label}/{index} ({rule['rule']}) could not be broken on its own")


def _nested_cases(cases: MethodCases, compiled: dict[str, Any], base: dict[str, Any],
                  properties: dict[str, Any], path: list[str]) -> None:
    """Required members and constraints of nested objects, as far as the base request reaches."""
    here = base
    for part in path:
        here = here[part]
    for name, param in properties.items():
        value = here.get(name)
        if not isinstance(value, dict) or "properties" not in param:
            continue
        inner = [*path, name]
        for child, child_param in param["properties"].items():
            if child_param.get("required") and child in value:
                dropped = _replace_at(base, inner, {k: v for k, v in value.items() if k != child})
                dotted = ".".join([*inner, child])
                if [(p.path, p.rule) for p in check_params(compiled, dropped)] == [(dotted, "required")]:
                    cases.nested_required.append((dotted, dropped))
        _constraint_cases(cases, compiled, base, param["properties"], param.get("constraints", []), inner)
        _nested_cases(cases, compiled, base, param["properties"], inner)


def build_cases(spec: SpecFile, compiled: dict[str, Any], attr_path: list[str], by_code: dict[str, str]) -> MethodCases:
    cases = MethodCases(spec.method_id, attr_path)
    data = spec.data
    for example in data.get("examples", []):
        if example["response"]["status"] == 200 and "error" not in example["response"]["body"]:
            if "request" in example:
                cases.examples.append((example["name"], example["request"]))
    valid_examples = [request for _, request in cases.examples if not check_params(compiled, request)]
    base = valid_examples[0] if valid_examples else _minimal_request(compiled)
    if check_params(compiled, base):
        cases.skipped.append("no valid base request could be built")
    else:
        cases.base = base
        cases.required = [name for name, p in compiled["params"].items() if p.get("required") and name in base]
        _constraint_cases(cases, compiled, base, compiled["params"], compiled["constraints"], [])
        _nested_cases(cases, compiled, base, compiled["params"], [])
        def kwarg(name: str) -> str:
            known = python_name(name)
            return name if known not in compiled["kwargs"] and compiled["open_params"] else known

        kwargs = {kwarg(name): value for name, value in base.items()}
        if all(key in compiled["kwargs"] or (compiled["open_params"] and key.isidentifier()) for key in kwargs):
            # The typed call spells each name as the spec does (REST v2 reads names without
            # regard to case, so a docs example may spell `ID` where the table says `id`).
            body = {compiled["kwargs"].get(key, key): value for key, value in kwargs.items()}
            cases.wire = {"kwargs": kwargs, "body": body}
    cases.errors = [case for case in _error_cases(data, by_code) if case[3]]
    return cases
