"""Why a client's export failed, read from the portal: which request, which limit.

Why: "failed on OPERATION_TIME_LIMIT" in a table is a claim; the emulator's request log
(`/_emulator/log`) and counters show the first refused request (its number in the run,
method, status and error code), how many were refused, and what the client had sent by
then, so a reader can check the failure is the peer's and not the bench's.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import requests


def log_records(base_url: str) -> list[dict[str, Any]]:
    reply = requests.get(f"{base_url}/_emulator/log", timeout=60)
    reply.raise_for_status()
    records: list[dict[str, Any]] = reply.json()["records"]
    return records


def explain(base_url: str, counters: dict[str, Any]) -> str:
    """One line: the first refusal and the totals behind it, or why there is none."""
    records = log_records(base_url)
    refused = [record for record in records if record.get("status") != 200 or record.get("error")]
    if not refused:
        return f"no refused request in the portal's log ({len(records)} requests logged)"
    first = refused[0]
    kinds = Counter(str(record.get("error") or record.get("status")) for record in refused)
    earlier = [record for record in records if record.get("seq", 0) < first.get("seq", 0)]
    used = sum(float(record.get("processing") or 0.0) for record in earlier)
    totals = ", ".join(f"{kind} x{count}" for kind, count in kinds.most_common())
    return (
        f"first refusal: request #{first.get('seq')} ({first.get('method')}, HTTP {first.get('status')}, "
        f"{first.get('error')}) after {len(earlier)} answered requests costing {used:.1f} s of portal time; "
        f"refused in all: {totals}; "
        f"counters: 429 {counters.get('operation_time_limit', 0)}, 503 {counters.get('query_limit_exceeded', 0)}"
    )
