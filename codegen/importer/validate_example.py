"""Check an example request against the draft spec with the client's own validator.

A success example's request must validate clean (the generated tests replay it), so the
importer runs the runtime validator on it, over the spec compiled by codegen/compile.py,
and drops a request that fails rather than shipping an example that cannot pass.
"""

from __future__ import annotations

from typing import Any

from b24client.runtime.validate import Problem, check_params

from ..compile import compile_param
from ..load import with_list_params
from .registry import ImportRegistry


def compiled(spec: dict[str, Any], registry: ImportRegistry) -> dict[str, Any]:
    """The spec as the runtime validator reads it (list parameters implied, types resolved)."""
    spec = with_list_params(spec)
    return {
        "method": spec["method"],
        "api_version": spec.get("api_version", 2),
        "params": {name: compile_param(param, registry.types) for name, param in spec["params"].items()},
        "open_params": spec.get("open_params", False),
        "constraints": spec.get("constraints", []),
        "pagination": spec.get("pagination"),
    }


def request_problems(
    spec: dict[str, Any], request: dict[str, Any], registry: ImportRegistry, strict: bool = False
) -> list[Problem]:
    """The runtime validator's problems with `request`; `strict` refuses undocumented names too."""
    return check_params(compiled(spec, registry), request, strict=strict)


def declared_type(spec: dict[str, Any], path: str) -> str | None:
    """The type the spec declares at a validator path (`fields.items[0].ID` → the ID param's type)."""
    params: dict[str, Any] = spec["params"]
    param: dict[str, Any] | None = None
    for part in path.split("."):
        name = part.split("[", 1)[0]
        if param is not None:
            params = param.get("properties") or param.get("items", {}).get("properties") or {}
        param = params.get(name)
        if param is None:
            return None
    return param["type"] if param else None
