"""Make a draft accept the page's own example request, noting every change.

The portal is the judge, and the docs' example requests are calls it accepts. Where a
page's tables disagree with its example, the example wins: the runtime validator (strict,
so undocumented names count too) says what it refuses, and each refusal that a rule can
settle is settled in the draft, with a note:

- a value of another kind than the table's type: the type takes that kind too (a list of
  objects where one object is typed, a list where a scalar is typed, an object where a
  string is typed); a text where a number or a one-character code is typed (workflow ids
  like "65e5a449e8f135.21284909") makes the parameter a string;
- a member spelled in another case than the table's: the example's spelling is kept;
- an object whose every key the tables do not list, each holding an object of the listed
  fields: it is a keyed map (user-named properties, per-language labels), not a record;
- a key next to a placeholder row (`PROPERTY_951` beside `PROPERTY_PropertyId`): the
  object is open;
- any other name the tables forgot: it is added, typed by the example's value.

A nested member the tables mark required and the example leaves out stops being required
(shapes.reconcile, which runs after this, does the same on the settled shape).

Placeholder values (`**put_id_here**`, `your_product_id`) settle nothing: they stand for
a value the reader fills in, so a page whose example still fails only on them is listed
in the coverage report, not fixed. Missing required parameters and broken rules between
parameters are left to curated overrides: which parameter the example meant cannot be
read safely.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from b24client.runtime.validate import Problem

from . import rounds, typeexpr
from .registry import ImportRegistry
from .validate_example import request_problems

_PLACEHOLDER = re.compile(
    r"^\*\*.*\*\*$|^_[A-Z_]+_$|^your_|_here\b|^put_|^<[^>]+>$|^\{[^}]+\}$|^#[A-Z_]+#$|^\.\.\.$", re.IGNORECASE
)
_SEGMENT = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
_NARROW_SCALARS = frozenset({"integer", "number", "char", "boolean", "date", "datetime"})
_MAX_ROUNDS = 50
_ORDER = {"unknown": 0, "type": 1, "required": 2}


def is_placeholder(value: Any) -> bool:
    """A value that stands for one the reader fills in, not a value the portal was sent."""
    return isinstance(value, str) and _PLACEHOLDER.search(value.strip()) is not None


def json_kind(value: Any) -> str:
    """The format's name for the JSON kind of an example value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    return "array" if isinstance(value, list) else "any"


class _Spot:
    """Where a validator path points: the member's level (name → param), its name, its value."""

    def __init__(self, level: dict[str, Any], name: str, value: Any, owner: dict[str, Any] | None, owner_value: Any) -> None:
        self.level, self.name, self.value, self.owner, self.owner_value = level, name, value, owner, owner_value

    @property
    def param(self) -> dict[str, Any] | None:
        found = self.level.get(self.name)
        return found if isinstance(found, dict) else None


def _fields(param: dict[str, Any]) -> dict[str, Any] | None:
    found = param.get("properties") or param.get("items", {}).get("properties")
    return found if isinstance(found, dict) else None


def _key(mapping: dict[str, Any], name: str, top: bool) -> str:
    """`name` as the mapping spells it; REST v2 top-level names match without regard to case."""
    if name in mapping or not top:
        return name
    return next((key for key in mapping if str(key).lower() == name.lower()), name)


def locate(tree: dict[str, Any], body: dict[str, Any], path: str) -> _Spot | None:
    """The draft's spot for a validator path (`fields.items[0].ID`), or None where it leaves the tree."""
    level: dict[str, Any] | None = tree
    value: Any = body
    owner: dict[str, Any] | None = None
    spot = None
    for position, segment in enumerate(path.split(".")):
        found = _SEGMENT.fullmatch(segment)
        if found is None or level is None or not isinstance(value, dict):
            return None
        top = position == 0
        name = _key(level, found.group(1), top)
        spot = _Spot(level, name, value.get(_key(value, name, top)), owner, value)
        param, value = spot.param, spot.value
        for index in re.findall(r"\d+", found.group(2)):
            if not isinstance(value, list) or int(index) >= len(value):
                return None
            value = value[int(index)]
        if found.group(2) and param is not None:
            spot = _Spot(spot.level, spot.name, value, owner, spot.owner_value)
        owner = param
        level = None if param is None else _fields(param)
        if param is not None and level is None and isinstance(param.get("values"), dict):
            level = {key: param["values"] for key in value} if isinstance(value, dict) else None
    return spot


def _widen(param: dict[str, Any], value: Any, kinds: list[str]) -> str | None:
    """The type that also takes the example's value, or None when no rule settles it."""
    old = param["type"]
    if isinstance(value, str):
        if is_placeholder(value) or not set(kinds) <= _NARROW_SCALARS:
            return None
        return "string"
    if isinstance(value, list):
        elements = {json_kind(item) for item in value}
        if len(elements) == 1 and elements <= set(kinds) and "|" not in old and not old.endswith("[]"):
            return f"{old}|{old}[]"
        added = f"{elements.pop()}[]" if len(elements) == 1 else "array"
        return f"{old}|{added}" if added not in old.split("|") else None
    if isinstance(value, dict):
        return f"{old}|object" if "object" not in kinds else None
    return None


def _kinds(type_: str, registry: ImportRegistry) -> list[str]:
    return [registry.kind_or_none(name) or "any" for name in typeexpr.base_names(type_)]


def _settle_type(spot: _Spot, path: str, registry: ImportRegistry, notes: list[str], counts: Counter[str]) -> bool:
    param = spot.param
    if param is None or not isinstance(param.get("type"), str):
        return False
    widened = _widen(param, spot.value, _kinds(param["type"], registry))
    if widened is None:
        return False
    notes.append(
        f"`{path}`: the example sends {json_kind(spot.value)} {_short(spot.value)} where the table "
        f"types `{param['type']}`; typed `{widened}`"
    )
    param["type"] = widened
    if widened == "string":
        param.pop("enum", None)
        counts["example fits: a text where a number or code is typed"] += 1
    else:
        counts["example fits: another kind of value taken"] += 1
    return True


def _is_keyed_map(fields: dict[str, Any], value: Any) -> bool:
    """Every key unlisted, every value an object of mostly listed fields: a map of records."""
    if not isinstance(value, dict) or not value:
        return False
    for key, member in value.items():
        if key in fields or not isinstance(member, dict) or not member:
            return False
        if sum(name in fields for name in member) * 2 < len(member):
            return False
    return True


def _beside_placeholder(fields: dict[str, Any], name: str) -> bool:
    """`PROPERTY_951` beside a listed `PROPERTY_PropertyId`: the listed row names a family of keys."""
    for listed in fields:
        prefix, _, rest = listed.rpartition("_")
        if prefix and rest and not rest.isupper() and not rest.isdigit() and name.startswith(prefix + "_"):
            return True
    return False


def _settle_unknown(spot: _Spot, path: str, problem: Problem, notes: list[str], counts: Counter[str]) -> bool:
    level, name = spot.level, spot.name
    listed = next((key for key in level if key.lower() == name.lower() and key != name), None)
    if listed is not None:
        if name in level:
            return False
        level[name] = level.pop(listed)
        notes.append(f"`{path}`: the table spells it `{listed}`, the example `{name}`; the example's spelling is kept")
        counts["example fits: a member in the example's spelling"] += 1
        return True
    if "did you mean" in problem.message:
        return False
    owner = spot.owner
    if owner is not None and _fields(owner) is level and _is_keyed_map(level, spot.owner_value):
        holder = owner if "properties" in owner else owner["items"]
        record = {"type": "object", "properties": holder.pop("properties")}
        if "constraints" in holder:
            record["constraints"] = holder.pop("constraints")
        holder["values"] = record
        holder.pop("open", None)
        notes.append(
            f"`{path.rsplit('.', 1)[0]}`: the example's keys are names of its own, each holding the listed fields; a keyed map"
        )
        counts["example fits: an object read as a keyed map"] += 1
        return True
    if owner is not None and _fields(owner) is level and _beside_placeholder(level, name):
        holder = owner if "properties" in owner else owner["items"]
        holder["open"] = True
        notes.append(f"`{path}`: a key of the family a placeholder row lists; the object is open")
        counts["example fits: an object opened by a placeholder row"] += 1
        return True
    level[name] = {"type": json_kind(spot.value)}
    notes.append(f"`{path}`: the example sends it, the table does not list it; added as `{level[name]['type']}`")
    counts["example fits: a name the table forgot added"] += 1
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def fit(
    spec: dict[str, Any], body: dict[str, Any], registry: ImportRegistry, notes: list[str], counts: Counter[str]
) -> list[Problem]:
    """Settle what a rule can of the strict validator's refusals of `body`; the problems left."""
    tree = spec["params"]

    def find() -> list[Problem]:
        return request_problems(spec, body, registry, strict=True)

    def order(problem: Problem) -> int:
        # names and kinds first: a member counts as left out only once the shape around it is settled
        return _ORDER.get(problem.rule, len(_ORDER))

    def settle_one(problem: Problem) -> bool:
        spot = locate(tree, body, problem.path) if problem.path else None
        if spot is None:
            return False
        where = re.sub(r"\[\d+\]", "", problem.path)  # notes name the parameter, not the element
        if problem.rule == "type":
            return _settle_type(spot, where, registry, notes, counts)
        if problem.rule == "unknown":
            return _settle_unknown(spot, where, problem, notes, counts)
        if problem.rule == "required" and "." in where and spot.param is not None:
            del spot.param["required"]  # as shapes.reconcile does, for members only a fitted map exposes
            notes.append(f"`{where}`: the table marks it required, the example leaves it out; not required")
            counts["example fits: a nested member the example leaves out not required"] += 1
            return True
        return False

    # paths after a change may point elsewhere: each round validates again
    return rounds.settle_in_rounds(_MAX_ROUNDS, find, settle_one, order)[0]
