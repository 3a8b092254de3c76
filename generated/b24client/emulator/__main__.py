"""`python -m b24client.emulator`: run a portal as a separate process until interrupted.

Prints the base URL and the webhook URL (the webhook code is the emulator's own, made up
for this run unless --webhook-token sets it), then serves until Ctrl-C or SIGTERM. The
Python API is also reachable over HTTP under /_emulator/ (see docs/emulator.md).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from .config import EmulatorConfig
from .faults import FAULT_HELP, check_kind
from .portal import Emulator


def _fault(text: str) -> tuple[str, float]:
    kind, sep, rate = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError("use KIND=RATE, for example 503=0.05")
    try:
        return check_kind(kind), float(rate)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m b24client.emulator", description=(__doc__ or "").splitlines()[0])
    add = parser.add_argument
    add("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port; default 8765)")
    add("--deals", type=int, default=0, help="seed deals 1..N for crm.deal.list / crm.item.list")
    add("--invoices", type=int, default=3, help="seed legacy invoices 1..N (default 3)")
    add("--seed", type=int, default=0, help="seed of the generated deal data")
    add("--seed-from", metavar="FILE", help="JSON or YAML file of records per entity family to start with")
    add("--stateless", action="store_true", help="answer every specced method with its docs example")
    add("--strict-params", action="store_true", help="refuse parameters a spec does not document (default: ignore)")
    limits = parser.add_argument_group("limits (limits.md)")
    limits.add_argument("--no-limits", action="store_true", help="turn the rate and operating limits off")
    limits.add_argument("--enterprise", action="store_true", help="Enterprise plan: X=250, Y=5")
    limits.add_argument("--rate-limit", type=int, help="leaky bucket threshold X (default 50)")
    limits.add_argument("--drain", type=float, help="leaky bucket drain Y per second (default 2)")
    limits.add_argument("--operating-limit", type=float, default=480.0, help="seconds per method (default 480)")
    limits.add_argument("--basket-seconds", type=float, default=60.0, help="length of a basket (default 60)")
    limits.add_argument("--baskets", type=int, default=10, help="number of baskets (default 10)")
    limits.add_argument("--time-scale", type=float, default=1.0, help="divide every duration by this (default 1)")
    limits.add_argument("--simulate-latency", action="store_true", help="sleep each call's cost / time-scale")
    faults = parser.add_argument_group("faults", "kinds: " + "; ".join(f"{k}: {v}" for k, v in FAULT_HELP.items()))
    faults.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="KIND=RATE",
        help="random fault rate per request, repeatable (e.g. --fault 503=0.05)",
    )
    faults.add_argument("--fault-seed", type=int, default=0, help="seed of the fault draws")
    faults.add_argument("--fault-methods", help="comma-separated methods the random faults apply to")
    faults.add_argument("--slow-seconds", type=float, default=5.0, help="delay of the `slow` fault")
    auth = parser.add_argument_group("auth")
    auth.add_argument("--token-ttl", type=float, default=3600.0, help="OAuth access token lifetime, seconds")
    auth.add_argument("--webhook-user", type=int, default=1, help="user id in the webhook URL")
    auth.add_argument("--webhook-token", help="webhook code (default: random)")
    auth.add_argument("--client-id", default="local.emulator.app", help="OAuth client_id")
    auth.add_argument("--client-secret", help="OAuth client_secret (default: random)")
    events = parser.add_argument_group("events (calls to apps)")
    events.add_argument("--delivery-timeout", type=float, default=3.0, help="seconds per call to an app (default 3)")
    events.add_argument("--delivery-queue", type=int, default=1000, help="events that may wait (default 1000)")
    return parser


def config_from_args(args: argparse.Namespace) -> EmulatorConfig:
    fields: dict[str, Any] = {
        "port": args.port,
        "deals": args.deals,
        "invoices": args.invoices,
        "seed": args.seed,
        "seed_from": args.seed_from,
        "stateful": not args.stateless,
        "strict_params": args.strict_params,
        "limits_enabled": not args.no_limits,
        "enterprise": args.enterprise,
        "rate_limit": args.rate_limit,
        "drain_per_second": args.drain,
        "operating_limit_seconds": args.operating_limit,
        "basket_seconds": args.basket_seconds,
        "baskets": args.baskets,
        "time_scale": args.time_scale,
        "simulate_latency": args.simulate_latency,
        "fault_rates": dict(args.fault),
        "fault_seed": args.fault_seed,
        "fault_methods": frozenset(m.strip() for m in args.fault_methods.split(",")) if args.fault_methods else None,
        "slow_seconds": args.slow_seconds,
        "token_ttl_seconds": args.token_ttl,
        "webhook_user_id": args.webhook_user,
        "client_id": args.client_id,
        "delivery_timeout_seconds": args.delivery_timeout,
        "delivery_queue_size": args.delivery_queue,
    }
    if args.webhook_token:
        fields["webhook_token"] = args.webhook_token
    if args.client_secret:
        fields["client_secret"] = args.client_secret
    return EmulatorConfig(**fields)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        emulator = Emulator(config)  # reads and applies the seed file, if any
    except ValueError as exc:  # a bad seed file or an unknown family in it
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with emulator as portal:
        limits = (
            "off"
            if not config.limits_enabled
            else (
                f"X={config.effective_rate_limit}, Y={config.effective_drain_per_second}/s, "
                f"operating {config.operating_limit_seconds:g}s, time scale {config.time_scale:g}"
            )
        )
        print(f"Bitrix24 emulator on {portal.base_url} ({portal.deals.count} deals; limits {limits})")
        print(f"webhook: {portal.webhook_url}")
        print(f"control: {portal.base_url}/_emulator/info", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
