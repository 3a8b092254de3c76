"""Result types from the specs' JSON Schemas, by datamodel-code-generator.

One call per group: every method's result schema goes under `$defs` as `<Method>Result`,
with the method's own `$defs` renamed beneath it, so local references keep working and a
group costs one generator run instead of one per method. TypedDicts are chosen over
pydantic models: results stay the plain dicts the portal sent, with zero parsing cost
and no runtime dependency.
"""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

# The package re-exports DataModelType from a module that has moved between releases; its top
# level is the stable name, though it lists no __all__ for mypy.
from datamodel_code_generator import DataModelType, InputFileType, PythonVersion, generate  # type: ignore[attr-defined]

from .naming import pascal

_PREAMBLE_END = "from __future__ import annotations\n"


def _closed(key: str, value: Any) -> bool:
    """`additionalProperties: false` would make the generator write PEP 728 `closed=True`,
    from typing_extensions (not a dependency) and refused by 3.11's TypedDict; a TypedDict
    names every key it has anyway, so the schemas go to the generator without it."""
    return key == "additionalProperties" and value is False


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        renamed = {key: _rename_refs(value, prefix) for key, value in node.items() if key != "$defs" and not _closed(key, value)}
        ref = renamed.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            renamed["$ref"] = "#/$defs/" + prefix + ref[len("#/$defs/") :]
        return renamed
    if isinstance(node, list):
        return [_rename_refs(item, prefix) for item in node]
    return node


def _titled(node: Any, name: str) -> Any:
    """Give every inline object the class name of its path (`CrmDealGetResult` + `Fields`).

    Left to itself the generator names a nested object after its property and numbers the
    clashes (`Item1`, `Item2`) in the order it meets them, so adding one method renamed classes
    of others. A title per path makes every name depend only on its method and its place.
    """
    if isinstance(node, list):
        return [_titled(item, f"{name}Variant{index + 1}") for index, item in enumerate(node)]
    if not isinstance(node, dict):
        return node
    titled = dict(node)
    if "properties" in node or node.get("type") == "object" or "enum" in node:
        titled["title"] = name
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            titled[key] = {prop: _titled(schema, name + _segment(prop)) for prop, schema in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            titled[key] = _titled(value, name + ("Item" if key == "items" else "Value"))
        elif key in ("anyOf", "oneOf", "allOf", "prefixItems") and isinstance(value, list):
            titled[key] = _titled(value, name)
    return titled


def _segment(prop: str) -> str:
    """A property's part of a class name: `PROPERTY_VALUES` → `PropertyValues`, `7` → `N7`."""
    word = pascal(re.sub(r"[^0-9A-Za-z]+", "_", prop.lower() if prop.isupper() else prop)) or "Field"
    return word if word[0].isalpha() else f"N{word}"


def combined_schema(result_schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    for name in sorted(result_schemas):
        schema = result_schemas[name]
        prefix = name[: -len("Result")]
        for local_name, local in sorted(schema.get("$defs", {}).items()):
            definitions[prefix + local_name] = _titled(_rename_refs(local, prefix), prefix + local_name)
        definitions[name] = _titled(_rename_refs(schema, prefix), name) or {}
    return {"$defs": definitions}


def render_models(result_schemas: dict[str, dict[str, Any]], *, header: str, doc: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = generate(
            json.dumps(combined_schema(result_schemas), sort_keys=True),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.TypingTypedDict,
            target_python_version=PythonVersion.PY_311,
            disable_timestamp=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=False,
            use_field_description=False,
            use_title_as_name=True,
            formatters=[],  # ruff formats the whole output afterwards, once
        )
    assert isinstance(code, str)
    body = code[code.index(_PREAMBLE_END) :].replace("\nModel: TypeAlias = Any\n", "\n", 1)
    return f'{header}"""{doc}"""\n\n{body}'
