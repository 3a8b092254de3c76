"""Read parameter tables ("Name / type | Description") into spec `params` maps.

A parameter row's first cell is `**NAME**` (required: `**NAME***` or `**NAME**^*^`)
followed by its type; descriptions are never copied. Object parameters get their fields
from a table nested in the description cell, or from a table under a sub-heading such as
"Parameter fields {#fields}" (see subtables.py). Names that are placeholders (`UF_...`,
`<selector>`) mark the enclosing object as open instead of becoming parameters.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import typeexpr, values, yfm

_NAME_CELL = re.compile(r"^\s*\*\*(.+?)\*\*(\*|\\\*|\^\*\^)?(.*)$", re.DOTALL)
_WIRE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.|\-\[\]]*$")
_PLACEHOLDER = re.compile(r"\.\.\.|…|^<.*>$|\*$|_$|^(?:property|field|param|value)_?N$", re.IGNORECASE)
_PAREN_SUFFIX = re.compile(r"\s*\([^)]*\)$")
PARAM_HEADERS = ("name", "parameter", "field", "key")
OPEN_BY_NAME = frozenset({"filter", "order", "sort"})  # maps keyed by field names plus operators


@dataclass
class TableStats:
    """What reading parameter tables met that the coverage report counts."""

    untyped: int = 0
    skipped_names: list[str] = field(default_factory=list)
    aliases: list[tuple[str, ...]] = field(default_factory=list)  # names one row gives as alternatives
    value_lists: Counter[str] = field(default_factory=Counter)  # documented value lists, by what became of them


def _headerless(table: yfm.Table) -> bool:
    """A table whose first row is already a parameter (`**FILTER**` + a backticked type)."""
    first = table.rows[0]
    found = _NAME_CELL.match(first[0])
    if len(first) < 2 or found is None or "`" not in found.group(3):
        return False
    return not yfm.plain(found.group(1)).lower().startswith(PARAM_HEADERS)


def is_param_table(table: yfm.Table) -> bool:
    """A "Name / type | Description" table (the description column may be followed by others)."""
    if not table.rows or len(table.rows[0]) < 2:
        return False
    if _headerless(table):
        return True
    head = yfm.plain(table.rows[0][0]).lower()
    return len(table.rows) > 1 and head.startswith(PARAM_HEADERS) and _column(table.rows[0], "description") is not None


def _column(header: tuple[str, ...], word: str) -> int | None:
    for index, cell in enumerate(header[1:], start=1):
        text = yfm.plain(cell).lower()
        if text == word or (word == "description" and text.startswith(word)):
            return index
    return None


@dataclass(frozen=True)
class Row:
    name: str
    required: bool
    type: str
    cell: str  # raw description cell, kept only to find nested tables and anchors
    placeholder: bool


def clean_name(raw: str) -> tuple[str, bool]:
    name = raw.replace("\\_", "_").replace("\\*", "*").replace("`", "").strip()
    required = False
    for marker in ("^*^", "*"):
        if name.endswith(marker) and len(name) > len(marker):
            name, required = name[: -len(marker)].strip(), True
            break
    return _PAREN_SUFFIX.sub("", name), required


def read_rows(table: yfm.Table, stats: TableStats) -> Iterator[Row]:
    headerless = _headerless(table)
    type_col = None if headerless else _column(table.rows[0], "type")
    described = -1 if headerless else (_column(table.rows[0], "description") or -1)
    for cells in table.rows[0 if headerless else 1 :]:
        found = _NAME_CELL.match(cells[0])
        if not found:
            continue
        name, required = clean_name(found.group(1))
        required = required or found.group(2) is not None
        rest = found.group(3)
        joined = _JOINED_NAME.match(rest)
        if joined:  # `**CALENDAR_EVENT**\|**UF_CRM_CAL_EVENT**`: one key that holds a pipe
            name, rest = f"{name}|{clean_name(joined.group(1))[0]}", rest[joined.end() :]
        others = [clean_name(other)[0] for other in _ALIAS_NAMES.findall(rest.split("\n", 1)[0])]
        if others:  # `**REPORT_ID*** \| **ID***`: either name; neither can be required alone
            stats.aliases.append((name, *others))
            rest = rest.split("\n", 1)[1] if "\n" in rest else ""
        tail = cells[type_col] if type_col is not None and type_col < len(cells) else type_lines(rest)
        type_, understood = typeexpr.normalize(tail)
        placeholder = bool(_PLACEHOLDER.search(name))
        if not placeholder and (" " in name or not name):
            stats.skipped_names.append(name)  # a caption row ("Settings for all OFDs"), not a parameter
            continue
        placeholder = placeholder or not _WIRE_NAME.match(name)
        if not placeholder and not understood:
            stats.untyped += 1
        description = cells[described] if len(cells) > 1 and described < len(cells) else ""
        yield Row(name, required and not others, type_, description, placeholder)
        for other in others:
            yield Row(other, False, type_, description, placeholder)


_JOINED_NAME = re.compile(r"^\\\|\*\*([^*]+)\*\*")
_ALIAS_NAMES = re.compile(r"(?:\\\||\bor\b)\s*\*\*([^*]+?)\*\*")
_TYPE_LINK = re.compile(r"\[?`[^`]*`\]?(?:\([^)]*\))?")
_TYPE_GLUE = re.compile(r"^[\s\\|,/*^]*(?:\bor\b[\s\\|,/*^]*)*$")  # separators and stray marker stars


def type_lines(tail: str) -> str:
    """The lines under a name that hold its type (`` [`x`](…) ``, `` `a`\\|`b` ``), not a description.

    The first line counts when it starts with a type; later lines only when they hold nothing else.
    A row that lost its `|` has its description in the name cell; its backticked words are not types.
    """
    kept = []
    for index, line in enumerate(tail.strip().splitlines()):
        if not line.strip():
            break
        first_is_type = index == 0 and line.lstrip(" *,^").startswith(("`", "[`"))
        if not first_is_type and not _TYPE_GLUE.match(_TYPE_LINK.sub("", line)):
            break
        kept.append(line)
    return "\n".join(kept)


def is_structured(type_: str) -> bool:
    """Not a plain scalar: objects, arrays and domain types can carry nested fields."""
    return typeexpr.base_names(type_)[0] not in ("string", "integer", "boolean", "double", "date", "datetime", "char")


def table_params(table: yfm.Table, stats: TableStats) -> tuple[dict[str, Any], bool]:
    """(params, open): the table's parameters, and whether placeholders say the map is open."""
    params: dict[str, Any] = {}
    open_ = False
    for row in read_rows(table, stats):
        if row.placeholder:
            open_ = True
            continue
        path = row.name.split(".") if "." in row.name and not row.name.endswith(".") else [row.name]
        param: dict[str, Any] = {"type": row.type}
        if row.required:
            param["required"] = True
        values.apply(param, path[-1], row.cell, stats.value_lists)
        if "#|" in row.cell and is_structured(row.type):
            for block in yfm.parse(row.cell):
                if isinstance(block, yfm.Table) and is_param_table(block):
                    nested, nested_open = table_params(block, stats)
                    attach_fields(param, nested, nested_open)
                    break
        _place(params, path, param)
    return params, open_


def _place(params: dict[str, Any], path: list[str], param: dict[str, Any]) -> None:
    """Put a parameter at a dotted path (`fields.CONTACT_ID`), creating objects on the way."""
    here = params
    for part in path[:-1]:
        parent = here.setdefault(part, {"type": "object"})
        here = _fields_of(parent)
    if path[-1] in here:  # a later row repeats a name: keep the first, richer one
        return
    here[path[-1]] = param


def _fields_of(param: dict[str, Any]) -> dict[str, Any]:
    if param["type"].endswith("[]"):
        items = param.setdefault("items", {"type": "object"})
        return items.setdefault("properties", {})  # type: ignore[no-any-return]
    return param.setdefault("properties", {})  # type: ignore[no-any-return]


def attach_fields(param: dict[str, Any], fields: dict[str, Any], open_: bool) -> None:
    """Give an object (or array-of-objects) parameter the fields a nested table lists."""
    if not fields and not open_:
        return
    target = param
    if param["type"].split("|")[0].endswith("[]"):
        target = param.setdefault("items", {"type": "object"})
    existing = target.setdefault("properties", {})
    for name, value in fields.items():
        existing.setdefault(name, value)
    if not existing:
        del target["properties"]
    if open_:
        target["open"] = True


def find_param(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The parameter called `name` (exact, then case-insensitive), breadth first through nesting."""
    queue = [params]
    for exact in (True, False):
        queue = [params]
        while queue:
            level = queue.pop(0)
            for key, param in level.items():
                if key == name or (not exact and key.lower() == name.lower()):
                    return param  # type: ignore[no-any-return]
                for nested in (param.get("properties"), param.get("items", {}).get("properties")):
                    if nested:
                        queue.append(nested)
    return None


def type_names(params: dict[str, Any]) -> set[str]:
    """Every registry name the parameters' type expressions use, at any depth."""
    names: set[str] = set()
    for param in params.values():
        names.update(typeexpr.base_names(param["type"]))
        for key in ("values", "items"):
            if key in param:
                names |= type_names({key: param[key]})
        if "properties" in param:
            names |= type_names(param["properties"])
    return names


def mark_open_maps(params: dict[str, Any]) -> None:
    """Filters and orders take field names with operators as keys: never close them."""
    for name, param in params.items():
        if name.lower() in OPEN_BY_NAME and "properties" in param:
            param["open"] = True
        for nested in (param.get("properties"), param.get("items", {}).get("properties")):
            if nested:
                mark_open_maps(nested)
