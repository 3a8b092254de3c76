"""JSON Schemas for `result.schema`: from the docs' declared result type, or from an example.

Both are deliberately permissive — types only, never `required`, objects stay open — so a
draft schema describes what the docs show without rejecting what the portal may add.
The page's example response must validate against whatever is emitted; `choose` makes
sure of that by falling back to the schema inferred from the example itself.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

_SCALAR_KINDS = {
    "string": "string",
    "text": "string",
    "enum": "string",
    "char": "string",
    "date": "string",
    "datetime": "string",
    "integer": "integer",
    "timestamp": "integer",
    "double": "number",
    "number": "number",
    "boolean": "boolean",
    "object": "object",
    "array": "array",
    "null": "null",
}


MAP_MIN_KEYS = 8  # an object with this many object-valued members is read as a keyed map


def infer(value: Any) -> dict[str, Any]:
    """Schema of an example value: its JSON types, object members, merged array elements.

    An object whose members are all objects, at least MAP_MIN_KEYS of them (field maps such
    as crm.deal.fields, records keyed by id), becomes a map: one merged member schema
    under `additionalProperties` instead of one property per key.
    """
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, dict):
        schema: dict[str, Any] = {"type": "object"}
        if len(value) >= MAP_MIN_KEYS and all(isinstance(member, dict) for member in value.values()):
            members = [infer(member) for member in value.values()]
            shared = members[0]
            for member in members[1:]:
                shared = merge(shared, member)
            schema["additionalProperties"] = shared
        elif value:
            schema["properties"] = {key: infer(member) for key, member in value.items()}
        return schema
    if isinstance(value, list):
        schema = {"type": "array"}
        if value:
            items = infer(value[0])
            for element in value[1:]:
                items = merge(items, infer(element))
            schema["items"] = items
        return schema
    return {}  # null: the example does not tell the type


def merge(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """A schema both inputs' instances satisfy (used for the elements of one array)."""
    if not first or not second:
        return {}
    kinds = _kinds(first) | _kinds(second)
    if "number" in kinds:
        kinds.discard("integer")
    if len(kinds) > 1:
        if all(key == "type" for key in (*first, *second)):
            return {"type": sorted(kinds)}
        return {}
    if _kinds(first) != kinds:  # integer merged into number
        return {"type": "number"}
    merged = dict(first)
    if "additionalProperties" in first or "additionalProperties" in second:
        return {"type": "object"}  # a map merged with anything: keep only the kind
    if "properties" in first or "properties" in second:
        properties = dict(first.get("properties", {}))
        for key, value in second.get("properties", {}).items():
            properties[key] = merge(properties[key], value) if key in properties else value
        merged["properties"] = properties
    if "items" in first or "items" in second:
        merged["items"] = merge(first["items"], second["items"]) if "items" in first and "items" in second else {}
        if not merged["items"]:
            del merged["items"]
    return merged


def _kinds(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    return set(kind) if isinstance(kind, list) else {str(kind)}


def from_type(expression: str, resolve: Any) -> dict[str, Any]:
    """Schema for a declared type expression; `resolve(name)` gives a registry name's kind."""
    alternatives: list[dict[str, Any]] = []
    for term in expression.split("|"):
        depth = 0
        while term.endswith("[]"):
            term, depth = term[:-2], depth + 1
        kind = _SCALAR_KINDS.get(term) or _SCALAR_KINDS.get(resolve(term) or "", "")
        schema: dict[str, Any] = {"type": kind} if kind else {}
        for _ in range(depth):
            schema = {"type": "array", **({"items": schema} if schema else {})}
        if not schema:
            return {}
        alternatives.append(schema)
    if len(alternatives) == 1:
        return alternatives[0]
    return {"anyOf": alternatives}


def valid(schema: dict[str, Any], value: Any) -> bool:
    return bool(Draft202012Validator(schema).is_valid(value))


def choose(declared: dict[str, Any] | None, example: Any, has_example: bool) -> tuple[dict[str, Any], str]:
    """(schema, source) for `result`.

    With an example, the schema inferred from it is used (it always fits, and says more
    than a declared `deal[]`), except that a declared union the example fits is kept.
    Without one, the declared type; without either, `{}`.
    """
    if not has_example:
        return (declared, "table only") if declared else ({}, "none")
    if declared is None:
        return infer(example), "example only"
    if not valid(declared, example):
        return infer(example), "example (table type disagrees)"
    if "anyOf" in declared:
        return declared, "table union"
    return infer(example), "example (table type agrees)"
