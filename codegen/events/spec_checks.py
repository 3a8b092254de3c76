"""Check event specs: the format schema, then what a schema cannot say.

Semantic rules: the file is named by its event code; event codes and generated Python
names are unique; every type resolves in spec/types.yaml; the scope is one the methods
use (or shared.yaml lists); and every docs example is a request the spec accepts, checked
by the runtime's own validator in strict mode, so a payload type that the docs' own
example contradicts cannot pass. Problems read `<file>: <path>: <what>`, as for methods.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from b24client.runtime.validate import Problem, check_params

from ..compile import compile_param
from ..load import SpecFile
from ..spec_checks import (
    FORMAT_SCHEMA_PATH,
    FormatValidator,
    _constraint_problems,
    _unwritable_text,
    _walk_params,
    drop_failing,
    schema_problems,
)
from ..typeexpr import TypeRegistry
from .load import EventTree

EVENT_SCHEMA_PATH = FORMAT_SCHEMA_PATH.with_name("event.schema.json")
SHARED_DEFS = ("wireName", "typeExpr", "paramMap", "param", "constraints")
# Names the generated module defines once; no event may generate one of them.
MODULE_NAMES = frozenset({"EventAuth", "EventInfo", "EventName", "AnyEvent", "EVENTS"})


@cache
def event_validator() -> FormatValidator:
    """event.schema.json with the parameter definitions of method.schema.json put in its $defs."""
    schema = json.loads(EVENT_SCHEMA_PATH.read_text(encoding="utf-8"))
    method = json.loads(FORMAT_SCHEMA_PATH.read_text(encoding="utf-8"))
    schema["$defs"] = {**{name: method["$defs"][name] for name in SHARED_DEFS}, **schema["$defs"]}
    return FormatValidator(schema)


def scopes_of(data: dict[str, Any]) -> list[str]:
    scope = data["scope"]
    return [scope] if isinstance(scope, str) else list(scope)


def request_params(data: dict[str, Any], shared: dict[str, Any]) -> dict[str, Any]:
    """Every top-level member of the event's request, as parameters: the shared envelope, the
    event's own extra members, `data` (required) and, unless the event has none, `auth`."""
    members = {**shared["envelope"], **data.get("envelope", {}), "data": {**data["data"], "required": True}}
    if data.get("auth", "shared") == "shared":
        members["auth"] = shared["auth"]
    return members


def example_problems(name: str, body: Any, data: dict[str, Any], shared: dict[str, Any], registry: TypeRegistry) -> list[str]:
    """Why a docs example is not a request this spec accepts (empty: it is)."""
    if not isinstance(body, dict):
        return ["is not an object"]
    found = []
    sent = body.get("event")
    if not isinstance(sent, str) or sent.upper() != name:
        found.append(f"/event: {sent!r} is not the event {name!r}")
    found += [
        f"{problem.path}: {problem.message} [rule: {problem.rule}]" for problem in body_problems(body, data, shared, registry)
    ]
    return found


def body_problems(body: dict[str, Any], data: dict[str, Any], shared: dict[str, Any], registry: TypeRegistry) -> list[Problem]:
    """The runtime validator's strict verdict on a request body against the event's spec."""
    compiled = {
        "method": data["event"],
        "api_version": 3,  # exact names: the portal's keys are not case-folded here
        "params": {key: compile_param(param, registry) for key, param in request_params(data, shared).items()},
    }
    return check_params(compiled, body, strict=True)


def _type_problems(label: str, params: dict[str, Any], path: str, registry: TypeRegistry) -> Iterable[str]:
    for here, _name, param in _walk_params(params, path):
        try:
            registry.resolve(param["type"])
        except KeyError as exc:
            yield f"{label}: {here}/type: {exc.args[0]} (add it to spec/types.yaml)"
        if "constraints" in param:
            yield from (f"{label}: {p}" for p in _constraint_problems(here, param["constraints"], param.get("properties", {})))


def semantic_problems(spec: SpecFile, shared: dict[str, Any], registry: TypeRegistry, scopes: set[str]) -> list[str]:
    data, label = spec.data, spec.source_label
    found = [f"{label}: {problem}" for problem in _unwritable_text(data)]
    if found:
        return found
    if data["event"] != spec.method_id:
        found.append(f"{label}: /event: file name says {spec.method_id!r} but the spec says {data['event']!r}")
    found += _type_problems(label, {"data": data["data"]}, "", registry)
    found += _type_problems(label, data.get("envelope", {}), "/envelope", registry)
    for key in data.get("envelope", {}):
        if key in shared["envelope"] or key in ("data", "auth"):
            found.append(f"{label}: /envelope/{key}: already a member of every event request (shared.yaml)")
    for scope in scopes_of(data):
        if scope not in scopes:
            found.append(f"{label}: /scope: {scope!r} is no method's scope and not in spec/events/shared.yaml known_scopes")
    names = [example["name"] for example in data.get("examples", [])]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        found.append(f"{label}: /examples: name {duplicate!r} is used twice")
    if found:  # an example cannot be judged against a spec that is itself broken
        return found
    for index, example in enumerate(data.get("examples", [])):
        found += [
            f"{label}: /examples/{index}/body{problem if problem.startswith('/') else ' ' + problem}"
            for problem in example_problems(data["event"], example["body"], data, shared, registry)
        ]
    return found


def _shared_problems(events: EventTree, registry: TypeRegistry) -> list[str]:
    label = "spec/events/shared.yaml"
    shared = events.shared
    found = [f"{label}: {problem}" for problem in _unwritable_text(shared)]
    for key in ("envelope", "auth"):
        if not isinstance(shared.get(key), dict):
            return [*found, f"{label}: /{key}: missing (it must be a mapping)"]
    found += _type_problems(label, shared["envelope"], "/envelope", registry)
    found += _type_problems(label, {"auth": shared["auth"]}, "", registry)
    return found


def _name_problems(specs: dict[str, SpecFile]) -> list[tuple[str, str]]:
    """(event, problem): generated Python names unique. Event codes need no such check: the
    file name is the code, and the format allows upper case only (no two differ by case)."""
    found = []
    owners: dict[str, str] = {}
    for event_id, spec in specs.items():
        type_name = spec.data.get("type_name")
        if not isinstance(type_name, str):
            continue
        for generated in (type_name + "Data", type_name + "Event"):
            if generated in MODULE_NAMES:
                found.append((event_id, f"{spec.source_label}: /type_name: {generated!r} is a name the events module defines"))
            owner = owners.setdefault(generated, event_id)
            if owner != event_id:
                found.append((event_id, f"{spec.source_label}: /type_name: {generated!r} is also generated for {owner!r}"))
    return found


def event_problems(events: EventTree, registry: TypeRegistry, method_scopes: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Problems of the event tree as a whole, and each event's own problems."""
    shared_found = list(events.load_errors) + _shared_problems(events, registry)
    if shared_found:
        return shared_found, {}
    validator = event_validator()
    scopes = method_scopes | set(events.shared.get("known_scopes") or [])
    per_event: dict[str, list[str]] = {}
    for event_id, spec in events.specs.items():
        found = schema_problems(spec, validator) or semantic_problems(spec, events.shared, registry, scopes)
        if found:
            per_event[event_id] = found
    for event_id, problem in _name_problems({k: s for k, s in events.specs.items() if k not in per_event}):
        per_event.setdefault(event_id, []).append(problem)
    return shared_found, per_event


def method_scopes(specs: Iterable[SpecFile]) -> set[str]:
    """Every scope a method spec names: the scopes an event may be subscribed under."""
    return {scope for spec in specs for scope in scopes_of(spec.data)}


def drop_failing_event_drafts(events: EventTree, registry: TypeRegistry, scopes: set[str]) -> tuple[list[str], list[str]]:
    """As codegen.spec_checks.drop_failing_drafts: imported event drafts that fail are left out
    (a coverage gap the importer reports); curated specs and overrides must pass."""
    shared, per_event = event_problems(events, registry, scopes)
    return drop_failing(events.specs, shared, per_event)
