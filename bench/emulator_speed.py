"""How fast the emulator serves a full keyset export, with every limit off.

Why: at high time compression the bench measured the emulator, not the clients. This
drives the portal's request handler directly (no sockets, so only the server's own work
is timed) through every page of a `start=-1` export by id cursor, as b24client's
`iterate` sends it, for crm.deal.list and crm.item.list; `--profile` prints the top of a
cProfile of that work, `--http` times the same pages over real HTTP instead.

    .venv/bin/python bench/emulator_speed.py --deals 50000
    .venv/bin/python bench/emulator_speed.py --deals 50000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Callable
from typing import Any

import requests

from b24client.emulator import Emulator, EmulatorConfig
from b24client.emulator.server import HttpRequest


def _deal_params(cursor: int) -> dict[str, Any]:
    return {"order": {"ID": "ASC"}, "filter": {">ID": cursor}, "select": ["ID", "TITLE"], "start": -1}


def _item_params(cursor: int) -> dict[str, Any]:
    return {"entityTypeId": 2, "order": {"id": "ASC"}, "filter": {">id": cursor}, "select": ["id", "title"], "start": -1}


def _rows(method: str, body: Any) -> list[dict[str, Any]]:
    result = body["result"]
    rows: list[dict[str, Any]] = result["items"] if method == "crm.item.list" else result
    return rows


Send = Callable[[str, dict[str, Any]], Any]


def export(send: Send, method: str) -> int:
    """Every page by id cursor; returns the number of records served."""
    params_of = _item_params if method == "crm.item.list" else _deal_params
    id_key = "id" if method == "crm.item.list" else "ID"
    cursor, served = 0, 0
    while True:
        rows = _rows(method, send(method, params_of(cursor)))
        served += len(rows)
        if len(rows) < 50:
            return served
        cursor = int(rows[-1][id_key])


def direct_sender(portal: Emulator) -> Send:
    path = "/" + portal.webhook_url.split("/", 3)[3]

    def send(method: str, params: dict[str, Any]) -> Any:
        request = HttpRequest(
            "POST", path + method, "", {"content-type": "application/json"}, json.dumps(params).encode(), time.time()
        )
        return json.loads(portal.handle(request).body)

    return send


def http_sender(portal: Emulator) -> Send:
    session = requests.Session()

    def send(method: str, params: dict[str, Any]) -> Any:
        return session.post(portal.webhook_url + method, json=params, timeout=60).json()

    return send


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one deal export, print the top 25")
    parser.add_argument("--http", action="store_true", help="time over real HTTP (includes the client's side)")
    args = parser.parse_args()
    config = EmulatorConfig(deals=args.deals, limits_enabled=False)
    with Emulator(config) as portal:
        send = http_sender(portal) if args.http else direct_sender(portal)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.runcall(export, send, "crm.deal.list")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
            return
        for method in ("crm.deal.list", "crm.item.list"):
            times = []
            for _ in range(args.runs):
                portal.reset()
                started = time.perf_counter()
                served = export(send, method)
                times.append(time.perf_counter() - started)
            assert served == args.deals, (method, served)
            median = statistics.median(times)
            print(
                f"{method}: {served:,} records in {median:.2f} s (median of {args.runs}, "
                f"{'HTTP' if args.http else 'handler only'}), {median / served * 1e6:.1f} us per record"
            )


if __name__ == "__main__":
    main()
