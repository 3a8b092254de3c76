"""Measure what the specs forbid in the shape of values: enums, bounds, nested objects.

The nested-object figures are measured with the runtime validator itself, not read off
the YAML: for every parameter that lists fields (`properties`, `items.properties`,
`values.properties`), a probe value is built from the top of the call down to it (a dict
for an object, a one-element list for items, a one-key map for values) and checked. A
parameter is "checked inside" when the validator reports a problem inside the probe (a
null member, or an undocumented member in strict mode); a required nested field is
"enforced" when leaving it out is reported. The same function gives the before and after
figures in reports/coverage.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from b24client.runtime.validate import check

from ..compile import compile_param
from ..load import with_list_params
from ..typeexpr import TypeRegistry

_BOUNDS = ("minimum", "maximum", "max_length", "max_items")
_PROBE_KEY = "zz_probe_member"

Step = tuple[str, str]  # (how, name): "prop" a member, "item" a list element, "value" a map value


def _walk(params: Mapping[str, Any], path: tuple[Step, ...] = ()) -> Iterator[tuple[tuple[Step, ...], dict[str, Any]]]:
    """Every parameter node with the steps that reach it, `items` and `values` shapes included."""
    for name, param in params.items():
        here = (*path, ("prop", name))
        yield here, param
        yield from _below(param, here)


def _below(param: dict[str, Any], path: tuple[Step, ...]) -> Iterator[tuple[tuple[Step, ...], dict[str, Any]]]:
    if "properties" in param:
        yield from _walk(param["properties"], path)
    for key, how in (("items", "item"), ("values", "value")):
        if key in param:
            shape = param[key]
            yield (*path, (how, "")), shape
            yield from _below(shape, (*path, (how, "")))


def _wrap(path: tuple[Step, ...], inner: Any) -> dict[str, Any]:
    """The call parameters that put `inner` at `path`."""
    value = inner
    for how, name in reversed(path):
        value = {name: value} if how == "prop" else [value] if how == "item" else {"k": value}
    assert isinstance(value, dict)
    return value


def _text(path: tuple[Step, ...]) -> str:
    """The validator's spelling of a path (`fields.ITEMS[0].k.NAME`)."""
    out = ""
    for how, name in path:
        out += (f".{name}" if out else name) if how == "prop" else "[0]" if how == "item" else ".k"
    return out


def _probe_member(properties: Mapping[str, Any]) -> tuple[str, Any] | None:
    """A (name, value) the validator must refuse inside the object: a null where null is not allowed."""
    for name, param in properties.items():
        kinds = {kind for kind, _ in param.get("types", [])}
        if not param.get("nullable") and not kinds & {"null", "any"}:
            return name, None
    return None


def _compiled_at(compiled: Mapping[str, Any], path: tuple[Step, ...]) -> dict[str, Any]:
    """The compiled node a spec path leads to (`items`/`values` shapes are compiled in place)."""
    node: dict[str, Any] = {"properties": compiled}
    for how, name in path:
        node = node["properties"][name] if how == "prop" else node["items" if how == "item" else "values"]
    return node


def measure(specs: Mapping[str, dict[str, Any]], types: TypeRegistry) -> Counter[str]:
    """Figures over effective specs (method id → spec data)."""
    figures: Counter[str] = Counter()
    for method_id in sorted(specs):
        data = with_list_params(specs[method_id])
        try:
            compiled = {name: compile_param(param, types) for name, param in data["params"].items()}
        except KeyError:  # an unknown type name; codegen.spec_checks reports it
            continue
        spec = {"method": method_id, "api_version": data.get("api_version", 2), "params": compiled}
        for _, param in _walk(data["params"]):
            figures["params (any depth)"] += 1
            if "enum" in param:
                figures["params with an enum"] += 1
            if any(key in param for key in _BOUNDS):
                figures["params with a bound"] += 1
        for path, node in _walk(data["params"]):
            if "properties" not in node:
                continue
            figures["object params with listed fields"] += 1
            properties = _compiled_at(compiled, path)["properties"]
            required = [name for name, child in properties.items() if child.get("required")]
            base = _text(path)
            if required:
                figures["object params with required fields"] += 1
                problems = check(spec, _wrap(path, {})).problems
                found = {p.path for p in problems if p.rule == "required"}
                enforced = sum(f"{base}.{name}" in found for name in required)
                figures["required nested fields"] += len(required)
                figures["required nested fields enforced"] += enforced
            member = _probe_member(properties)
            if member is not None:
                probe, strict = {member[0]: member[1]}, False
            elif not node.get("open"):
                probe, strict = {_PROBE_KEY: 1}, True
            else:
                figures["object params checked inside"] += 1  # open and nothing can be wrong inside
                continue
            problems = check(spec, _wrap(path, probe), strict=strict).problems
            if any(p.path.startswith(base + ".") for p in problems):
                figures["object params checked inside"] += 1
    return figures


def measure_tree() -> Counter[str]:
    """The figures over the spec tree on disk (what `python -m codegen.importer.shape_figures` prints)."""
    from ..load import load_tree

    tree = load_tree()
    return measure({key: spec.data for key, spec in tree.specs.items()}, TypeRegistry(tree.types))


if __name__ == "__main__":
    for name, value in sorted(measure_tree().items()):
        print(f"{name}: {value}")
