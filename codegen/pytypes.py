"""Python type hints for parameters, and the TypedDicts nested objects need.

Hints follow what the validator accepts, so a call mypy approves is one the runtime
accepts: integers may be digit strings (the portal returns ids as strings), dates may be
`datetime.date` objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .naming import pascal
from .typeexpr import TypeRegistry, per_kind

_KIND_HINTS = per_kind(
    {
        "string": "str",
        "integer": "int | str",
        "number": "float | str",
        "boolean": "bool | str",
        "char": "str",
        "date": "str | datetime.date",
        "datetime": "str | datetime.date",
        "object": "dict[str, Any]",
        "array": "list[Any] | dict[str, Any]",
        "file": "Any",
        "any": "Any",
        "null": "None",
    }
)


@dataclass
class TypedDictDef:
    name: str
    fields: list[tuple[str, str, bool]]  # (key, hint, required)
    functional: bool  # keys are wire names, which need the functional syntax


@dataclass
class HintBuilder:
    registry: TypeRegistry
    definitions: list[TypedDictDef] = field(default_factory=list)
    #: Names taken in the module; the methods' own `<Method>Params` are reserved up front,
    #: since a parameter literally called PARAMS would otherwise name a nested dict the same.
    reserved: set[str] = field(default_factory=set)
    _taken: set[str] = field(default_factory=set)

    def _unique(self, name: str, exact: bool) -> str:
        if exact:
            self._taken.add(name)
            return name
        candidate, counter = name, 1
        while candidate in self._taken or candidate in self.reserved:
            candidate = f"{name}Object{counter if counter > 1 else ''}"
            counter += 1
        self._taken.add(candidate)
        return candidate

    def hint(self, param: dict[str, Any], owner: str) -> str:
        alternatives = []
        for kind, depth in self.registry.resolve(param["type"]):
            inner = self._element_hint(param, kind, depth, owner)
            for _ in range(depth):
                inner = f"Sequence[{inner}]"
            alternatives.append(inner)
        if param.get("nullable"):
            alternatives.append("None")
        unique: list[str] = []
        for alternative in alternatives:
            if alternative not in unique:
                unique.append(alternative)
        unique.sort(key=lambda hint: hint == "None")  # `X | None`, as ruff (RUF036) wants it
        return " | ".join(unique)

    def _element_hint(self, param: dict[str, Any], kind: str, depth: int, owner: str) -> str:
        if "enum" in param and kind not in ("object", "array", "any"):
            values = [item["value"] if isinstance(item, dict) else item for item in param["enum"]]
            return "Literal[" + ", ".join(repr(value) for value in values) + "]"
        if depth > 0 and "items" in param:
            return self.hint(param["items"], owner + "Item")
        if kind == "object" and param.get("properties"):
            return self.typed_dict(owner, param["properties"], functional=True)
        if kind == "object" and "values" in param:
            return f"dict[str, {self.hint(param['values'], owner + 'Value')}]"
        return _KIND_HINTS[kind]

    def typed_dict(
        self,
        name: str,
        properties: dict[str, Any],
        *,
        functional: bool,
        key_names: dict[str, str] | None = None,
        child_prefix: str | None = None,
    ) -> str:
        name = self._unique(name, exact=key_names is not None)
        fields = []
        for wire, child in properties.items():
            key = key_names[wire] if key_names else wire
            owner = (child_prefix or name) + pascal(wire)
            fields.append((key, self.hint(child, owner), bool(child.get("required"))))
        self.definitions.append(TypedDictDef(name, fields, functional))
        return name
