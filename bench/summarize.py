"""Several `make bench` outputs as the README's Performance tables.

`python bench/summarize.py bench/results/make-bench-run1.txt run2.txt run3.txt` prints, for
each section of the runs (exports by size, the concurrent calls), one Markdown table: every
run's wall figure for each client, their spread ((max - min) / median), and the other
columns as the first run printed them; then each run's ratio and per-call overhead lines.
So the README quotes the runs' output, never numbers typed in by hand.
"""

from __future__ import annotations

import re
import statistics
import sys
from dataclasses import dataclass, field

_SECTION_START = re.compile(r"\n(?=Full export of|[\d,]+ concurrent single calls)")
_SECTION_NAME = re.compile(r"Full export of ([\d,]+) deals|([\d,]+) concurrent single calls")
_COLUMNS = ("wall/bound", "CPU s/1k rec", "requests", "503s", "429s", "peak RSS MiB")
_HEADER = (
    "| client | wall s, runs {runs} | spread across runs | wall / bound | CPU s per 1k"
    " | requests | 503 | 429 | peak RSS MiB | result |"
)


@dataclass
class Section:
    rows: dict[str, dict[str, str]] = field(default_factory=dict)  # client -> column -> cell
    lines: list[str] = field(default_factory=list)  # the bound and the ratio lines under the table


def sections(text: str) -> dict[str, Section]:
    """One run's output, by section name ("20,000 export", "1,000 calls")."""
    found: dict[str, Section] = {}
    for part in _SECTION_START.split(text):
        name = _SECTION_NAME.match(part)
        if name is None:
            continue
        key = f"{name.group(1)} export" if name.group(1) else f"{name.group(2)} calls"
        lines = part.splitlines()
        head = next(index for index, line in enumerate(lines) if line.startswith("client "))
        columns = re.split(r"\s{2,}", lines[head].strip())
        section = found[key] = Section()
        for line in lines[head + 2 :]:
            if not line or line.startswith((" ", "bound", "target", "wall", "per-call")):
                break
            cells = re.split(r"\s{2,}", line.strip())
            section.rows[cells[0]] = dict(zip(columns, cells, strict=False))
        section.lines = [line for line in lines if line.startswith(("bound", "wall "))]
    return found


def _spread(walls: list[str]) -> str:
    numbers = [float(wall) for wall in walls if wall not in ("-", "?")]
    if len(numbers) != len(walls) or not statistics.median(numbers):
        return "-"
    return f"{(max(numbers) - min(numbers)) / statistics.median(numbers):.0%}"


def table(name: str, runs: list[dict[str, Section]]) -> list[str]:
    first = runs[0][name]
    out = [f"#### {name}", "", _HEADER.format(runs=" / ".join(str(i) for i in range(1, len(runs) + 1)))]
    out.append("| --- " * 10 + "|")
    for client, row in first.rows.items():
        walls = [run[name].rows[client]["wall s"] if name in run and client in run[name].rows else "?" for run in runs]
        notes = sorted({run[name].rows[client].get("note", "")[:70] for run in runs if name in run and client in run[name].rows})
        cells = [client, " / ".join(walls), _spread(walls), *(row.get(column, "?") for column in _COLUMNS), "; ".join(notes)]
        out.append("| " + " | ".join(cells) + " |")
    for index, run in enumerate(runs, 1):
        out += [f"- run {index}: {line}" for line in run.get(name, Section()).lines if line.startswith("wall ")]
    out += [f"- {line}" for line in first.lines if line.startswith("bound")]
    return out


def summarize(texts: list[str]) -> str:
    runs = [sections(text) for text in texts]
    out: list[str] = []
    for name in runs[0]:
        out += [*table(name, runs), ""]
    for index, text in enumerate(texts, 1):
        out += [f"- run {index}: {line}" for line in text.splitlines() if line.startswith("per-call overhead")]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    paths = sys.argv[1:]
    if not paths:
        sys.exit("usage: python bench/summarize.py RUN_OUTPUT...")
    texts = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            texts.append(handle.read())
    sys.stdout.write(summarize(texts))
