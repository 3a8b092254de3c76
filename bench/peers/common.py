"""What every export script in the bench reports, measured the same way in each process.

Runs under the peers' virtualenv as well as ours, so it uses the standard library only.
Unique records are counted with a bytearray indexed by id (one byte per possible id),
so checking uniqueness costs the same small memory for every client.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(export: Callable[[], Iterable[Any]], expected: int, id_key: str = "ID") -> None:
    """Run `export`, count records and distinct ids, print one JSON line for bench/run.py."""
    seen = bytearray(expected + 2)
    records = unique = out_of_range = 0
    rss_before = peak_rss_mib()
    started = time.perf_counter()
    error = None
    try:
        for record in export():
            records += 1
            ident = int(record[id_key])
            if 0 < ident <= expected:
                if not seen[ident]:
                    seen[ident] = 1
                    unique += 1
            else:
                out_of_range += 1
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc)[:200]}"
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "records": records,
                "unique": unique,
                "out_of_range": out_of_range,
                "wall": wall,
                "cpu": usage.ru_utime + usage.ru_stime,
                "peak_rss_mib": peak_rss_mib(),
                "rss_before_mib": rss_before,
                "error": error,
            }
        )
    )
    sys.stdout.flush()
