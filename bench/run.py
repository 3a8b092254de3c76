"""`make bench`: full export of N deals by b24client and its peers, and per-call overhead.

Run where the modeled bound is the floor: time scale 10 by default, so one 10-minute
operating window is 60 s and the emulator's own work (bench/emulator_speed.py) is small
against it. Each run gets a fresh emulator process (documented limits on, simulated
latency) and one client in its own process; every (size, client) is run --repeats times
and the table gives the median with the spread (max-min over median). A figure whose
spread is over 20% is marked "not a result". A failed run is explained from the portal's
request log and counters (bench/evidence.py). Figures are printed, never asserted.

    .venv/bin/python bench/run.py                                # 20k, 50k, 250k; 3 runs each
    .venv/bin/python bench/run.py --sizes 20000 --repeats 1 --skip-faults
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import evidence  # noqa: E402
import overhead  # noqa: E402
import peers_env  # noqa: E402
from bound import Bound, CallsBound, bound  # noqa: E402
from portal import Portal  # noqa: E402

FAULTS = ("--fault", "503=0.05", "--fault", "reset_before=0.005", "--fault", "reset_after=0.005", "--fault-seed", "11")
NOT_A_RESULT = 0.20  # spread above which a median is not reported as a result


@dataclass(frozen=True)
class Client:
    name: str
    python: Callable[[], Path]
    script: Path
    ours: bool = False
    portal_options: tuple[str, ...] = ()


def _ours_python() -> Path:
    return Path(sys.executable)


def _peers(scripts: tuple[tuple[str, str], ...]) -> list[Client]:
    versions = peers_env.versions()
    chosen = []
    for name, script in scripts:
        package = name.split()[0].replace("_", "-")
        version = versions.get(package, versions.get(package.replace("-", "_"), ""))
        chosen.append(Client(f"{name} {version}".strip(), peers_env.python, HERE / "peers" / script))
    return chosen


def clients(skip_peers: bool, skip_faults: bool) -> list[Client]:
    """The export's contenders: ours (sync and async), the peers, ours under faults."""
    ours = HERE / "clients" / "ours_export.py"
    chosen = [
        Client("b24client iterate", _ours_python, ours, ours=True),
        Client("b24client AsyncBitrix24.iterate", _ours_python, HERE / "clients" / "ours_async_export.py", ours=True),
    ]
    if not skip_peers:
        chosen += _peers(
            (
                ("fast_bitrix24 get_all", "fast_bitrix24_export.py"),
                ("fast_bitrix24 BitrixAsync.get_all", "fast_bitrix24_async_export.py"),
                ("b24pysdk as_list_fast", "b24pysdk_export.py"),
            )
        )
    if not skip_faults:
        chosen.append(Client("b24client, 5% 503 + 1% resets", _ours_python, ours, ours=True, portal_options=FAULTS))
    return chosen


def call_clients(skip_peers: bool) -> list[Client]:
    """Concurrent single calls: AsyncBitrix24 against fast_bitrix24's BitrixAsync."""
    chosen = [Client("b24client AsyncBitrix24", _ours_python, HERE / "clients" / "ours_async_calls.py", ours=True)]
    if not skip_peers:
        chosen += _peers((("fast_bitrix24 BitrixAsync.call", "fast_bitrix24_async_calls.py"),))
    return chosen


@dataclass
class Run:
    result: dict[str, Any]
    counters: dict[str, Any]
    why: str = ""  # the portal's evidence when the run failed

    @property
    def complete(self) -> bool:
        expected = self.result.get("expected")
        return not self.result.get("error") and self.result.get("unique") == expected == self.result.get("records")


def run_once(client: Client, deals: int, scale: float, timeout: float) -> Run:
    """A fresh portal for this one run: no state, budget or bucket carried over."""
    options = ("--deals", str(deals), "--time-scale", str(scale), "--simulate-latency", *client.portal_options)
    with Portal(*options) as portal:
        command = [
            str(client.python()),
            str(client.script),
            "--webhook",
            portal.webhook_url,
            "--deals",
            str(deals),
            "--time-scale",
            str(scale),
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
            lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
            fallback = {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
            result: dict[str, Any] = json.loads(lines[-1]) if lines else fallback
        except subprocess.TimeoutExpired:
            result = {"error": f"timed out after {timeout:.0f} s"}
        result["expected"] = deals
        run = Run(result, portal.counters())
        if not run.complete:
            run.why = evidence.explain(portal.base, run.counters)
        return run


@dataclass
class Summary:
    client: Client
    runs: list[Run]

    def median(self, pick: Callable[[Run], float | None]) -> float | None:
        values = [value for value in map(pick, self.runs) if value is not None]
        return statistics.median(values) if values else None

    def spread(self, pick: Callable[[Run], float | None]) -> float | None:
        values = [value for value in map(pick, self.runs) if value is not None]
        if len(values) < 2 or not statistics.median(values):
            return None
        return (max(values) - min(values)) / statistics.median(values)

    @property
    def complete(self) -> bool:
        return all(run.complete for run in self.runs)

    @property
    def wall(self) -> float | None:
        return self.median(lambda run: run.result.get("wall"))

    @property
    def wall_spread(self) -> float | None:
        return self.spread(lambda run: run.result.get("wall"))

    @property
    def reliable(self) -> bool:
        spread = self.wall_spread
        return spread is None or spread <= NOT_A_RESULT


def _cpu_per_thousand(run: Run) -> float | None:
    records, cpu = run.result.get("records"), run.result.get("cpu")
    return cpu / records * 1000 if records and cpu is not None else None


def _injected(run: Run) -> float:
    """Faults the portal injected (503s, resets): the faults row's load, 0 elsewhere."""
    return float(sum(run.counters.get("faults", {}).values()))


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _counter(summary: Summary, name: str) -> float | None:
    return summary.median(lambda run: float(run.counters.get(name, 0)))


def _note(summary: Summary) -> str:
    done = sum(run.complete for run in summary.runs)
    if done == len(summary.runs):
        note = "every record once"
    else:
        errors = {str(run.result.get("error") or "incomplete")[:60] for run in summary.runs if not run.complete}
        note = f"{len(summary.runs) - done} of {len(summary.runs)} failed: {'; '.join(sorted(errors))}"
    if not summary.reliable:
        note += f"; NOT A RESULT (wall spread {summary.wall_spread:.0%} > 20%)"
    return note


def print_table(summaries: list[Summary], modeled: Bound | CallsBound) -> None:
    header = [
        "client",
        "wall s",
        "spread",
        "wall/bound",
        "CPU s/1k rec",
        "requests",
        "503s",
        "429s",
        "faults",
        "peak RSS MiB",
        "note",
    ]
    table = [header]
    for summary in summaries:
        wall = summary.wall
        spread = summary.wall_spread
        table.append(
            [
                summary.client.name,
                _cell(wall),
                "-" if spread is None else f"{spread:.0%}",
                _cell(wall / modeled.seconds if wall is not None else None),
                _cell(summary.median(_cpu_per_thousand), 3),
                _cell(_counter(summary, "requests"), 0),
                _cell(_counter(summary, "query_limit_exceeded"), 0),
                _cell(_counter(summary, "operation_time_limit"), 0),
                _cell(summary.median(_injected), 0),
                _cell(summary.median(lambda run: run.result.get("peak_rss_mib")), 1),
                _note(summary),
            ]
        )
    widths = [max(len(line[index]) for line in table) for index in range(len(header))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    for summary in summaries:
        for number, run in enumerate(summary.runs, 1):
            if run.why:
                print(f"  {summary.client.name}, run {number}: {run.why}")


def print_ratio(summaries: list[Summary]) -> None:
    """Each of our clients (not the faults row) against the fastest peer that returned every record."""
    peers = [summary for summary in summaries if not summary.client.ours and summary.complete and summary.wall]
    for ours in (summary for summary in summaries if summary.client.ours and not summary.client.portal_options):
        label = f"wall {ours.client.name} / best complete peer"
        if not ours.complete or ours.wall is None:
            print(f"{label}: our export was incomplete")
            continue
        if not peers:
            print(f"{label}: no peer returned every record in every run")
            continue
        best = min(peers, key=lambda summary: summary.wall or math.inf)
        ratio = ours.wall / (best.wall or math.inf)
        verdict = "" if ours.reliable and best.reliable else " (NOT A RESULT: a spread is over 20%)"
        print(f"{label} ({best.client.name}): {ratio:.2f} (target <= 0.70){verdict}")


def print_bound(modeled: Bound) -> None:
    print(
        f"bound: {modeled.cost:.1f} s of portal time ({math.ceil(modeled.records / 50):,} pages x "
        f"{modeled.page_cost:.3f} s, start=-1); the budget of 480 s per 10-minute window is "
        f"{modeled.records_per_window:,} records per window; {modeled.full_windows} full window(s) to wait "
        f"({600 / modeled.time_scale:g} s each at this scale) -> floor {modeled.seconds:.2f} s"
        + ("" if modeled.dominated_by_budget else " (under one window: the floor is the pages' latency one at a time)")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,50000,250000", help="comma-separated deal counts")
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds allowed per run")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    parser.add_argument("--calls", type=int, default=1000, help="concurrent single calls (0: skip)")
    args = parser.parse_args()
    scale = args.time_scale
    chosen = clients(args.skip_peers, args.skip_faults)
    for deals in (int(size) for size in args.sizes.split(",")):
        modeled = bound(deals, scale)
        print(
            f"\nFull export of {deals:,} deals (crm.deal.list, select ID and TITLE); a fresh emulator per run, "
            f"limits on (X=50, Y=2/s, 480 s per 10 min), time scale {scale:g}, simulated latency; "
            f"{args.repeats} runs each, medians."
        )
        summaries = [
            Summary(client, [run_once(client, deals, scale, args.timeout) for _ in range(args.repeats)]) for client in chosen
        ]
        print_table(summaries, modeled)
        print_bound(modeled)
        print(f"target requests <= ceil(N/2500)+1 = {math.ceil(deals / 2500) + 1}")
        print_ratio(summaries)
    if args.calls:
        floor = CallsBound(args.calls, scale)
        print(
            f"\n{args.calls:,} concurrent single calls (crm.deal.get, one per deal, asyncio.gather); a fresh "
            f"emulator per run, limits on, time scale {scale:g}, simulated latency; {args.repeats} runs each, medians."
        )
        summaries = [
            Summary(client, [run_once(client, args.calls, scale, args.timeout) for _ in range(args.repeats)])
            for client in call_clients(args.skip_peers)
        ]
        print_table(summaries, floor)
        print(
            f"bound: the request bucket lets {floor.capacity} go at once, then "
            f"{floor.drain_per_second * scale:g}/s -> floor {floor.seconds:.2f} s"
        )
    if not args.skip_overhead:
        print_overhead()


def print_overhead() -> None:
    with Portal("--no-limits") as portal:
        figures = overhead.measure(portal.webhook_url)
        async_figures = overhead.measure_async(portal.webhook_url)
    for name, bare, numbers in (
        ("Bitrix24", "requests.Session.post", figures),
        ("AsyncBitrix24", "httpx.AsyncClient.post", async_figures),
    ):
        print(
            f"per-call overhead of {name} ({overhead.METHOD}, {int(numbers['calls'])} calls each, medians): "
            f"ours {numbers['ours_ms']:.3f} ms, bare {bare} {numbers['bare_ms']:.3f} ms, "
            f"ratio {numbers['ratio']:.3f} (target <= 1.05); "
            f"of which our call path above our transport {numbers['call_path_us']:+.0f} us, "
            f"our transport against the bare call {numbers['transport_vs_bare_us']:+.0f} us"
        )


if __name__ == "__main__":
    main()
