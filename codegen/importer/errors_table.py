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

Cells are read by value shape as well as by header (codegen/errorcodes.py): a Code cell
holding an HTTP status (`400`) gives the row's status, and one holding sentence text gives
its message; such rows take the code of the section's example reply when it shows that
message or carries a generic code (`""`, `0`), else the empty code a message-only error
carries on the wire. A message cell holding an UPPER_CASE code gives the row's code.
`match` patterns generalise the docs' placeholders (`#ID#`, `{id}`, backticked `i`,
quoted `“#name”`) to `.+?` and literal numbers to `\\d+`. An entry repeating a shared
system error code under a status of another category gets that system error's `category`,
so the page's status stays but the class keeps its documented base.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from b24client.runtime.exceptions import category_for_status

from .. import errorcodes
from ..load import SPEC_ROOT, read_yaml
from ..naming import is_identifier, pascal
from . import examples, yfm
from .statusline import statuses

_V3_CODE_LINE = re.compile(r"^Error\s+code\s*:\s*`([^`]+)`", re.IGNORECASE)
_BACKTICKED = re.compile(r"`([^`]+)`")
_EMPTY_CODE = re.compile(r"^(?:empty( string| value)?|-|—|none|no code|)$|\bempty (error )?code\b", re.IGNORECASE)
_QUOTES = "\"'‘’“”"
_UPPER_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_HOLE = "\x00"  # stands for a backticked placeholder (`i`, `#`, `data[i].type`) until the pattern is built
_VARIABLE = re.compile(r"^(?:[a-z]|#|#\w+#?|\{.*\}|<.*>|\.\.\.|…)$|\[[a-z]\]")
_WORD = re.compile(r"[A-Za-z0-9]+")


@dataclass(frozen=True)
class RawError:
    code: str | None  # None: a row whose Code cell held a status or a message; the section's code serves it
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
        rest = cell[found.end() :]
    else:
        code, rest = yfm.plain(cell), ""
    if _EMPTY_CODE.search(code.strip(_QUOTES).strip()) or code.lower() in ("empty string", "empty value", '""'):
        code = ""
    return code, yfm.plain(rest)


def _message_of(cell: str) -> str:
    """A message cell as plain text, its backticked placeholders kept as holes for `_match_for`."""

    def tick(found: re.Match[str]) -> str:
        inner = found.group(1)
        return _HOLE if _VARIABLE.search(inner.strip()) else inner

    return yfm.plain(_BACKTICKED.sub(tick, cell))


def _status_of(cell: str) -> int | None:
    found = re.search(r"\b([2-5]\d\d)\b", yfm.plain(cell))
    return int(found.group(1)) if found else None


def is_error_table(table: yfm.Table, v3_code: str | None) -> bool:
    """A table with a code column, or a v3 field table under an `Error code:` line."""
    columns = _columns(table.rows[0]) if table.rows else {}
    return "code" in columns or (v3_code is not None and "field" in columns)


def _is_message_table(table: yfm.Table) -> bool:
    """ "Error text | Description": messages without codes."""
    columns = _columns(table.rows[0]) if table.rows else {}
    return "message" in columns and "code" not in columns and "field" not in columns


def _replies(blocks: list[yfm.Block]) -> list[tuple[str, str]]:
    """(`error`, `error_description`) of the section's example answers."""
    found = []
    for block in blocks:
        if isinstance(block, yfm.Code):
            body = examples.loads(block.text)
            if isinstance(body, dict) and isinstance(body.get("error"), str | int) and not isinstance(body["error"], bool):
                found.append((str(body["error"]), str(body.get("error_description") or "")))
    return found


def _example_code(blocks: list[yfm.Block]) -> str | None:
    """The one `error` code the section's example answers show, if they agree on one."""
    codes = {code for code, _ in _replies(blocks)}
    return codes.pop() if len(codes) == 1 else None


def _section_code(message: str, replies: list[tuple[str, str]]) -> str:
    """The code of a row that names only its message: the example reply showing that message,
    else the example's code when it is a generic one (`""`, `0`), else the empty code."""
    pattern = _match_for(message) if message else None
    for code, description in replies:
        if pattern and errorcodes.is_code_shaped(code) and re.search(pattern, description):
            return code
    generic = {code for code, _ in replies if errorcodes.is_code_shaped(code) and (code == "" or code.isdigit())}
    return generic.pop() if len(generic) == 1 else ""


def notes(blocks: list[yfm.Block]) -> list[str]:
    """Contradictions of the section worth a spec note (our words, naming the facts)."""
    found = []
    for code, _ in _replies(blocks):
        if errorcodes.is_message(code.strip()):
            found.append(
                f"The error example sends the text {code!r} as `error`; codes are letters, digits and "
                "underscores, so the table's messages are entries of the code a bare message "
                "carries (the empty code unless the section shows a generic one) with a `match`."
            )
    return found


def read_section(blocks: list[yfm.Block]) -> tuple[list[RawError], list[int]]:
    """Errors listed in one page's error section, and the statuses its status lines give."""
    found: list[RawError] = []
    section_statuses: list[int] = []
    shown = _example_code(blocks)  # the code of "Error text | Description" tables, which name none
    replies = _replies(blocks)
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
            found.extend(_read_table(block, v3_code, {code for code, _ in replies}))
        elif isinstance(block, yfm.Table) and shown is not None and _is_message_table(block):
            found.extend(_read_table(block, shown, set()))
    return [
        error if error.code is not None else RawError(_section_code(error.message or "", replies), error.status, error.message)
        for error in found
    ], section_statuses


def _read_table(table: yfm.Table, given_code: str | None, shown: set[str]) -> list[RawError]:
    """Rows as raw errors; `given_code` serves tables without a code column."""
    columns = _columns(table.rows[0])
    codes = [
        _code_of(cells[columns["code"]])[0] for cells in table.rows[1:] if "code" in columns and columns["code"] < len(cells)
    ]
    numeric = errorcodes.numeric_family(codes, shown)  # a `400` among `0`, `100`: a code, not a status
    result = []
    for cells in table.rows[1:]:

        def cell(key: str, cells: tuple[str, ...] = cells) -> str | None:
            index = columns.get(key)
            return cells[index] if index is not None and index < len(cells) else None

        code_cell = cell("code")
        code: str | None
        if code_cell is not None:
            code, rest = _code_of(code_cell)
        elif given_code is not None:
            code, rest = given_code, ""
        else:
            continue
        message_cell = cell("message")
        message = _message_of(message_cell) if message_cell is not None else (rest or None)
        status_cell = cell("status")
        status = _status_of(status_cell) if status_cell else None
        if code_cell is not None and code is not None and errorcodes.looks_like_status(code) and not numeric:
            status, code = status or int(code), None
        elif code_cell is not None and code is not None and errorcodes.is_message(code):
            if message_cell is not None:
                continue  # prose in the Code column beside a message column ("Depends on ..."): no error
            code, message = None, _message_of(code_cell)
        if code is None and message and _UPPER_CODE.fullmatch(message):
            code, message = message, None
        result.append(RawError(code, status, message or None))
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
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_MARKDOWN_ESCAPE = re.compile(r"\\([{}\[\]()#*_|<>.!-])")
_GENERAL = re.compile(
    r"(?P<any>[“\"]#[^”\"]*[”\"]|“[^”]*”|\{[^}]*\}|<[^>]+>|#[A-Za-z_]+#|#[A-Za-z_]\w*|(?<!\S)#(?!\S)|\.\.\.|…|\x00)"
    r"|(?P<number>#?\b\d+\b|(?<=index )[ijk]\b)"
)


def _match_for(message: str) -> str:
    """The message as a pattern: regex characters escaped, docs placeholders (`#FIELD#`, `{id}`,
    `“#name”`, backticked `i`) → `.+?`, literal numbers and index letters → `\\d+`."""
    text = _JSON_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), message.replace("`", ""))
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    parts, last = [], 0
    for found in _GENERAL.finditer(text):
        parts.append(_SPECIAL.sub(r"\\\1", text[last : found.start()]))
        if found.group("any"):
            parts.append(".+?")
        else:
            parts.append(("#" if found.group("number").startswith("#") else "") + r"\d+")
        last = found.end()
    parts.append(_SPECIAL.sub(r"\\\1", text[last:]))
    return "".join(parts).strip()


def _sample_text(message: str) -> str:
    """The message as the wire might spell it, holes filled, to test patterns against."""
    return _MARKDOWN_ESCAPE.sub(r"\1", message.replace("`", "")).replace(_HOLE, "1")


def _guarded(pattern: str, own: str, samples: list[str]) -> str:
    """A pattern that would also accept a sibling's message inside a longer word
    (`TYPE_ID …` in `ENTITY_TYPE_ID …`) must start at a word boundary."""
    others = [sample for sample in samples if sample != own]
    guarded = r"(?<!\w)" + pattern
    if any(re.search(pattern, sample) for sample in others) and not any(re.search(guarded, s) for s in others):
        return guarded
    return pattern


# Words that carry no meaning in a class name made from a message ("An error occurred while
# deleting the document" names `DeletingDocument`); "not" and "no" stay, they carry it.
_FILLER = frozenset(
    "a an the is are was were be been being has have had do does to of for in on at by with from as "
    "this that these those it its your you please error occurred while".split()
)
_NAME_WORDS = 5


def _name_words(message: str) -> list[str]:
    """The meaningful words of a message, each once, numbers (sample ids) left out."""
    words: list[str] = []
    for word in _WORD.findall(message):
        if word.lower() in _FILLER or word.isdigit() or word.lower() in (w.lower() for w in words):
            continue
        words.append(word[:1].upper() + word[1:])
    return words


def _class_for(code: str, message: str | None, taken: set[str]) -> str:
    """`Code<code>` and the message's first meaningful words; a clash on the page takes more of
    its words before it takes a number."""
    base = "Code" + ("".join(_WORD.findall(code)) or "Empty")
    words = _name_words(message) if message else []
    count = min(_NAME_WORDS, len(words))
    name = base + "".join(words[:count])
    while name in taken and count < len(words):
        count += 1
        name = base + "".join(words[:count])
    stem, counter = name, 2
    while name in taken:
        name, counter = f"{stem}{counter}", counter + 1
    taken.add(name)
    return name


def usable(code: str) -> bool:
    return is_identifier(pascal(code) or "0")


@cache
def system_errors() -> list[dict[str, Any]]:
    """The shared system errors (spec/system-errors.yaml)."""
    return list(read_yaml(SPEC_ROOT / "system-errors.yaml")["errors"])


def system_categories() -> dict[str, str]:
    """Code → documented category of the shared system errors."""
    return {str(error["code"]): str(error["category"]) for error in system_errors() if "category" in error}


def normalise(raw: list[RawError], listed: list[int], system: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One entry per distinct error, in page order (system errors arrive by include, not here)."""
    system = system_categories() if system is None else system
    by_code: dict[str, list[RawError]] = {}
    for error in raw:
        assert error.code is not None, "read_section resolves every row's code"
        by_code.setdefault(error.code, [])
        if all(seen.message != error.message for seen in by_code[error.code]):
            by_code[error.code].append(error)
    result: list[dict[str, Any]] = []
    taken: set[str] = set()
    cases: set[tuple[str, str]] = set()
    for code, group in by_code.items():
        keep_usable = usable(code)
        distinct = [g for g in group if g.message] if len(group) > 1 and not keep_usable else group[:1]
        samples = [_sample_text(g.message) for g in distinct if g.message]
        for error in distinct or group[:1]:
            entry: dict[str, Any] = {"code": code, "status": error.status or _status_for(code, listed)}
            many = len(distinct) > 1
            if many and error.message:
                entry["match"] = _guarded(_match_for(error.message), _sample_text(error.message), samples)
            if (code, entry.get("match", "")) in cases:
                continue
            cases.add((code, entry.get("match", "")))
            if not keep_usable:
                entry["class"] = _class_for(code, error.message if many else None, taken)
            if code in system and category_for_status(entry["status"]) != system[code]:
                entry["category"] = system[code]  # the page's status, the documented base
            result.append(entry)
    return result
