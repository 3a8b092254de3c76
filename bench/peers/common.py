"""What every export script in the bench reports, measured the same way in each process.

Runs under the peers' virtualenv as well as ours, so it uses the standard library only.
Unique records are counted with a bytearray indexed by id (one byte per possible id),
so checking uniqueness costs the same small memory for every client.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import resource
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any


def arguments(workers: bool = False) -> argparse.Namespace:
    """What bench/run.py passes every client script: the portal, its deals and time scale."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--webhook", required=True)
    parser.add_argument("--deals", type=int, required=True, help="deals on the portal (calls scripts: one call each)")
    parser.add_argument("--time-scale", type=float, default=1.0)
    if workers:
        parser.add_argument("--workers", type=int, default=4)
    return parser.parse_args()


def fast_bitrix24_options(time_scale: float) -> dict[str, Any]:
    """fast_bitrix24 set to the portal's own (time-scaled) limits, as far as its options
    allow: `requests_per_second` is the drain rate, and its operating-time window (a module
    constant, 600 s) is divided by the same scale. Its logging is silenced."""
    import logging

    from fast_bitrix24 import srh

    srh.BITRIX_MEASUREMENT_PERIOD = 600 / time_scale
    logging.getLogger("fast_bitrix24").setLevel(logging.CRITICAL)
    return {"verbose": False, "requests_per_second": 2.0 * time_scale}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


class Tally:
    """Records and distinct ids seen, and the process's time and memory since `start`."""

    def __init__(self, expected: int, id_key: str = "ID") -> None:
        self.seen = bytearray(expected + 2)
        self.expected, self.id_key = expected, id_key
        self.records = self.unique = self.out_of_range = 0
        self.rss_before = peak_rss_mib()
        self.started = time.perf_counter()
        self.error: str | None = None

    def add(self, record: Any) -> None:
        self.records += 1
        ident = int(record[self.id_key])
        if 0 < ident <= self.expected:
            if not self.seen[ident]:
                self.seen[ident] = 1
                self.unique += 1
        else:
            self.out_of_range += 1

    def failed(self, exc: Exception) -> None:
        self.error = f"{type(exc).__name__}: {str(exc)[:200]}"

    def report(self, **extra: Any) -> None:
        """One JSON line for bench/run.py."""
        wall = time.perf_counter() - self.started
        usage = resource.getrusage(resource.RUSAGE_SELF)
        figures = {
            "records": self.records,
            "unique": self.unique,
            "out_of_range": self.out_of_range,
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_rss_mib": peak_rss_mib(),
            "rss_before_mib": self.rss_before,
            "error": self.error,
        }
        print(json.dumps({**figures, **extra}))
        sys.stdout.flush()


def measure(export: Callable[[], Iterable[Any]], expected: int, id_key: str = "ID") -> None:
    """Run `export`, count records and distinct ids, print one JSON line for bench/run.py."""
    tally = Tally(expected, id_key)
    try:
        for record in export():
            tally.add(record)
    except Exception as exc:
        tally.failed(exc)
    tally.report()


def ameasure(export: Callable[[], Any], expected: int, id_key: str = "ID") -> None:
    """`measure` for an async export: `export()` gives an async iterator of records, or an
    awaitable of a list of them (fast_bitrix24's BitrixAsync.get_all). Timed with the loop."""

    async def drive(tally: Tally) -> None:
        records = export()
        if inspect.isawaitable(records):
            for record in await records:
                tally.add(record)
        else:
            async for record in records:
                tally.add(record)

    tally = Tally(expected, id_key)
    try:
        asyncio.run(drive(tally))
    except Exception as exc:
        tally.failed(exc)
    tally.report()
