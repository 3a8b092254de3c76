"""Why a client's export failed, read from the portal: which request, which limit.

Why: "failed on OPERATION_TIME_LIMIT" in a table is a claim; the emulator's request log
(`/_emulator/log`) and counters show the first refused request (its number in the run,
method, status and error code), how many were refused, and what the client had sent by
then, so a reader can check the failure is the peer's and not the bench's.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import requests


def log_records(base_url: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{base_url}/_emulator/log", timeout=60)
    reply.raise_for_status()
    records: list[dict[str, Any]] = reply.json()["records"]
    return records


def _refusals(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The request itself when refused, else its refused batch commands (a batch answers 200)."""
    if record.get("status") != 200 or record.get("error"):
        return [record]
    return [command for command in record.get("batch") or [] if command.get("status") != 200 or command.get("error")]


def _paging(params: dict[str, Any]) -> str:
    start = params.get("start", "absent")
    filter_ = params.get("filter") or {}
    return f"start={start}, filter={json.dumps(filter_)[:60]}"


def explain(base_url: str, counters: dict[str, Any]) -> str:
    """One line: the first refusal and the totals behind it, or why there is none."""
    records = log_records(base_url)
    refused = [(record, command) for record in records for command in _refusals(record)]
    if not refused:
        return f"no refused request or batch command in the portal's log ({len(records)} requests logged)"
    request, first = refused[0]
    kinds = Counter(str(command.get("error") or command.get("status")) for _record, command in refused)
    earlier = [record for record in records if record.get("seq", 0) < request.get("seq", 0)]
    used = sum(float(record.get("processing") or 0.0) for record in earlier)
    where = "" if first is request else f" command {first.get('label')} of a batch of {len(request.get('batch') or [])},"
    totals = ", ".join(f"{kind} x{count}" for kind, count in kinds.most_common())
    return (
        f"first refusal: request #{request.get('seq')},{where} {first.get('method')} ({_paging(first.get('params') or {})}) "
        f"HTTP {first.get('status')} {first.get('error')}, after {len(earlier)} requests costing {used:.1f} s of "
        f"portal time (budget 480 s); refused in all: {totals}; "
        f"counters: 429 {counters.get('operation_time_limit', 0)}, 503 {counters.get('query_limit_exceeded', 0)}"
    )
