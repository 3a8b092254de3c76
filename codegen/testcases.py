"""Derive each method's generated test cases from its spec.

Every negative case is built here and then run through the runtime validator once, at
generation time, to prove it really breaks the rule it claims to; a case that cannot be
built that way is left out and counted, never emitted as a test that cannot fail.
"""

from __future__ import annotations

import copy
import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # the standard parser of `re`, to spell a text a `match` accepts
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from b24client.runtime.exceptions import CATEGORY_BASES, ApiError, category_for_status
from b24client.runtime.specs import MethodSpec
from b24client.runtime.validate import check_params

from .compile import ErrorClass, error_class_name
from .errorcodes import is_code_shaped
from .load import SpecFile
from .naming import python_name
from .typeexpr import per_kind

#: A value the validator accepts for each primitive kind; the importer's drop figures start
#: from the same values.
KIND_SAMPLES: dict[str, Any] = per_kind(
    {
        "string": "sample",
        "integer": 1,
        "number": 1.5,
        "boolean": True,
        "char": "Y",
        "date": "2024-01-01",
        "datetime": "2024-01-01T00:00:00+00:00",
        "array": [],
        "any": "sample",
        "file": ["a.txt", "aGVsbG8="],
        "null": None,
    },
    built_elsewhere=["object"],  # sample_value fills the required members of each object
)


def sample_value(param: Mapping[str, Any]) -> Any:
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
    return copy.deepcopy(KIND_SAMPLES[kind])


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
    errors: list[ErrorCase] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _satisfy(request: dict[str, Any], properties: dict[str, Any], constraints: Any) -> dict[str, Any]:
    """Add the first member of every either-or group that `request` does not meet yet."""
    for rule in constraints:
        if rule["rule"] in ("at_least_one_of", "exactly_one_of") and not any(n in request for n in rule["params"]):
            first = rule["params"][0]
            request[first] = sample_value(properties[first])
    return request


def _minimal_request(compiled: MethodSpec) -> dict[str, Any]:
    request = {name: sample_value(p) for name, p in compiled["params"].items() if p.get("required")}
    return _satisfy(request, compiled["params"], compiled["constraints"])


def _break(rule: Mapping[str, Any], base: dict[str, Any], compiled: Mapping[str, Any]) -> dict[str, Any] | None:
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


@dataclass(frozen=True)
class ErrorCase:
    """A documented error reply replayed by the emulator, and what the client must raise for it.

    `class_name` and `base_name` come from the documented entry itself (its class, and the base
    of its `category` or status); `known_base` is the base the generated class really has when
    it differs (a class shared by entries of several categories), so the case is marked as a
    known failure instead of hiding the disagreement.
    """

    name: str
    status: int
    body: dict[str, Any]
    class_name: str
    base_name: str
    known_base: str | None = None


@dataclass(frozen=True)
class ErrorFacts:
    """What the error cases need beyond one spec: the shared system errors, and each generated
    class's base category (to mark disagreements, never to choose an expected class)."""

    system: dict[str, dict[str, Any]]
    class_bases: dict[str, str | None]

    @classmethod
    def of(cls, system_errors: list[dict[str, Any]], classes: list[ErrorClass]) -> ErrorFacts:
        return cls(
            {str(error["code"]): error for error in system_errors},
            {error_class.name: error_class.category for error_class in classes},
        )


def _base_name(category: str | None) -> str:
    return CATEGORY_BASES[category].__name__ if category else ApiError.__name__


def _entry_category(entry: dict[str, Any]) -> str | None:
    return entry.get("category") or category_for_status(entry["status"])


_CATEGORY_SAMPLES = {
    "CATEGORY_DIGIT": "7",
    "CATEGORY_SPACE": " ",
    "CATEGORY_WORD": "x",
    "CATEGORY_NOT_DIGIT": "x",
    "CATEGORY_NOT_SPACE": "x",
    "CATEGORY_NOT_WORD": " ",
}


def _sample_of(parsed: Any) -> str:
    """The shortest text a parsed pattern spells, taking the first choice of every alternative
    and one character for a wildcard (a space, so word boundaries around it hold)."""
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "ANY":
            out.append(" ")
        elif name == "IN":
            out.append(_sample_of(arg[:1]) if str(arg[0][0]) != "NEGATE" else " ")
        elif name == "CATEGORY":
            out.append(_CATEGORY_SAMPLES.get(str(arg), "x"))
        elif name == "RANGE":
            out.append(chr(arg[0]))
        elif name == "BRANCH":
            out.append(_sample_of(arg[1][0]))
        elif name == "SUBPATTERN":
            out.append(_sample_of(arg[-1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, _high, item = arg
            out.append(_sample_of(item) * max(low, 1 if str(item[0][0]) == "ANY" else low))
    return "".join(out)


def sample_message(pattern: str) -> str | None:
    """A description `pattern` accepts (None when the sampler cannot spell one)."""
    try:
        sample = _sample_of(sre_parse.parse(pattern))
    except (re.error, TypeError, IndexError):
        return None
    return sample if re.search(pattern, sample) else None


def _case(name: str, status: int, body: dict[str, Any], class_name: str, entry: dict[str, Any], facts: ErrorFacts) -> ErrorCase:
    """The case of one entry. A category the entry states is a documented fact to hold the
    class to; one read off its HTTP status is only a default, which a class shared by many
    pages settles by the stronger word (the generator's tiers), so it is not a disagreement."""
    category = _entry_category(entry)
    known = facts.class_bases.get(class_name, category)
    if "category" not in entry and class_name in facts.class_bases:
        category = known
    differs = category is not None and known != category and class_name in facts.class_bases  # ApiError fits all
    return ErrorCase(name, status, body, class_name, _base_name(category), _base_name(known) if differs else None)


def usable_class(code: str) -> str:
    """The class a code names by itself (`NOT_FOUND` → `NotFound`), as error_class_name spells it."""
    return error_class_name({"code": code}) if is_code_shaped(code) else ""


def _documents(entry: dict[str, Any], code: str, description: str) -> bool:
    return bool(entry["code"] == code and ("match" not in entry or re.search(entry["match"], description)))


def error_cases(data: dict[str, Any], facts: ErrorFacts, skipped: list[str]) -> list[ErrorCase]:
    """One case per error example (as documented) and per entry no example shows.

    An example expects the class of the entry it documents (same code, its `match` accepting
    the description), else the system error of that code, else the class other methods
    document for that code (under the base of the example's status), else the plain base of
    its status.
    An entry's own case sends its code with a description its `match` accepts.
    """
    cases: list[ErrorCase] = []
    shown: set[int] = set()
    entries = data["errors"]
    for example in data.get("examples", []):
        body, status = example["response"]["body"], example["response"]["status"]
        if "error" not in body or isinstance(body["error"], dict | list | bool) or body["error"] is None:
            continue
        code, description = str(body["error"]), str(body.get("error_description") or "")
        index = next((i for i, entry in enumerate(entries) if _documents(entry, code, description)), None)
        if index is not None:
            shown.add(index)
            entry = entries[index]
            cases.append(_case(example["name"], status, body, error_class_name(entry), entry, facts))
        elif code in facts.system:
            system = facts.system[code]
            cases.append(_case(example["name"], status, body, error_class_name(system), system, facts))
        elif usable_class(code) in facts.class_bases:  # documented by other methods: their class
            cases.append(_case(example["name"], status, body, usable_class(code), {"status": status}, facts))
        elif status >= 400:
            category = category_for_status(status)
            cases.append(ErrorCase(example["name"], status, body, _base_name(category), _base_name(category)))
    for index, entry in enumerate(entries):
        if index in shown:
            continue
        sample = sample_message(entry["match"]) if "match" in entry else "synthesized by the generated test"
        if sample is None:
            skipped.append(f"error {index} ({entry['code']!r}): no description could be built from its match")
            continue
        body = {"error": entry["code"], "error_description": sample}
        name = f"documented_{index}_{re.sub(r'[^0-9a-z]+', '_', entry['code'].lower()) or 'empty'}"
        cases.append(_case(name, entry["status"], body, error_class_name(entry), entry, facts))
    return cases


def _replace_at(base: dict[str, Any], path: list[str], value: dict[str, Any]) -> dict[str, Any]:
    """A copy of `base` with the object at `path` replaced by `value`."""
    if not path:
        return value
    copied = dict(base)
    copied[path[0]] = _replace_at(base[path[0]], path[1:], value)
    return copied


def _constraint_cases(
    cases: MethodCases,
    compiled: MethodSpec,
    base: dict[str, Any],
    properties: dict[str, Any],
    constraints: Sequence[Mapping[str, Any]],
    path: list[str],
) -> None:
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


def _nested_cases(
    cases: MethodCases, compiled: MethodSpec, base: dict[str, Any], properties: dict[str, Any], path: list[str]
) -> None:
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


def build_cases(spec: SpecFile, compiled: MethodSpec, attr_path: list[str], facts: ErrorFacts) -> MethodCases:
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
    cases.errors = error_cases(data, facts, cases.skipped)
    return cases
