"""Record writers for `b24 export`: one record at a time, so memory stays flat however long the list.

JSON Lines is the natural format for a stream (one record per line, nothing to close);
`json` writes one array incrementally; `csv` takes its columns from `--select` or, when
none is given, from the first record, and writes nested values (multi-fields, addresses)
as JSON text in their cell.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("jsonl", "csv", "json")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(_dumps(record) + "\n")
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(("," if count else "") + "\n" + _dumps(record))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


class CsvColumns:
    """The header, and the names that later records had but the header did not (reported once)."""

    def __init__(self, columns: Sequence[str] | None) -> None:
        self.columns = list(columns) if columns else None
        self.dropped: set[str] = set()


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return _dumps(value)
    return "" if value is None else value


def write_csv(records: Iterable[dict[str, Any]], out: TextIO, layout: CsvColumns) -> int:
    writer = csv.writer(out, lineterminator="\n")
    count = 0
    for record in records:
        if layout.columns is None:
            layout.columns = list(record)
        if count == 0:
            writer.writerow(layout.columns)
        layout.dropped.update(name for name in record if name not in layout.columns)
        writer.writerow([_cell(record.get(name)) for name in layout.columns])
        count += 1
    if count == 0 and layout.columns:
        writer.writerow(layout.columns)
    return count
