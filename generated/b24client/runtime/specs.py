"""Lazy access to the compiled method specs in the generated package.

Each method's data lives in its own generated module, so importing b24client costs the
same with 30 methods or 1,650: a spec is imported the first time its method is used.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

MethodSpec = dict[str, Any]


def _index() -> dict[str, str]:
    from b24client import _index as index  # generated; imported on first use

    methods: dict[str, str] = index.METHODS
    return methods


def method_ids() -> tuple[str, ...]:
    """Every method id with a spec: the wire name, or `<name>@v3` for REST v3."""
    return tuple(_index())


@cache
def get(method_id: str) -> MethodSpec | None:
    """The compiled spec of one method, or None when the method has no spec."""
    module = _index().get(method_id)
    if module is None:
        return None
    spec: MethodSpec = import_module(f"b24client._specs.{module}").SPEC
    return spec


def method_id(method: str, api_version: int = 2) -> str:
    return f"{method}@v3" if api_version == 3 else method
