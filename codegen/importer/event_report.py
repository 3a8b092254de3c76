"""The event part of reports/coverage.md: pages read, specs written, where payloads came from.

Counted from the drafts the import made and from codegen's own event checks over the
written tree (codegen/events/spec_checks.py), so the figures are the checker's, not re-derived.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .events import EventDraft
    from .run import PageOutcome


@dataclass
class EventFigures:
    drafts: dict[str, EventDraft]  # event code → the draft chosen for it
    duplicates: dict[str, list[str]]  # event code → every page claiming it, the chosen first
    written: int = 0
    deleted: int = 0
    problems: dict[str, list[str]] = field(default_factory=dict)  # event code (or "(shared)") → problems


def section(figures: EventFigures | None, outcomes: list[PageOutcome]) -> list[str]:
    if figures is None:
        return []
    read = [d for o in outcomes for d in o.events]
    skipped = Counter(d.skipped for d in read if d.skipped)
    sources = Counter(d.payload_source for d in figures.drafts.values())
    passing = len(figures.drafts) - len([k for k in figures.problems if k in figures.drafts])
    lines = [
        "",
        "## Event specs",
        "",
        "Pages of kind `event` are read by codegen/importer/events.py into spec/events/imported/.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| event pages read (kind `event`) | {sum(1 for o in outcomes if o.kind == 'event')} |",
        f"| pages documenting one event | {sum(1 for o in outcomes if len(o.events) == 1 and o.events[0].spec)} |",
        f"| pages documenting several events (one spec per section) | {sum(1 for o in outcomes if len(o.events) > 1)} |",
        f"| event specs written (distinct event codes) | {len(figures.drafts)} |",
        f"| event specs passing codegen's event checks | {passing} |",
    ]
    lines += [f"| payload of `data` from: {source} | {count} |" for source, count in sorted(sources.items())]
    lines += [f"| pages skipped: {reason} | {count} |" for reason, count in sorted(skipped.items())]
    lines += ["", "Pages skipped, by reason:", ""]
    for reason in sorted(skipped):
        pages = sorted(d.docs for d in read if d.skipped == reason)
        lines.append(f"- {reason} ({len(pages)}): " + ", ".join(pages))
    lines += ["", "Event codes that several pages claim:", ""]
    lines += [
        f"- `{code}`: kept {paths[0]}; also {', '.join(paths[1:])}" for code, paths in sorted(figures.duplicates.items())
    ] or ["None."]
    lines += ["", "Event specs failing the checks (left out of the generated package):", ""]
    lines += [f"- `{code}`: {problems[0]}" for code, problems in sorted(figures.problems.items())] or ["None."]
    lines += ["", "Payload changes the pages' own examples forced (each is a note in its spec):", ""]
    changes: Counter[str] = Counter()
    for draft in figures.drafts.values():
        for note in (draft.spec or {}).get("notes", []):
            if note["topic"] == "Shape of values":
                changes[draft.event or ""] += 1
    lines += [f"- `{code}`: {count}" for code, count in sorted(changes.items())] or ["None."]
    return lines
