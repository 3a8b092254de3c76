"""Figures on the quality of the specs' error entries, for reports/coverage.md and before/after notes.

Counted over the effective spec tree (curated, imported and overrides, as codegen/load.py
builds it) and the generated tests, with the rules of codegen/errorcodes.py, so the same
function measures any state of the repository:
`python -m codegen.importer.error_figures` prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import errorcodes

# What a wire-message pattern must not keep: docs placeholders (`#ID#`, `#name`, `{id}`,
# `<CODE>`, `index i`), literal ids and numbers, and JSON escapes the wire never carries.
_LEFTOVERS = {
    "placeholder": re.compile(r"#\w|(?<!\S)#(?!\S)|\\\{\w*\\?\}|\{\w*\}|<\w+>|\bindex [ijk#]\b|\[[ijk]\\?\]"),
    "literal number": re.compile(r"(?<![\\\w{,])\d{2,}(?![\w}])"),
    "json escape": re.compile(r"\\\\u00[0-9a-fA-F]{2}"),
}
_TESTS = Path(__file__).resolve().parents[2] / "tests" / "generated"


def leftovers(match: str) -> list[str]:
    """Which kinds of docs leftovers a `match` pattern still holds."""
    return [kind for kind, pattern in _LEFTOVERS.items() if pattern.search(match)]


def error_test_cases(folder: Path = _TESTS) -> int:
    """Rows of the generated ERROR_REPLIES tables."""
    count = 0
    for path in sorted(folder.glob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        start = text.find("ERROR_REPLIES = [")
        if start >= 0:
            table = text[start : text.index("\n]", start)]
            count += table.count("\n    pytest.param(")
    return count


def figures(specs: Iterable[tuple[str, dict[str, Any]]], system_codes: dict[str, str]) -> dict[str, int]:
    """Counts of bad error entries (and the methods they sit in) over `specs`.

    `system_codes` maps each shared system error code to its documented category; an entry
    repeating one with a status of another category and no `category` of its own counts as
    one that votes its class under the wrong base.
    """
    from b24client.runtime.exceptions import category_for_status

    found = dict.fromkeys(
        [
            "entries",
            "status codes",
            "status code methods",
            "message codes",
            "message code methods",
            "matches",
            "matches with leftovers",
            "leftover methods",
            "system codes off category",
        ],
        0,
    )
    for _method_id, data in specs:
        errors = data.get("errors", [])
        found["entries"] += len(errors)
        status = errorcodes.status_as_code(data)
        messages = [error for error in errors if errorcodes.is_message(str(error["code"]))]
        matches = [str(error["match"]) for error in errors if "match" in error]
        dirty = [match for match in matches if leftovers(match)]
        found["status codes"] += len(status)
        found["status code methods"] += bool(status)
        found["message codes"] += len(messages)
        found["message code methods"] += bool(messages)
        found["matches"] += len(matches)
        found["matches with leftovers"] += len(dirty)
        found["leftover methods"] += bool(dirty)
        found["system codes off category"] += sum(
            1
            for error in errors
            if error["code"] in system_codes
            and "category" not in error
            and category_for_status(error["status"]) != system_codes[error["code"]]
        )
    return found


def planned_error_cases(specs: Iterable[tuple[str, dict[str, Any]]], system_errors: list[dict[str, Any]]) -> int:
    """Documented-error cases codegen/testcases.py derives from `specs` (what `make generate` emits)."""
    from ..testcases import ErrorFacts, error_cases

    facts = ErrorFacts.of(system_errors, [])
    return sum(len(error_cases(data, facts, [])) for _, data in specs)


def section(specs: list[tuple[str, dict[str, Any]]], system_errors: list[dict[str, Any]]) -> list[str]:
    """The coverage report's lines on error entries."""
    system = {error["code"]: error["category"] for error in system_errors if "category" in error}
    counted = figures(specs, system)
    lines = [
        "## Error entries",
        "",
        "Counted by codegen/importer/error_figures.py over the effective specs; codegen.spec_checks refuses an entry",
        "whose code is an HTTP status or message text (codegen/errorcodes.py), so the first two stay at 0.",
        "Baseline, the same count at commit 95f9f25: 85 status codes in 28 methods, 133 message codes in 37,",
        "43 patterns with leftovers in 27, 355 system-code entries without `category`, 4,574 error test cases.",
        "",
        "| what | count |",
        "| --- | --- |",
    ]
    lines += [f"| {LABELS[key]} | {value} |" for key, value in counted.items()]
    lines.append(f"| documented-error test cases (codegen/testcases.py) | {planned_error_cases(specs, system_errors)} |")
    return lines


LABELS = {
    "entries": "error entries",
    "status codes": "entries whose code is an HTTP status",
    "status code methods": "methods with such entries",
    "message codes": "entries whose code is message text",
    "message code methods": "methods with such entries",
    "matches": "entries with a `match` pattern",
    "matches with leftovers": "`match` patterns keeping placeholders, literal ids or escapes",
    "leftover methods": "methods with such patterns",
    "system codes off category": "entries repeating a system code under another category's status, without `category`",
}


def main() -> None:
    from ..load import load_tree

    tree = load_tree()
    system = {error["code"]: error["category"] for error in tree.system_errors if "category" in error}
    counted = figures(((key, spec.data) for key, spec in sorted(tree.specs.items())), system)
    counted["error test cases"] = error_test_cases()
    for key, value in counted.items():
        print(f"{LABELS.get(key, key)}: {value}")


if __name__ == "__main__":
    main()
