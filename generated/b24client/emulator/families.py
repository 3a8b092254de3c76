"""Entity families read off the specs: which methods add, get, list, update and delete what.

A family is a method prefix with an `add` and a `get` or `list` (crm.contact, tasks.task,
catalog.product, ...). Everything the generic handlers need is taken from the specs'
parameters and their docs examples, so one description per family replaces a handler per
method:

* the record's field names, their case (UPPER_CASE or camelCase) and whether values travel
  as strings (crm.contact.get answers `"ID": "43"`) or as numbers (crm.item.get `"id": 250`):
  from the get/list/add example records and the add spec's `fields` properties;
* the result wrapper of each method (`result.item`, `result.tasks`, `result.product`, or the
  bare record/list): from that method's own example;
* the parameter carrying the id (`id`, `ID`, `taskId`, `MESSAGE_ID`) and the one carrying the
  fields (`fields`, `FIELDS`, or the top-level parameters themselves, as im.message.add);
* scope parameters that split a family (crm.item by `entityTypeId`): parameters every method
  of the family takes and the add method requires.

`OVERRIDES` holds the few facts the specs cannot tell (lists.element's scope, disk's verbs).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

VERBS = ("add", "get", "list", "update", "delete")
# Parameters that steer a call rather than name a record or a scope.
CONTROL_PARAMS = frozenset(
    {
        "fields",
        "params",
        "select",
        "filter",
        "order",
        "sort",
        "start",
        "useoriginalufnames",
        "admin_mode",
        "image_resize",
        "navparams",
    }
)

# Facts the specs do not carry. Keys are family names; values replace derived attributes.
OVERRIDES: dict[str, dict[str, Any]] = {
    # an element lives in a list named by type and id; ELEMENT_CODE is the element's CODE field
    "lists.element": {"scope": ("IBLOCK_TYPE_ID", "IBLOCK_ID"), "extra_fields": {"ELEMENT_CODE": "CODE"}},
    # disk basics: folders and files are one tree of objects with PARENT_ID
    "disk.folder": {
        "methods": {
            "add": "disk.folder.addSubFolder",
            "get": "disk.folder.get",
            "list": "disk.folder.getChildren",
            "delete": "disk.folder.deleteTree",
        },
        "id_params": {"get": "id", "delete": "id"},
        "parent": ("id", "PARENT_ID"),
        "fields_param": "data",
    },
    # im.message has no get: messages are kept so update/delete can check them
    "im.message": {
        "methods": {"add": "im.message.add", "update": "im.message.update", "delete": "im.message.delete"},
        "id_params": {"update": "MESSAGE_ID", "delete": "MESSAGE_ID"},
    },
}
# Families with their own hand-written handlers (the payment family) are left to them.
HANDWRITTEN_PREFIXES = ("crm.item.payment", "sale.paysystem", "crm.invoice")
# crm.item's entityTypeId → the family whose records it shares (the deal table for 2).
ENTITY_TYPE_FAMILIES: dict[int, str] = {1: "crm.lead", 2: "crm.deal", 3: "crm.contact", 4: "crm.company", 7: "crm.quote"}
SYSTEM_ENTITY_TYPES = frozenset({1, 2, 3, 4, 7, 31, 36})

CREATED_AT = ("DATE_CREATE", "createdTime", "CREATED_DATE", "createdDate", "CREATE_TIME", "DATE_REGISTER", "CREATED")
MODIFIED_AT = ("DATE_MODIFY", "updatedTime", "CHANGED_DATE", "changedDate", "UPDATE_TIME", "LAST_UPDATED", "dateModify")
CREATED_BY = ("CREATED_BY_ID", "createdBy", "CREATED_BY", "AUTHOR_ID")


@dataclass(frozen=True)
class Family:
    """How one entity family stores and shows its records."""

    name: str
    methods: dict[str, str]  # verb → method id
    id_key: str  # the record's id field: ID or id
    case: str  # "upper" or "camel"
    stringy: bool  # scalar values travel as strings (crm.contact.get "ID": "43")
    template: tuple[str, ...]  # known field names, in the docs' order
    numeric: frozenset[str]  # fields whose values are numbers (non-stringy families convert to them)
    scope: tuple[str, ...] = ()
    id_params: dict[str, str] = field(default_factory=dict)  # verb → parameter holding the id
    fields_param: str | None = "fields"  # None: the add/update parameters are the fields
    results: dict[str, Any] = field(default_factory=dict)  # verb → the docs example's result
    get_lists: bool = False  # get answers a list (user.get, department.get, lists.element.get)
    parent: tuple[str, str] | None = None  # (parameter, field): list children of a parent
    extra_fields: dict[str, str] = field(default_factory=dict)  # parameter → field stored from it
    # verb → field → the docs example's non-null value ("" holds the first of any verb)
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)

    def example(self, verb: str, name: str) -> Any:
        """The docs' example value of a field in a verb's result, else in any verb's."""
        own = self.examples.get(verb, {})
        return own[name] if name in own else self.examples.get("", {}).get(name)

    @functools.cached_property
    def _by_norm(self) -> dict[str, str]:
        return {norm(name): name for name in self.template}

    def field_name(self, name: str) -> str:
        """The family's spelling of a field named in any case (STAGE_ID ↔ stageId)."""
        text = str(name)
        if text.upper().startswith("UF_") or text.upper().startswith("PROPERTY_"):
            return text
        return self._by_norm.get(norm(text), text)

    def knows(self, name: str) -> bool:
        return not self.template or norm(name) in self._by_norm or name.upper().startswith(("UF_", "PROPERTY_"))

    def wrapper(self, verb: str) -> str | None:
        """The key a method's result wraps the record(s) in (`item`, `tasks`), from its example."""
        result = self.results.get(verb)
        if isinstance(result, Mapping) and len(result) == 1:
            key, value = next(iter(result.items()))
            if isinstance(value, Mapping | list):
                return str(key)
        return None


def norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _record_of(result: Any) -> Mapping[str, Any] | None:
    """The example record inside a result: bare, wrapped once, or the first of a list."""
    if isinstance(result, Mapping) and len(result) == 1:
        inner = next(iter(result.values()))
        if isinstance(inner, Mapping | list):
            result = inner
    if isinstance(result, list):
        result = result[0] if result and isinstance(result[0], Mapping) else None
    if isinstance(result, Mapping) and len(result) > 1:
        return result
    return None


def _example_result(method_id: str) -> Any:
    from b24client.runtime import specs as runtime_specs

    example: Mapping[str, Any] = runtime_specs.example(method_id) or {}
    return ((example.get("response") or {}).get("body") or {}).get("result")


def _param(spec: Mapping[str, Any] | None, lowered: str) -> str | None:
    return next((name for name in (spec or {}).get("params", {}) if name.lower() == lowered), None)


def _derive(name: str, methods: dict[str, str], specs: Mapping[str, Mapping[str, Any]], override: Mapping[str, Any]) -> Family:
    methods = dict(override.get("methods", methods))
    by_verb = {verb: specs.get(method) for verb, method in methods.items()}
    results = {verb: _example_result(method) for verb, method in methods.items()}
    fields_param = override.get("fields_param") or _param(by_verb.get("add"), "fields")
    template: dict[str, Any] = {}
    examples: dict[str, dict[str, Any]] = {"": {}}
    for verb in ("get", "list", "add", "update"):
        record = _record_of(results.get(verb))
        for key, value in (record or {}).items():
            template.setdefault(str(key), value)
            if value is not None:
                examples.setdefault(verb, {})[str(key)] = value
                examples[""].setdefault(str(key), value)
    fields_spec = (by_verb.get("add") or {}).get("params", {}).get(fields_param or "", {})
    declared = (
        dict(fields_spec.get("properties") or {})
        if fields_param
        else {key: value for key, value in (by_verb.get("add") or {}).get("params", {}).items()}
    )
    for key in declared:
        template.setdefault(key, None)
    described = _example_result(f"{name}.fields") if f"{name}.fields" in specs else None
    if isinstance(described, Mapping):
        for key in described:
            template.setdefault(str(key), None)
    letters = [key for key in template if any(c.isalpha() for c in key)]
    upper = sum(key == key.upper() for key in letters) * 2 >= len(letters) if letters else True
    numbers = sum(isinstance(v, int | float) and not isinstance(v, bool) for v in template.values())
    digit_texts = sum(isinstance(v, str) and v.strip().lstrip("-").isdigit() for v in template.values())
    numeric = {key for key, value in template.items() if isinstance(value, int | float) and not isinstance(value, bool)}
    numeric |= {
        key
        for key, value in declared.items()
        if isinstance(value, Mapping) and any(t[0] in ("integer", "number", "double") for t in value.get("types", []))
    }
    id_key = next((key for key in template if key.lower() == "id"), "ID" if upper else "id")
    scope = tuple(override.get("scope", _scope(by_verb)))
    id_params = dict(override.get("id_params") or {})
    for verb in ("get", "update", "delete"):
        if verb in by_verb and verb not in id_params:
            found = _id_param(by_verb[verb], scope)
            if found:
                id_params[verb] = found
    family = Family(
        name=name,
        methods=methods,
        id_key=id_key,
        case="upper" if upper else "camel",
        stringy=digit_texts > numbers,
        template=tuple(template),
        numeric=frozenset(numeric),
        scope=scope,
        id_params=id_params,
        fields_param=fields_param,
        results=results,
        get_lists=isinstance(results.get("get"), list),
        parent=override.get("parent"),
        extra_fields=dict(override.get("extra_fields") or {}),
        examples=examples,
    )
    return family


def _scope(by_verb: Mapping[str, Mapping[str, Any] | None]) -> list[str]:
    """Parameters every method takes and add requires: they split the family (entityTypeId)."""
    add = by_verb.get("add") or {}
    common: set[str] | None = None
    for spec in by_verb.values():
        names = {name.lower() for name in (spec or {}).get("params", {})}
        common = names if common is None else common & names
    return [
        name
        for name, rule in add.get("params", {}).items()
        if name.lower() in (common or set())
        and name.lower() not in CONTROL_PARAMS
        and name.lower() != "id"
        and isinstance(rule, Mapping)
        and rule.get("required")
    ]


def _id_param(spec: Mapping[str, Any] | None, scope: Iterable[str]) -> str | None:
    params: list[str] = [str(name) for name in (spec or {}).get("params", {}) if name not in scope]
    exact = next((name for name in params if name.lower() == "id"), None)
    if exact:
        return exact
    return next((name for name in params if name.lower().endswith("id") and name.lower() not in CONTROL_PARAMS), None)


@functools.lru_cache(maxsize=1)
def derive_families() -> tuple[Family, ...]:
    """Every family the installed specs describe, overrides applied (computed once)."""
    from b24client.runtime import specs as runtime_specs

    grouped: dict[str, dict[str, str]] = {}
    for method in runtime_specs.method_ids():
        if "@" in method:
            continue
        prefix, _, verb = method.rpartition(".")
        if verb in VERBS and prefix:
            grouped.setdefault(prefix, {})[verb] = method
    names = {prefix for prefix, verbs in grouped.items() if "add" in verbs and ({"get", "list"} & verbs.keys())}
    names |= set(OVERRIDES)
    families = []
    for name in sorted(names):
        if name.startswith(HANDWRITTEN_PREFIXES):
            continue
        override = OVERRIDES.get(name, {})
        methods = dict(override.get("methods", grouped.get(name, {})))
        wanted = {*methods.values(), f"{name}.fields"}
        specs = {m: s for m in wanted if (s := runtime_specs.get(m)) is not None}
        if not all(m in specs for m in methods.values()):
            continue
        families.append(_derive(name, methods, specs, override))
    return tuple(families)
