"""`make bench`: full export of N deals by b24client and its peers, and per-call overhead.

One emulator process with its limits on (documented values, time-compressed by
--time-scale, with simulated latency so a page costs portal time), reset before each
client. Each client exports in its own process and reports records, unique ids, wall
time and peak RSS; the emulator's counters give requests, 503s and 429s. The peers run
from a throwaway virtualenv (.bench/peers-venv), configured with the same scaled limits
wherever their options allow. A second run of our client has 5% injected 503s and 1%
connection resets. Figures are printed, never asserted.

    .venv/bin/python bench/run.py                      # N=250,000, time scale 100
    .venv/bin/python bench/run.py --deals 50000 --skip-peers
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import overhead  # noqa: E402
import peers_env  # noqa: E402
from portal import Portal  # noqa: E402

FAULTS = ("--fault", "503=0.05", "--fault", "reset_before=0.005", "--fault", "reset_after=0.005", "--fault-seed", "11")


@dataclass
class Row:
    name: str
    result: dict[str, Any]
    counters: dict[str, Any]

    @property
    def complete(self) -> bool:
        return (
            not self.result.get("error")
            and self.result.get("unique") == self.result.get("expected")
            and self.result.get("records") == self.result.get("expected")
        )


def run_client(portal: Portal, name: str, python: Path, script: Path, deals: int, scale: float, timeout: float) -> Row:
    portal.reset()
    command = [str(python), str(script), "--webhook", portal.webhook_url, "--deals", str(deals), "--time-scale", str(scale)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    except subprocess.TimeoutExpired:
        result = {"error": f"timed out after {timeout:.0f} s"}
    result["expected"] = deals
    return Row(name, result, portal.counters())


def _cell(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _note(row: Row) -> str:
    error = row.result.get("error")
    if error:
        return f"failed: {error[:70]}..." if len(error) > 70 else f"failed: {error}"
    return "every record once" if row.complete else "incomplete"


def print_table(rows: list[Row], deals: int) -> None:
    header = [
        "client",
        "requests",
        "503s",
        "429s",
        "faults",
        "records",
        "unique",
        "wall s",
        "client CPU s",
        "peak RSS MiB",
        "note",
    ]
    table = [header]
    for row in rows:
        result, counters = row.result, row.counters
        faults = sum(counters.get("faults", {}).values())
        table.append(
            [
                row.name,
                _cell(counters.get("requests")),
                _cell(counters.get("query_limit_exceeded")),
                _cell(counters.get("operation_time_limit")),
                _cell(faults),
                _cell(result.get("records")),
                _cell(result.get("unique")),
                _cell(result.get("wall")),
                _cell(result.get("cpu")),
                _cell(result.get("peak_rss_mib"), 1),
                _note(row),
            ]
        )
    widths = [max(len(line[index]) for line in table) for index in range(len(header))]
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))
    print(f"target requests <= ceil(N/2500)+1 = {math.ceil(deals / 2500) + 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=250_000)
    parser.add_argument("--time-scale", type=float, default=100.0)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds allowed per client")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args()
    deals, scale = args.deals, args.time_scale
    ours_script = HERE / "clients" / "ours_export.py"
    portal_options = ("--deals", str(deals), "--time-scale", str(scale), "--simulate-latency")
    print(
        f"Full export of {deals:,} deals (crm.deal.list, select ID and TITLE); emulator limits on "
        f"(X=50, Y=2/s, 480 s per 10 min), time scale {scale:g}, simulated latency."
    )
    rows: list[Row] = []
    with Portal(*portal_options) as portal:
        rows.append(run_client(portal, "b24client iterate", Path(sys.executable), ours_script, deals, scale, args.timeout))
        if not args.skip_peers:
            python = peers_env.python()
            versions = peers_env.versions()
            for name, script in (
                ("fast_bitrix24 get_all", "fast_bitrix24_export.py"),
                ("b24pysdk as_list_fast", "b24pysdk_export.py"),
            ):
                package = name.split()[0].replace("_", "-")
                label = f"{name} {versions.get(package, versions.get(package.replace('-', '_'), ''))}".strip()
                rows.append(run_client(portal, label, python, HERE / "peers" / script, deals, scale, args.timeout))
    if not args.skip_faults:
        with Portal(*portal_options, *FAULTS) as portal:
            rows.append(
                run_client(portal, "b24client, 5% 503 + 1% resets", Path(sys.executable), ours_script, deals, scale, args.timeout)
            )
    print()
    print_table(rows, deals)
    ours = rows[0]
    complete_peers = [row for row in rows[1:] if row.complete and "b24client" not in row.name]
    if ours.complete and complete_peers:
        best = min(complete_peers, key=lambda row: float(row.result["wall"]))
        ratio = float(ours.result["wall"]) / float(best.result["wall"])
        print(f"wall time ours / best complete peer ({best.name}): {ratio:.2f} (target <= 0.70)")
    else:
        print("wall time ratio: no peer returned every record" if ours.complete else "our export was incomplete")
    with Portal("--no-limits") as portal:
        figures = overhead.measure(portal.webhook_url)
    print(
        f"per-call overhead ({overhead.METHOD}, {int(figures['calls'])} calls each, medians): "
        f"ours {figures['ours_ms']:.3f} ms, bare requests.Session.post {figures['bare_ms']:.3f} ms, "
        f"ratio {figures['ratio']:.3f} (target <= 1.05)"
    )


if __name__ == "__main__":
    main()
