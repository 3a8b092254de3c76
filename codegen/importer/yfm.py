"""Split a YFM (Yandex Flavored Markdown) page into the blocks the importer reads.

The docs are rendered by diplodoc, whose table syntax (`#|` … `|#`, `||` rows, `|` cells,
tables nested in cells) no general Markdown parser knows. `scan_table` follows the
renderer's own scanning rules (diplodoc-platform/transform, plugins/table) so that a
page splits into the same rows and cells the site shows: triple backticks switch code
mode anywhere, a nested `#|` … `|#` stays inside its cell, and `\\|` is not a separator.
Everything else is read line by line: headings with `{#anchor}`, fenced code (with the
tab it sits in, e.g. `cURL (Webhook)`), `{% … %}` directives and plain text lines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*(?:\{#([^}\s]+)\})?[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^([ \t]*)(`{3,}|~{3,})[ \t]*([^`\s]*)")
_DIRECTIVE = re.compile(r"^\s*\{%-?\s*(\w+)\s*(.*?)\s*-?%\}\s*$")
_INCLUDE_PATH = re.compile(r"\]\(([^)\s]+)\)")
_TAB_ITEM = re.compile(r"^\s*-\s+(.+?)\s*$")
# The renderer's tokens, in the order it tests them at one position.
_TABLE_TOKEN = re.compile(r"```|#\||\|#|\|\||\|")


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None
    line: int


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    line: int


@dataclass(frozen=True)
class Code:
    lang: str
    text: str
    line: int
    tab: str  # label of the `{% list tabs %}` item the block sits in, or ""


@dataclass(frozen=True)
class Directive:
    name: str  # include, note, endnote, list, endlist, cut, ...
    args: str
    line: int

    @property
    def include_path(self) -> str | None:
        found = _INCLUDE_PATH.search(self.args) if self.name == "include" else None
        return found.group(1) if found else None


@dataclass(frozen=True)
class Text:
    text: str
    line: int


Block = Heading | Table | Code | Directive | Text


@dataclass
class _TableScan:
    """The renderer's scanning state for one `#|` table, one method per token it reacts to.

    Kept as one object so each token's rule reads on its own, as the renderer lists them.
    """

    text: str
    pos: int
    rows: list[list[str]] = field(default_factory=list)
    row: list[str] = field(default_factory=list)
    col_start: int | None = None
    in_code: bool = False
    level: int = 0  # how many nested `#|` are open
    in_nested: bool = False
    row_open: dict[int, bool] = field(default_factory=dict)  # per nesting level: is a `||` row open

    def add_row(self, end: int) -> None:
        """Close the open cell at `end` and keep the row, if it has any cell."""
        if self.col_start is not None:
            self.row.append(self.text[self.col_start : end].strip())
        if self.row:
            self.rows.append(self.row)
        self.row, self.col_start = [], None

    def skip_code(self) -> bool:
        """Jump past the closing triple backticks; False when there are none."""
        close = self.text.find("```", self.pos)
        if close < 0:
            return False
        self.in_code, self.pos = False, close + 3
        return True

    def row_mark(self, at: int) -> None:
        """An unescaped `||` opens a row, or closes the one open at this level."""
        if self.row_open.get(self.level):
            self.add_row(at)
        else:
            self.row, self.col_start = [], at + 2
        self.row_open[self.level] = not self.row_open.get(self.level, False)
        self.pos = at + 2

    def cell_mark(self, at: int) -> None:
        """An unescaped `|` ends the open cell and starts the next one."""
        if self.col_start is not None:
            self.row.append(self.text[self.col_start : at].strip())
        self.col_start, self.pos = at + 1, at + 1

    def step(self, mark: str, at: int) -> bool:
        """React to the token `mark` at `at`; True when it closed the table."""
        escaped = at > 0 and self.text[at - 1] == "\\"
        if mark == "```":
            self.in_code, self.pos = True, at + 3
        elif mark == "#|":
            self.in_nested, self.level, self.pos = True, self.level + 1, at + 2
        elif mark == "|#":
            if self.level == 0:
                self.add_row(at)
                self.pos = at + 2
                return True
            # The renderer leaves "nested" mode at any close, even of a doubly nested table.
            self.in_nested, self.level, self.pos = False, self.level - 1, at + 2
        elif self.in_nested:
            self.pos = at + 1 if mark in ("||", "|") else at + len(mark)
        elif escaped:  # an escaped first pipe of `||`: the second one is looked at on its own
            self.pos = at + 1
        elif mark == "||":
            self.row_mark(at)
        else:
            self.cell_mark(at)
        return False


def scan_table(text: str, start: int) -> tuple[list[list[str]], int] | None:
    """Rows of the table whose `#|` is at `start`, and the offset just past its `|#`.

    None when the table is never closed (the renderer then leaves it as text).
    """
    scan = _TableScan(text, start + 2)
    while True:
        if scan.in_code:
            if not scan.skip_code():
                return None
            continue
        found = _TABLE_TOKEN.search(text, scan.pos)
        if found is None:
            return None
        if scan.step(found.group(), found.start()):
            return scan.rows, scan.pos


def parse(text: str) -> list[Block]:
    """The page's blocks in order; line numbers are 1-based."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    blocks: list[Block] = []
    tab = ""
    in_tabs = False
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        fence = _FENCE.match(line)
        if fence:
            indent, marker, lang = len(fence.group(1)), fence.group(2), fence.group(3)
            body: list[str] = []
            end = index + 1
            while end < len(lines):
                candidate = lines[end].strip()
                if candidate.startswith(marker) and candidate.strip(marker[0]) == "":
                    break
                body.append(_dedent(lines[end], indent))
                end += 1
            blocks.append(Code(lang.lower(), "\n".join(body), index + 1, tab))
            index = end + 1
            continue
        if stripped.startswith("#|"):
            offset = starts[index] + line.index("#|")
            scanned = scan_table(text, offset)
            if scanned is not None:
                rows, end_offset = scanned
                blocks.append(Table(tuple(tuple(cells) for cells in rows), index + 1))
                index = bisect.bisect_right(starts, end_offset - 1)
                continue
        heading = _HEADING.match(line)
        if heading:
            blocks.append(Heading(len(heading.group(1)), heading.group(2).strip(), heading.group(3), index + 1))
        elif directive := _DIRECTIVE.match(line):
            name = directive.group(1)
            if name in ("list", "endlist"):
                in_tabs, tab = name == "list" and "tabs" in directive.group(2), ""
            blocks.append(Directive(name, directive.group(2), index + 1))
        elif stripped:
            item = _TAB_ITEM.match(line) if in_tabs else None
            if item and len(line) - len(line.lstrip()) <= 2:
                tab = item.group(1)
            blocks.append(Text(stripped, index + 1))
        index += 1
    return blocks


def _dedent(line: str, indent: int) -> str:
    removable = len(line) - len(line.lstrip(" \t"))
    return line[min(indent, removable) :]


# --- inline helpers -------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])\*(?![\s*])|(?<![\s*])\*(?![\w*])")
_ATTRS = re.compile(r"\s*\{[.#][^}]*\}")


def plain(markdown: str) -> str:
    """Inline Markdown reduced to its visible text (links → their text, no emphasis or backticks)."""
    text = _LINK.sub(r"\1", markdown)
    text = _ATTRS.sub("", text)
    text = text.replace("`", "").replace("\\|", "|")
    text = _EMPHASIS.sub("", text)
    return " ".join(text.split())
