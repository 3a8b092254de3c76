"""The compiled method specs: their one typed shape, and lazy loading by method id.

codegen/compile.py produces these TypedDicts and the runtime reads them, so a key renamed on
one side is a mypy error on the other. The data is split the way botocore splits a service's
`service-2.json` (what a call needs) from its `examples-1.json` (what only documentation
reads), each loaded lazily per model and cached:

- `b24client._specs.<module>` holds `SPEC`, a `MethodSpec`: what the call path needs
  (parameters, constraints, keyword names, idempotency, errors, paging). A Python module,
  because the call path imports it on every method's first use and the interpreter caches
  its bytecode; importing b24client costs the same with 30 methods or 1,650.
- `b24client/_examples/<module>.json` holds the docs' first success example, which only the
  emulator and `b24 describe` read. Plain JSON package data: nothing imports it, nothing
  byte-compiles it, and the call path never opens it.
- `b24client._specs.METHOD_IDS` lists every method id; the module of an id is computed by
  `method_module`, the one function codegen names the files with.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import import_module
from importlib.resources import files
from typing import Any, Literal, NotRequired, TypedDict

Kind = list[Any]  # [primitive kind, list depth], e.g. ["integer", 0]; see validate.py


class ConstraintSpec(TypedDict):
    """A rule between sibling parameters of one object (spec/format: constraints)."""

    rule: str
    params: list[str]
    when: NotRequired[dict[str, Any]]
    summary: NotRequired[str]


class ParamSpec(TypedDict):
    """One parameter with its type names resolved to primitive kinds; flags only when set."""

    types: list[Kind]
    required: NotRequired[Literal[True]]
    nullable: NotRequired[Literal[True]]
    open: NotRequired[Literal[True]]
    minimum: NotRequired[float]
    exclusive_minimum: NotRequired[float]
    maximum: NotRequired[float]
    max_length: NotRequired[int]
    max_items: NotRequired[int]
    min_items: NotRequired[int]
    enum: NotRequired[list[Any]]
    properties: NotRequired[dict[str, ParamSpec]]
    values: NotRequired[ParamSpec]
    items: NotRequired[ParamSpec]
    constraints: NotRequired[list[ConstraintSpec]]


class PaginationSpec(TypedDict):
    """How a list method pages (spec/format: pagination); None in a MethodSpec for one page."""

    style: Literal["offset", "limit", "page"]
    page_size: NotRequired[int]
    no_count: NotRequired[bool]
    items: NotRequired[str]
    id_field: NotRequired[str]
    order_param: NotRequired[str]
    filter_param: NotRequired[str]
    select_param: NotRequired[str]
    start_param: NotRequired[str]
    offset_param: NotRequired[str]
    limit_param: NotRequired[str]


ErrorSpec = TypedDict(  # "class" is a keyword, so the functional form
    "ErrorSpec",
    {"code": str, "class": str, "status": int, "match": NotRequired[str], "category": NotRequired[str]},
)


class MethodSpec(TypedDict):
    """What the call path needs of one method; every key is always present."""

    method: str
    api_version: int
    idempotent: bool
    batchable: bool
    open_params: bool
    params: dict[str, ParamSpec]
    constraints: list[ConstraintSpec]
    kwargs: dict[str, str]  # python keyword → wire name
    pagination: PaginationSpec | None
    errors: list[ErrorSpec]
    spec_file: str  # the spec file(s) it was compiled from, for messages


class Example(TypedDict):
    """One documented request and the portal's reply to it."""

    name: str
    request: NotRequired[dict[str, Any]]  # a few pages show only the reply
    response: dict[str, Any]  # {"status": int, "body": ...}


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


def snake(name: str) -> str:
    """`setQuantity` → `set_quantity`, `INVOICE_ID` → `invoice_id`, `getPublicUrl` → `get_public_url`."""
    spaced = _CAMEL_BOUNDARY.sub("_", name)
    return _NOT_WORD.sub("_", spaced).strip("_").lower()


def method_module(method_id: str) -> str:
    """The module (and example file) name of one method: `crm.deal.get` → `crm_deal_get`,
    `tasks.task.list@v3` → `tasks_task_list__v3`. codegen names the files with this."""
    method, _, version = method_id.partition("@")
    module = "_".join(snake(part) for part in method.split("."))
    return f"{module}__{version}" if version else module


@cache
def _known() -> frozenset[str]:
    return frozenset(method_ids())


def method_ids() -> tuple[str, ...]:
    """Every method id with a spec: the wire name, or `<name>@v3` for REST v3."""
    from b24client import _specs  # generated; imported on first use

    ids: tuple[str, ...] = _specs.METHOD_IDS
    return ids


@cache
def get(method_id: str) -> MethodSpec | None:
    """The compiled spec of one method, or None when the method has no spec."""
    if method_id not in _known():
        return None
    spec: MethodSpec = import_module(f"b24client._specs.{method_module(method_id)}").SPEC
    return spec


@cache
def example(method_id: str) -> Example | None:
    """The docs' first success example of one method (the emulator's default reply), or None."""
    if method_id not in _known():
        return None
    try:
        text = files("b24client").joinpath("_examples", method_module(method_id) + ".json").read_text(encoding="utf-8")
    except FileNotFoundError:  # the method's page shows no successful call
        return None
    found: Example = json.loads(text)["example"]
    return found


def method_id(method: str, api_version: int = 2) -> str:
    return f"{method}@v3" if api_version == 3 else method
