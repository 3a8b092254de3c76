"""Reduce checked specs to what the runtime needs, and settle the error class table.

The runtime never reads YAML: it gets one small Python literal per method (a
`b24client.runtime.specs.MethodSpec`) with type names already resolved to primitive kinds,
so validation does no lookups at call time. The docs' example, which only the emulator
and `b24 describe` read, is compiled apart (`compile_example`) and stored apart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from b24client.runtime.exceptions import PUBLIC_ERRORS, category_for_status
from b24client.runtime.specs import ErrorSpec, Example, MethodSpec, PaginationSpec, ParamSpec

from .load import SpecFile, SpecTree
from .naming import is_identifier, method_module, pascal, python_name
from .typeexpr import TypeRegistry

_FLAG_KEYS = ("required", "nullable", "open")
_BOUND_KEYS = ("minimum", "exclusive_minimum", "maximum", "max_length", "max_items", "min_items")
_PAGINATION_DEFAULTS = {"style": "none"}
RUNTIME_BASE_NAMES = frozenset(error.__name__ for error in PUBLIC_ERRORS)


def _structured_array(types: list[list[Any]], param: dict[str, Any]) -> list[list[Any]]:
    """Types under which the validator looks inside a docs `array` that lists its fields.

    The docs write PHP's `array` for both a keyed map and a list. With `properties` the
    value is either the object itself (`fields: {SUBJECT: ...}`) or a list of such objects,
    so both are checked against the fields; with `items`, a list is checked element by
    element and a keyed map (PHP's `{"0": ...}`) still passes as an array.
    """
    if ["array", 0] not in types or not ("properties" in param or "items" in param):
        return types
    index = types.index(["array", 0])
    shapes = [["object", 0], ["object", 1]] if "properties" in param else [["any", 1], ["array", 0]]
    return types[:index] + [shape for shape in shapes if shape not in types] + types[index + 1 :]


def compile_param(param: dict[str, Any], registry: TypeRegistry) -> ParamSpec:
    types = _structured_array([list(alt) for alt in registry.resolve(param["type"])], param)
    compiled: dict[str, Any] = {"types": types}  # keys chosen by name below: checked on return
    for key in _FLAG_KEYS:
        if param.get(key):
            compiled[key] = True
    for key in _BOUND_KEYS:  # a bound of 0 is a bound
        if key in param:
            compiled[key] = param[key]
    if "enum" in param:
        compiled["enum"] = [item["value"] if isinstance(item, dict) else item for item in param["enum"]]
    if "properties" in param:
        compiled["properties"] = {name: compile_param(child, registry) for name, child in param["properties"].items()}
    for key in ("values", "items"):
        if key in param:
            compiled[key] = compile_param(param[key], registry)
    if param.get("constraints"):
        compiled["constraints"] = param["constraints"]
    return cast(ParamSpec, compiled)  # every key set above is one of ParamSpec's, by name


def error_class_name(error: dict[str, Any]) -> str:
    return str(error.get("class") or pascal(error["code"]))


def compile_example(spec: SpecFile) -> Example | None:
    """The first documented call that succeeded: the emulator's default reply for the method."""
    for example in spec.data.get("examples", []):
        if example["response"]["status"] == 200 and "error" not in example["response"]["body"]:
            return cast(Example, dict(example))  # spec/format's example: name, request, response
    return None


def _compile_error(error: dict[str, Any]) -> ErrorSpec:
    compiled = {key: error[key] for key in ("code", "status", "match", "category") if key in error}
    return cast(ErrorSpec, compiled | {"class": error_class_name(error)})  # ErrorSpec's keys, by name


def compile_spec(spec: SpecFile, registry: TypeRegistry) -> MethodSpec:
    data = spec.data
    pagination = data.get("pagination", _PAGINATION_DEFAULTS)
    paging: PaginationSpec | None = None if pagination["style"] == "none" else pagination
    return MethodSpec(
        method=data["method"],
        api_version=data.get("api_version", 2),
        idempotent=data["idempotent"],
        batchable=data.get("batchable", True),
        open_params=data.get("open_params", False),
        params={name: compile_param(param, registry) for name, param in data["params"].items()},
        constraints=data.get("constraints", []),
        kwargs={python_name(name): name for name in data["params"]},
        pagination=paging,
        errors=[_compile_error(error) for error in data["errors"]],
        spec_file=spec.source_label,
    )


@dataclass(frozen=True)
class ErrorClass:
    name: str
    code: str | None
    category: str | None
    summary: str


# Whose word settles a class's category, strongest first: the shared tables (a code means the
# same everywhere), then entries that name a category, then the HTTP statuses pages give.
_SHARED, _STATED, _BY_STATUS = range(3)
_SHOWN_METHODS = 3


@dataclass
class _Votes:
    tiers: list[Counter[str]] = field(default_factory=lambda: [Counter(), Counter(), Counter()])
    codes: Counter[str] = field(default_factory=Counter)
    matches: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    shared_summary: str = ""
    summaries: set[str] = field(default_factory=set)

    def category(self) -> str | None:
        votes = next(tier for tier in self.tiers if tier) if any(self.tiers) else Counter({"": 1})
        return sorted(votes.items(), key=lambda item: (-item[1], item[0]))[0][0] or None

    def doc(self) -> str:
        """The summary in our words (a shared table's, or the entry's when one method has the
        class: one page's words would mislead about the others), else the facts: the code, the
        description it is told apart by, and the methods whose pages document it."""
        if self.shared_summary:
            return self.shared_summary
        if len(self.summaries) == 1 and len(set(self.methods)) == 1:
            return next(iter(self.summaries))
        codes = ", ".join(repr(c) for c in sorted(self.codes))
        told = f" with an error_description matching {self.matches[0]!r}" if self.matches else ""
        shown = sorted(set(self.methods))
        more = f" and {len(shown) - _SHOWN_METHODS} more" if len(shown) > _SHOWN_METHODS else ""
        where = f" Documented by {', '.join(shown[:_SHOWN_METHODS])}{more}." if shown else ""
        return f"The portal answered `error` {codes}{told}.{where}"


def error_classes(tree: SpecTree) -> tuple[list[ErrorClass], dict[str, str], list[str]]:
    """Every exception class to generate, the code → class table, and naming problems.

    A class's base comes from the strongest word on it (shared tables, then stated categories,
    then statuses), by majority within that tier, so one code used with different statuses
    still gets one class.
    """
    votes: dict[str, _Votes] = defaultdict(_Votes)
    by_code: dict[str, str] = {}
    problems: list[str] = []
    entries: list[tuple[dict[str, Any], str, str | None, int]] = [
        (error, "spec/error-classes.yaml", None, _SHARED) for error in tree.error_catalogue
    ]
    entries += [(error, "spec/system-errors.yaml", None, _SHARED) for error in tree.system_errors]
    for spec in tree.specs.values():
        entries += [
            (error, spec.source_label, spec.method_id, _STATED if "category" in error else _BY_STATUS)
            for error in spec.data["errors"]
        ]
    for error, source, method_id, tier in entries:
        name = error_class_name(error)
        if not is_identifier(name) or name in RUNTIME_BASE_NAMES:
            problems.append(f"{source}: error {error['code']!r}: class name {name!r} is not usable")
            continue
        category = error.get("category") or (category_for_status(error["status"]) if "status" in error else None)
        found = votes[name]
        found.tiers[tier][category or ""] += 1
        found.codes[error["code"]] += 1
        if tier == _SHARED:
            found.shared_summary = found.shared_summary or error.get("summary", "")
        elif error.get("summary"):
            found.summaries.add(error["summary"])
        found.matches += [error["match"]] if "match" in error else []
        found.methods += [method_id] if method_id else []
        if "class" not in error or is_identifier(pascal(error["code"])):
            by_code.setdefault(error["code"], name)
    classes = []
    for name in sorted(votes):
        found = votes[name]
        named_codes = sorted(code for code in found.codes if is_identifier(pascal(code) or "0"))
        classes.append(ErrorClass(name, named_codes[0] if named_codes else None, found.category(), found.doc()))
    return classes, dict(sorted(by_code.items())), problems


def module_names(tree: SpecTree) -> tuple[dict[str, str], list[str]]:
    """Method id → runtime data module name, refusing two methods that would share one."""
    modules: dict[str, str] = {}
    owners: dict[str, str] = {}
    problems = []
    for method_id in tree.specs:
        module = method_module(method_id)
        if module in owners:
            problems.append(f"{method_id}: module name {module!r} clashes with {owners[module]!r}")
        owners.setdefault(module, method_id)
        modules[method_id] = module
    return modules, problems
