"""Draft a CHANGELOG.md section from an API diff, and put it in the file.

A section is one release (or `Unreleased`): breaking changes first, then what was added,
deprecated and otherwise changed, one line per method. The draft is a starting point for
the person cutting the release. Running it again for the same version replaces the section,
keeping its `### Notes` (what the spec diff cannot see, such as a change in the loader or
runtime, is written there by hand).
"""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

from .compare import ApiDiff, Change
from .report import ordered, retyped_line

HEADER = (
    "# Changelog\n\nWhat changed for callers of `b24client`, one section per release. Sections are "
    "drafted by\n`python -m codegen changelog` from the API diff of the specs (README: Reviewing API "
    "changes)\nand then edited by hand.\n"
)

_ADDED = {
    "method_added",
    "twin_added",
    "param_added_optional",
    "enum_value_added",
    "enum_dropped",
    "result_field_added",
    "error_added",
    "pagination_cursor_gained",
    "constraint_dropped",
    "bound_loosened",
}
_DEPRECATED = {"method_deprecated", "param_deprecated"}


def _category(change: Change) -> str:
    if change.breaking:
        return "Breaking"
    if change.kind in _DEPRECATED:
        return "Deprecated"
    return "Added" if change.kind in _ADDED else "Changed"


def _lines(changes: list[Change]) -> list[str]:
    new_methods = [change.method for change in changes if change.kind in ("method_added", "twin_added")]
    lines = [f"- {len(new_methods)} new method(s): " + ", ".join(f"`{name}`" for name in new_methods)] if new_methods else []
    rest = sorted((c for c in changes if c.kind not in ("method_added", "twin_added")), key=lambda c: c.method)
    for method, group in groupby(rest, key=lambda c: c.method):
        lines.append(f"- `{method}`: " + "; ".join(change.message for change in group))
    return lines


def draft_section(diff: ApiDiff, version: str, since: str, date: str | None = None) -> str:
    heading = f"## {version}" + (f" — {date}" if date else "")
    lines = [heading, "", f"Changes since {since}.", "", *retyped_line(diff)]
    changes = diff.changes
    if not changes:
        lines += ["No change to the API in the specs.", ""]
    for category in ("Breaking", "Added", "Deprecated", "Changed"):
        chosen = [change for change in ordered(changes) if _category(change) == category]
        if chosen:
            lines += [f"### {category}", "", *_lines(chosen), ""]
    return "\n".join(lines).rstrip("\n") + "\n\n"


def write_section(path: Path, section: str) -> None:
    """Put `section` into the changelog: in place of one with the same heading, else first."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    heading = section.splitlines()[0]
    version_heading = re.escape(heading.split(" — ")[0])
    existing = re.search(rf"^{version_heading}(?: — .*)?$.*?(?=^## |\Z)", text, flags=re.MULTILINE | re.DOTALL)
    if existing:
        notes = re.search(r"^### Notes$.*?(?=^### |\Z)", existing.group(0), flags=re.MULTILINE | re.DOTALL)
        if notes:
            section = section.rstrip("\n") + "\n\n" + notes.group(0).rstrip("\n") + "\n\n"
        text = text[: existing.start()] + section + text[existing.end() :]
    else:
        first = re.search(r"^## ", text, flags=re.MULTILINE)
        at = first.start() if first else len(text)
        text = text[:at].rstrip("\n") + "\n\n" + section + text[at:]
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
