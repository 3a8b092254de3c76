"""Render a list of API changes: Markdown for a pull request description, JSON for tools.

Both forms carry the same changes in the same order (breaking first, then by method); the
Markdown only adds the counts at the top and folds long compatible lists away.
"""

from __future__ import annotations

import json
from collections import Counter
from itertools import groupby
from typing import Any

from .compare import ApiDiff, Change
from .rules import RULES

_FOLD_OVER = 40  # compatible changes listed in the open up to this many lines
_KIND_ORDER = {rule.kind: index for index, rule in enumerate(RULES)}


def ordered(changes: list[Change]) -> list[Change]:
    """Breaking first; then by method, and within a method in the order of the rules table."""
    return sorted(changes, key=lambda c: (not c.breaking, c.method, _KIND_ORDER[c.kind], c.path, c.message))


def summary(changes: list[Change]) -> dict[str, Any]:
    by_kind = Counter(change.kind for change in changes)
    return {
        "breaking": sum(change.breaking for change in changes),
        "compatible": sum(not change.breaking for change in changes),
        "methods_changed": len({change.method for change in changes}),
        "by_kind": {rule.kind: by_kind[rule.kind] for rule in RULES if by_kind[rule.kind]},
    }


def as_json(diff: ApiDiff, old_label: str, new_label: str) -> str:
    document = {
        "old": old_label,
        "new": new_label,
        "summary": {"methods_old": diff.methods_old, "methods_new": diff.methods_new, **summary(diff.changes)},
        "changes": [change.as_json() for change in ordered(diff.changes)],
        "edited_without_api_change": diff.edited_without_api_change,
        "retyped": [{"type": name, "old": was, "new": now} for name, was, now in diff.retyped],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def _headline(changes: list[Change]) -> str:
    counts = summary(changes)
    kinds = counts["by_kind"]
    parts = [
        f"{kinds[kind]} {label}"
        for kind, label in (
            ("method_added", "added"),
            ("method_removed", "removed"),
            ("method_deprecated", "deprecated"),
            ("twin_added", "v3 twins added"),
            ("twin_removed", "v3 twins removed"),
        )
        if kinds.get(kind)
    ]
    methods = f" Methods: {', '.join(parts)}." if parts else ""
    return (
        f"**{counts['breaking']} breaking** and {counts['compatible']} compatible change(s) "
        f"in {counts['methods_changed']} method(s).{methods}"
    )


def _count_table(changes: list[Change]) -> list[str]:
    """One row per kind of change found, breaking kinds first, in the order of the rules table."""
    counts = Counter(change.kind for change in changes)
    lines = ["| change | kind | verdict | count |", "| --- | --- | --- | ---: |"]
    for rule in sorted((r for r in RULES if counts[r.kind]), key=lambda r: not r.breaking):
        verdict = "**breaking**" if rule.breaking else "compatible"
        lines.append(f"| {rule.when} | `{rule.kind}` | {verdict} | {counts[rule.kind]} |")
    return lines


def _section(changes: list[Change], explain: bool) -> list[str]:
    """One bullet per method: a lone change on the same line, several as sub-bullets."""
    lines = []
    for method, group in groupby(sorted(changes, key=lambda c: c.method), key=lambda c: c.method):
        found = list(group)
        texts = [change.message + (f" — *{change.rule.why}*" if explain else "") for change in found]
        if len(found) == 1:
            lines.append(f"- `{method}`: {texts[0]}")
        else:
            lines += [f"- `{method}`", *(f"  - {text}" for text in texts)]
    return lines


def _quiet_edits(diff: ApiDiff) -> list[str]:
    if not diff.edited_without_api_change:
        return []
    shown = diff.edited_without_api_change[:10]
    more = len(diff.edited_without_api_change) - len(shown)
    return [
        f"{len(diff.edited_without_api_change)} other spec(s) changed without an API effect (examples, "
        "summaries, notes): " + ", ".join(f"`{name}`" for name in shown) + (f" and {more} more" if more else "") + ".",
        "",
    ]


def retyped_line(diff: ApiDiff) -> list[str]:
    if not diff.retyped:
        return []
    shown = ", ".join(f"`{name}` {was} → {now}" for name, was, now in diff.retyped[:20])
    more = f" and {len(diff.retyped) - 20} more" if len(diff.retyped) > 20 else ""
    return [
        f"Type registry: {len(diff.retyped)} type name(s) resolve to another kind, which re-types every "
        f"parameter using them: {shown}{more}.",
        "",
    ]


def as_markdown(diff: ApiDiff, old_label: str, new_label: str) -> str:
    lines = [f"## API changes: {old_label} → {new_label}", ""]
    if not diff.changes:
        return "\n".join(
            [
                *lines,
                f"No change to the API a caller of the client can see ({diff.methods_new} methods compared).",
                "",
                *_quiet_edits(diff),
            ]
        )
    lines += [_headline(diff.changes), "", *_count_table(diff.changes), "", *retyped_line(diff)]
    changes = ordered(diff.changes)
    breaking = [change for change in changes if change.breaking]
    compatible = [change for change in changes if not change.breaking]
    if breaking:
        lines += [
            f"### Breaking changes ({len(breaking)})",
            "",
            "Each one can break a caller's code: bump the version or say how to adapt.",
            "",
            *_section(breaking, explain=True),
            "",
        ]
    if compatible:
        body = _section(compatible, explain=False)
        lines += [f"### Compatible changes ({len(compatible)})", ""]
        if len(body) > _FOLD_OVER:
            lines += ["<details><summary>show all</summary>", "", *body, "", "</details>", ""]
        else:
            lines += [*body, ""]
    lines += _quiet_edits(diff)
    lines.append("Verdicts follow the rules in docs/api-diff.md (`python -m codegen diff --rules`).")
    return "\n".join(lines) + "\n"
