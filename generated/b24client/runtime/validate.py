"""Check call parameters against a method spec before anything is sent.

Like botocore's validator, this walks the whole parameter tree and collects every problem
instead of stopping at the first, so one ValidationError tells the caller everything to
fix. The same code runs in the client and, server side, in the emulator, so the two can
never disagree about what is valid.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from . import specs

_DIGITS = re.compile(r"-?\d+")
_BOOLEAN_WORDS = frozenset({"Y", "N", "y", "n", "true", "false", "0", "1"})
# Parameters the transport or the paging protocol adds, valid for any method.
_TRANSPORT_PARAMS = frozenset({"auth"})
# An unknown name this close to a known one (difflib ratio, case folded) is taken for a
# typo of it: `TITEL` → `TITLE` (0.8), `selct` → `select` (0.91). Names shorter than
# four characters are matched only by case, or `id` would "misspell" `ids`.
_TYPO_CUTOFF = 0.8
_MIN_FUZZY_LENGTH = 4


class Problem(NamedTuple):
    """One reason the parameters are invalid: where, which rule, and what is wrong."""

    method: str
    path: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.method}: {self.path or '(parameters)'}: {self.message} [rule: {self.rule}]"


def _is_number_text(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


# What each primitive kind accepts: the one list of kinds (codegen's type registry, hints
# and test samples are keyed by it) and the authority on what a kind means. A bool passes
# only as "boolean" or "any" (see _kind_matches): True is an int to Python, not to the portal.
KIND_ACCEPTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda value: isinstance(value, str | int | float),
    "integer": lambda value: isinstance(value, int) or (isinstance(value, str) and _DIGITS.fullmatch(value) is not None),
    "number": lambda value: isinstance(value, int | float) or (isinstance(value, str) and _is_number_text(value)),
    "boolean": lambda value: value in (0, 1) or (isinstance(value, str) and value in _BOOLEAN_WORDS),
    "char": lambda value: isinstance(value, str) and len(value) == 1,
    "date": lambda value: isinstance(value, str | _dt.date),
    "datetime": lambda value: isinstance(value, str | _dt.date),
    "object": lambda value: isinstance(value, Mapping),
    "array": lambda value: isinstance(value, list | tuple | Mapping),
    "any": lambda value: True,
    "null": lambda value: value is None,
    "file": lambda value: isinstance(value, str | list | tuple | Mapping),
}
PRIMITIVE_KINDS: tuple[str, ...] = tuple(KIND_ACCEPTS)


def _kind_matches(kind: str, value: Any) -> bool:
    if isinstance(value, bool) and kind != "any":
        return kind == "boolean"
    accepts = KIND_ACCEPTS.get(kind)
    return accepts is not None and accepts(value)


def _describe(types: list[list[Any]]) -> str:
    return " or ".join(kind + "[]" * depth for kind, depth in types)


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name `name` most likely misspells: same but for case, or a close match."""
    names = list(known)
    lowered = name.lower()
    for candidate in names:
        if candidate.lower() == lowered:
            return candidate
    if len(name) < _MIN_FUZZY_LENGTH:
        return None
    import difflib  # only an unknown name pays for it

    by_case = {candidate.lower(): candidate for candidate in names}
    close = difflib.get_close_matches(lowered, list(by_case), n=1, cutoff=_TYPO_CUTOFF)
    return by_case[close[0]] if close else None


def wire_params(spec: Mapping[str, Any], kwargs: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A generated function's keyword arguments as wire parameters, and the keywords it lacks.

    A wire name written as a keyword (`entityId=5` for `entity_id=5`) is one slip, so it is
    reported once, with the keyword to write, and its value still stands in its place: the
    required check must not add "entityId is required but missing" about the same value.
    """
    wire_names: Mapping[str, str] = spec["kwargs"]
    params: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, value in kwargs.items():
        wire = wire_names.get(name)
        if wire is not None:
            params[wire] = value
        elif spec["open_params"]:  # free-form fields (UF_*) go on the wire as spelt
            params[name] = value
        else:  # a slip: only here is the inverse table worth building
            by_wire = {wire: kwarg for kwarg, wire in wire_names.items()}
            as_wire = suggest(name, by_wire)
            meant = by_wire[as_wire] if as_wire else suggest(name, wire_names)
            if as_wire is not None:
                params.setdefault(as_wire, value)
            hint = f"; did you mean {meant}=?" if meant else ""
            problems.append(Problem(spec["method"], name, "unknown", f"is not a keyword argument of this method{hint}"))
    return params, problems


class Checked(NamedTuple):
    """What a check found: the problems, and the names it let through without knowing them."""

    problems: list[Problem]
    unknown: list[str]


class _Walker:
    def __init__(self, method: str, strict: bool = False) -> None:
        self.method = method
        self.strict = strict
        self.problems: list[Problem] = []
        self.unknown: list[str] = []

    def add(self, path: str, rule: str, message: str) -> None:
        self.problems.append(Problem(self.method, path, rule, message))

    def check_object(self, path: str, value: Mapping[str, Any], param: Mapping[str, Any]) -> None:
        properties = param.get("properties")
        if properties is not None:
            self.check_members(path, value, properties, param.get("open", False))
            self.check_constraints(path, value, param.get("constraints", ()))
        values = param.get("values")
        if values is not None:
            for key, member in value.items():
                self.check_value(f"{path}.{key}", member, values)

    def check_members(self, path: str, value: Mapping[str, Any], properties: Mapping[str, Any], open_: bool) -> None:
        prefix = f"{path}." if path else ""
        for name, param in properties.items():
            if name in value:
                self.check_value(prefix + name, value[name], param)
            elif param.get("required"):
                self.add(prefix + name, "required", "is required but missing")
        if open_:
            return
        for name in value:
            if name not in properties and name not in _TRANSPORT_PARAMS:
                self.unknown_member(prefix + str(name), str(name), properties)

    def unknown_member(self, path: str, name: str, properties: Mapping[str, Any]) -> None:
        """The portal ignores names it does not know, so only a likely typo is an error.

        A name that matches a known one but for case, or closely enough to be a slip, would
        be dropped silently by the portal: that is refused with the right spelling. Any
        other name (and any `_`-prefixed one) goes through (and is listed in `unknown`), unless the check is strict.
        """
        # `_`-prefixed names are a client's own markers (fast_bitrix24 adds `__order` to
        # every batch command to put results back in order), never a slip of a documented
        # name, however close `__order` is to `order`.
        suggestion = None if name.startswith("_") else suggest(name, properties)
        if suggestion is not None:
            self.add(path, "unknown", f"is not a parameter of this method; did you mean {suggestion!r}?")
        elif self.strict:
            self.add(path, "unknown", "is not a parameter of this method")
        else:
            self.unknown.append(path)

    def check_constraints(self, path: str, value: Mapping[str, Any], constraints: Any) -> None:
        def present(name: str) -> bool:
            return value.get(name) is not None

        for constraint in constraints:
            rule, names = constraint["rule"], constraint["params"]
            given = [name for name in names if present(name)]
            listed = ", ".join(names)
            if rule == "at_least_one_of" and not given:
                self.add(path, rule, f"needs at least one of {listed}")
            elif rule == "exactly_one_of" and len(given) != 1:
                got = ", ".join(given) if given else "none"
                self.add(path, rule, f"needs exactly one of {listed} (got {got})")
            elif rule == "mutually_exclusive" and len(given) > 1:
                self.add(path, rule, f"takes at most one of {listed} (got {', '.join(given)})")
            elif rule in ("required_if", "forbidden_if") and self._condition_holds(value, constraint["when"]):
                condition = self._describe_condition(constraint["when"])
                for name in names:
                    child = f"{path}.{name}" if path else name
                    if rule == "required_if" and not present(name):
                        self.add(child, rule, f"is required when {condition}")
                    elif rule == "forbidden_if" and present(name):
                        self.add(child, rule, f"must be absent when {condition}")

    @staticmethod
    def _condition_holds(value: Mapping[str, Any], when: Mapping[str, Any]) -> bool:
        return condition_holds(value, when)

    @staticmethod
    def _describe_condition(when: Mapping[str, Any]) -> str:
        if "present" in when:
            return f"{when['param']} is {'given' if when['present'] else 'absent'}"
        if "equals" in when:
            return f"{when['param']} is {when['equals']!r}"
        return f"{when['param']} is one of {', '.join(map(repr, when['in']))}"

    def check_value(self, path: str, value: Any, param: Mapping[str, Any]) -> None:
        types = param["types"]
        if value is None:
            if not (param.get("nullable") or any(kind in ("null", "any") for kind, _ in types)):
                self.add(path, "not_null", "is null; omit it or pass a value")
            return
        unreadable = _unreadable_number(value)
        if unreadable:
            self.add(path, "type", unreadable)
            return
        for kind, depth in types:
            if depth == 0 and _kind_matches(kind, value):
                self.check_scalar_bounds(path, value, param, kind)
                return
            if depth > 0 and isinstance(value, list | tuple):
                self.check_elements(path, value, param, kind, depth)
                return
        self.add(path, "type", f"must be {_describe(types)}, got {_type_name(value)} {_short(value)}")

    def check_elements(
        self, path: str, value: list[Any] | tuple[Any, ...], param: Mapping[str, Any], kind: str, depth: int
    ) -> None:
        limit = param.get("max_items")
        if limit is not None and len(value) > limit:
            self.add(path, "max_items", f"has {len(value)} items; at most {limit} allowed")
        least = param.get("min_items")
        if least is not None and len(value) < least:
            self.add(path, "min_items", f"has {len(value)} items; at least {least} needed")
        element = {"types": [[kind, depth - 1]], **({"items": param["items"]} if "items" in param else {})}
        if depth == 1 and "items" in param:
            element = param["items"]
        elif depth == 1 and kind == "object" and "properties" in param:  # a docs `array` of the listed fields
            element = {**element, **{key: param[key] for key in ("properties", "open", "constraints") if key in param}}
        elif depth == 1 and "enum" in param:
            element = {**element, "enum": param["enum"]}
        for index, item in enumerate(value):
            self.check_value(f"{path}[{index}]", item, element)

    def check_scalar_bounds(self, path: str, value: Any, param: Mapping[str, Any], kind: str) -> None:
        enum = param.get("enum")
        if enum is not None and value not in enum and _text(value) not in {str(option) for option in enum}:
            self.add(path, "enum", f"must be one of {', '.join(map(repr, enum))}, got {value!r}")
        if isinstance(value, Mapping) and kind == "object":
            self.check_object(path, value, param)
        if "min_items" in param and isinstance(value, Mapping | list | tuple) and len(value) < param["min_items"]:
            self.add(path, "min_items", f"has {len(value)} entries; at least {param['min_items']} needed")
        if kind in ("integer", "number") and ("minimum" in param or "maximum" in param or "exclusive_minimum" in param):
            number = value if isinstance(value, int | float) else float(str(value))  # a digit string here
            if "minimum" in param and number < param["minimum"]:
                self.add(path, "minimum", f"must be at least {param['minimum']}, got {value!r}")
            if "exclusive_minimum" in param and number <= param["exclusive_minimum"]:
                self.add(path, "exclusive_minimum", f"must be greater than {param['exclusive_minimum']}, got {value!r}")
            if "maximum" in param and number > param["maximum"]:
                self.add(path, "maximum", f"must be at most {param['maximum']}, got {value!r}")
        if "max_length" in param and isinstance(value, str) and len(value) > param["max_length"]:
            self.add(path, "max_length", f"is {len(value)} characters; at most {param['max_length']} allowed")


def condition_holds(value: Mapping[str, Any], when: Mapping[str, Any]) -> bool:
    """Whether a constraint's `when` holds in an object; also what test samples use to meet rules."""
    actual = value.get(when["param"])
    if "present" in when:
        return (actual is not None) is bool(when["present"])
    if actual is None:
        return False
    if "equals" in when:
        return actual == when["equals"] or _text(actual) == str(when["equals"])
    return bool(actual in when["in"] or _text(actual) in {str(option) for option in when["in"]})


def _text(value: Any, show: Any = str) -> str:
    """str() or repr() that cannot fail: hostile input nests past the stack or has 5,000 digits."""
    try:
        return str(show(value))
    except (ValueError, RecursionError):
        return f"<{type(value).__name__}>"


def _unreadable_number(value: Any) -> str | None:
    """Numbers the portal cannot read as meant: NaN/Infinity (not JSON) and integers past 64 bits."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"is {value!r}, which JSON cannot carry"
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return "is an integer beyond 64 bits, which the portal cannot read exactly"
    return None


def _short(value: Any) -> str:
    text = _text(value, repr)
    return text if len(text) <= 40 else text[:37] + "..."


def _by_spec_name(params: Mapping[str, Any], properties: Mapping[str, Any]) -> Mapping[str, Any]:
    """REST v2 reads top-level names without regard to case (the docs' own tables say `id`
    where their examples send `ID`), so a name that differs only in case is the parameter
    it spells. An exact match always wins."""
    if all(name in properties for name in params):
        return params
    lowered = {name.lower(): name for name in properties}
    renamed: dict[str, Any] = {}
    for name, value in params.items():
        known = name if name in properties else lowered.get(str(name).lower(), name)
        if known in params and known != name:
            known = name  # both spellings given: keep both, the unknown one is reported
        renamed[known] = value
    return renamed


def check(spec: Mapping[str, Any], params: Mapping[str, Any], *, strict: bool = False) -> Checked:
    """Validate params against a compiled spec (see codegen/compile.py for its shape).

    The policy (spec/README.md, "Validation policy"): every documented rule is enforced; an
    undocumented name is an error only when it looks like a typo of a documented one, or
    with `strict`. Otherwise it is reported in `Checked.unknown` and sent as given, since
    the portal ignores what it does not know and the docs' tables are not complete.
    """
    walker = _Walker(spec["method"], strict)
    if not isinstance(params, Mapping):
        walker.add("", "type", f"parameters must be a mapping, got {_type_name(params)}")
        return Checked(walker.problems, walker.unknown)
    properties = spec["params"]
    if spec.get("api_version", 2) == 2:
        params = _by_spec_name(params, properties)
    walker.check_members("", params, properties, spec.get("open_params", False))
    walker.check_constraints("", params, spec.get("constraints", ()))
    return Checked(walker.problems, walker.unknown)


def check_params(spec: Mapping[str, Any], params: Mapping[str, Any], *, strict: bool = False) -> list[Problem]:
    """The problems of `check`; an empty list means the call may be sent."""
    return check(spec, params, strict=strict).problems


def validate(
    method: str, params: Mapping[str, Any] | None = None, *, api_version: int = 2, strict: bool = False
) -> list[Problem]:
    """Every problem with `params` for `method`; an empty list means they are valid.

    With `strict`, a parameter the spec does not document is a problem too (by default it
    is one only when it looks like a misspelling of a documented name). A method with no
    spec cannot be checked and yields one `unknown_method` problem.
    """
    spec = specs.get(specs.method_id(method, api_version))
    if spec is None:
        return [Problem(method, "", "unknown_method", "has no spec, so its parameters cannot be checked")]
    return check_params(spec, params or {}, strict=strict)
