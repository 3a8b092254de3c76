"""Read a page's error section into the spec's `errors` list.

The docs use several table layouts (Code | Description | Status; Code | Description;
Code | Description | Value; Status | Code | Description | Value; Code | Error Message |
Description; REST v3 "Error code: `X`" lines over Field | Error description | How to fix
tables). Columns are recognised by their header words, so one reader serves them all.
Statuses missing from a table come from the section's `HTTP status: **400**` line.
Only facts are kept: code, status, and — where one code stands for several errors — the
wire message as a `match` pattern. Descriptions are prose and are not copied.

Class names, for codes that are not usable names (`0`, `100`, empty): `Code<code>` (empty
code → `CodeEmpty`), followed, when `match` tells several errors of that code apart, by up
to six words of the message in PascalCase (`Code0StoreDocumentWasNotFound`); a number is
appended if a name would repeat within the method. Codes that are usable names and repeat
are merged into one entry: their class would be the same anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..naming import is_identifier, pascal
from . import examples, yfm
from .statusline import statuses

_V3_CODE_LINE = re.compile(r"^Error\s+code\s*:\s*`([^`]+)`", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`]+)`")
_EMPTY_CODE = re.compile(r"^(?:empty( string| value)?|-|—|none|no code|)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"#[A-Z_]+#|\{[^}]*\}|\.\.\.|…|<[^>]+>")
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class RawError:
    code: str
    status: int | None
    message: str | None


def _columns(header: tuple[str, ...]) -> dict[str, int]:
    names = [yfm.plain(cell).lower() for cell in header]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        if name == "status" or name.startswith("http status"):
            columns.setdefault("status", index)
        elif name.startswith("code") or name == "error code" or name == "error":
            columns.setdefault("code", index)
        elif "message" in name or "error text" in name or name == "error description":
            columns.setdefault("message", index)
        elif name == "field":
            columns.setdefault("field", index)
        elif name.startswith("description"):
            columns.setdefault("description", index)
        elif name == "value":
            columns.setdefault("value", index)
    # With a "Value" column the "Description" column holds the wire message.
    if "message" not in columns and "value" in columns and "description" in columns:
        columns["message"] = columns["description"]
    return columns


def _code_of(cell: str) -> tuple[str, str]:
    """(code, rest of the cell) — the rest is the message in the system-errors layout."""
    found = _BACKTICKED.search(cell)
    if found:
        code = found.group(1).strip()
        rest = cell[found.end():]
    else:
        code, rest = yfm.plain(cell), ""
    if _EMPTY_CODE.match(code) or code.lower() in ("empty string", "empty value", '""'):
        code = ""
    return code, yfm.plain(rest)


def _status_of(cell: str) -> int | None:
    found = re.search(r"\b([2-5]\d\d)\b", yfm.plain(cell))
    return int(found.group(1)) if found else None


def is_error_table(table: yfm.Table, v3_code: str | None) -> bool:
    """A table with a code column, or a v3 field table under an `Error code:` line."""
    columns = _columns(table.rows[0]) if table.rows else {}
    return "code" in columns or (v3_code is not None and "field" in columns)


def _is_message_table(table: yfm.Table) -> bool:
    """"Error text | Description": messages without codes."""
    columns = _columns(table.rows[0]) if table.rows else {}
    return "message" in columns and "code" not in columns and "field" not in columns


def _example_code(blocks: list[yfm.Block]) -> str | None:
    """The one `error` code the section's example answers show, if they agree on one."""
    codes = set()
    for block in blocks:
        if isinstance(block, yfm.Code):
            body = examples.loads(block.text)
            if isinstance(body, dict) and isinstance(body.get("error"), str | int):
                codes.add(str(body["error"]))
    return codes.pop() if len(codes) == 1 else None


def read_section(blocks: list[yfm.Block]) -> tuple[list[RawError], list[int]]:
    """Errors listed in one page's error section, and the statuses its status lines give."""
    found: list[RawError] = []
    section_statuses: list[int] = []
    shown = _example_code(blocks)  # the code of "Error text | Description" tables, which name none
    v3_code: str | None = None
    for block in blocks:
        if isinstance(block, yfm.Text):
            for status in statuses(block.text):
                if status not in section_statuses:
                    section_statuses.append(status)
            line = _V3_CODE_LINE.match(block.text)
            if line:
                v3_code = line.group(1).strip()
        elif isinstance(block, yfm.Heading):
            v3_code = None
        elif isinstance(block, yfm.Table) and is_error_table(block, v3_code):
            found.extend(_read_table(block, v3_code))
        elif isinstance(block, yfm.Table) and shown is not None and _is_message_table(block):
            found.extend(_read_table(block, shown))
    return found, section_statuses


def _read_table(table: yfm.Table, given_code: str | None) -> list[RawError]:
    """Rows as raw errors; `given_code` serves tables without a code column."""
    columns = _columns(table.rows[0])
    result = []
    for cells in table.rows[1:]:
        def cell(key: str, cells: tuple[str, ...] = cells) -> str | None:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        code_cell = cell("code")
        if code_cell is not None:
            code, rest = _code_of(code_cell)
        elif given_code is not None:
            code, rest = given_code, ""
        else:
            continue
        message_cell = cell("message")
        message = yfm.plain(message_cell) if message_cell is not None else (rest or None)
        status_cell = cell("status")
        result.append(RawError(code, _status_of(status_cell) if status_cell else None, message or None))
    return result


def _status_for(code: str, listed: list[int]) -> int:
    """A table row without a status: the section's status line, preferring 403/404 by code."""
    upper = code.upper()
    if 403 in listed and any(word in upper for word in ("ACCESS", "PERMISSION", "FORBIDDEN", "DENIED")):
        return 403
    if 404 in listed and "NOT_FOUND" in upper:
        return 404
    return listed[0] if listed else 400


_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")


def _match_for(message: str) -> str:
    """The message as a pattern: regex characters escaped, docs placeholders (`#FIELD#`, `{id}`) → `.*`."""
    parts = _PLACEHOLDER.split(message.replace("`", ""))
    return ".*".join(_SPECIAL.sub(r"\\\1", part) for part in parts).strip()


def _class_for(code: str, message: str | None, taken: set[str]) -> str:
    base = "Code" + ("".join(_WORD.findall(code)) or "Empty")
    if message:
        base += "".join(word[:1].upper() + word[1:] for word in _WORD.findall(message)[:6])
    name, counter = base, 2
    while name in taken:
        name, counter = f"{base}{counter}", counter + 1
    taken.add(name)
    return name


def usable(code: str) -> bool:
    return is_identifier(pascal(code) or "0")


def normalise(raw: list[RawError], listed: list[int]) -> list[dict[str, Any]]:
    """One entry per distinct error, in page order (system errors arrive by include, not here)."""
    by_code: dict[str, list[RawError]] = {}
    for error in raw:
        by_code.setdefault(error.code, [])
        if all(seen.message != error.message for seen in by_code[error.code]):
            by_code[error.code].append(error)
    result: list[dict[str, Any]] = []
    taken: set[str] = set()
    cases: set[tuple[str, str]] = set()
    for code, group in by_code.items():
        keep_usable = usable(code)
        distinct = [g for g in group if g.message] if len(group) > 1 and not keep_usable else group[:1]
        for error in distinct or group[:1]:
            entry: dict[str, Any] = {"code": code, "status": error.status or _status_for(code, listed)}
            many = len(distinct) > 1
            if many and error.message:
                entry["match"] = _match_for(error.message)
            if (code, entry.get("match", "")) in cases:
                continue
            cases.add((code, entry.get("match", "")))
            if not keep_usable:
                entry["class"] = _class_for(code, error.message if many else None, taken)
            result.append(entry)
    return result
