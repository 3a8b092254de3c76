"""Run every peer client through the scenario against a fresh emulator each; print a table.

Each peer gets its own portal (120 seeded deals, the documented limits on) behind a TLS
front, since b24pysdk and the JS SDK only build https URLs; the peers trust the run's
self-signed certificate through SSL_CERT_FILE / REQUESTS_CA_BUNDLE / NODE_EXTRA_CA_CERTS.
Exit status 1 when any step of any peer failed; the outcomes also go to
.interop/results.json, so a run before a fix and one after can be compared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from b24client.emulator import Emulator, EmulatorConfig

from . import python_peers
from .checks import DEALS, LIST_ABOVE, Outcome, Recorder
from .tls import TlsFront, self_signed

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".interop"


@contextmanager
def portal(cert: Path, key: Path) -> Iterator[tuple[Emulator, str]]:
    """A fresh emulator and the https base URL of its TLS front."""
    with Emulator(EmulatorConfig(deals=DEALS)) as emulator:
        front = TlsFront(emulator.port, cert, key).start()
        try:
            yield emulator, f"https://127.0.0.1:{front.port}"
        finally:
            front.stop()


def _js(portal_url: str, webhook: str) -> Recorder:
    rec = Recorder("b24jssdk")
    env = {
        **os.environ,
        "INTEROP_WEBHOOK": webhook,
        "INTEROP_PORTAL_URL": portal_url,
        "INTEROP_DEALS": str(DEALS),
        "INTEROP_LIST_ABOVE": str(LIST_ABOVE),
    }
    script = ROOT / "interop" / "js_peer.mjs"
    # node resolves packages from the script's folder upwards; .interop/node holds them
    local = WORK / "node" / "js_peer.mjs"
    local.write_text(script.read_text())
    done = subprocess.run(["node", str(local)], env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603, S607
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            rec.outcomes.append(Outcome("b24jssdk", row["step"], row["ok"], row["detail"]))
    if done.returncode != 0 or not rec.outcomes:
        rec.outcomes.append(Outcome("b24jssdk", "node", False, done.stderr[-400:]))
    return rec


def _peers() -> dict[str, Callable[[Emulator, str], Recorder]]:
    def hook(emulator: Emulator, base: str) -> str:
        return f"{base}/rest/{emulator.config.webhook_user_id}/{emulator.config.webhook_token}/"

    return {
        "fast_bitrix24": lambda emulator, base: python_peers.fast_bitrix24(hook(emulator, base), emulator.base_url),
        "b24pysdk": lambda emulator, base: python_peers.b24pysdk(
            base.removeprefix("https://"), f"{emulator.config.webhook_user_id}/{emulator.config.webhook_token}", emulator.base_url
        ),
        "b24jssdk": lambda emulator, base: _js(emulator.base_url, hook(emulator, base).rstrip("/")),
    }


def main(argv: list[str]) -> int:
    wanted = set(argv) or None
    WORK.mkdir(exist_ok=True)
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(dir=WORK, prefix="tls-") as scratch:
        cert, key = self_signed(Path(scratch))
        for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"):
            os.environ[name] = str(cert)
        for name, run in _peers().items():
            if wanted and name not in wanted:
                continue
            with portal(cert, key) as (emulator, base):
                outcomes += run(emulator, base).outcomes
                statuses = emulator.counters["status"]
            print(f"{name}: emulator answered {statuses}", file=sys.stderr)
    width = max(len(o.step) for o in outcomes)
    for o in outcomes:
        print(f"{o.peer:14} {o.step:{width}}  {'ok  ' if o.ok else 'FAIL'}  {o.detail}")
    failed = sum(not o.ok for o in outcomes)
    print(f"{len(outcomes) - failed} passed, {failed} failed")
    (WORK / "results.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
