"""The emulator as a separate process, driven through its `/_emulator/` control URLs.

A separate process keeps the portal's work off the measured clients' CPU and memory, and
gives every client (ours and the peers, each in its own process) the same server.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Any

import requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Portal:
    def __init__(self, *options: str) -> None:
        for _attempt in range(5):  # another process on this shared machine may take the free port first
            if self._start(options):
                break
        else:
            raise RuntimeError("the emulator did not start")
        self.webhook_url: str = self.info["webhook_url"]

    def _start(self, options: tuple[str, ...]) -> bool:
        """Start on a free port; False when our process died (port taken) or never answered."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "b24client.emulator", "--port", str(self.port), *options]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        for _ in range(200):
            if self.process.poll() is not None:
                return False
            try:
                self.info = self._call("GET", "info")
            except (requests.ConnectionError, requests.HTTPError):
                time.sleep(0.05)
                continue
            # Ours only if our process still runs and holds the deals we asked for.
            wanted = options[options.index("--deals") + 1] if "--deals" in options else None
            if self.process.poll() is None and (wanted is None or str(self.info.get("deals")) == wanted):
                return True
            self.stop()
            return False
        self.stop()
        return False

    def _call(self, verb: str, name: str) -> Any:
        reply = requests.request(verb, f"{self.base}/_emulator/{name}", json={} if verb == "POST" else None, timeout=30)
        reply.raise_for_status()
        return reply.json()

    def reset(self) -> None:
        self._call("POST", "reset")

    def counters(self) -> dict[str, Any]:
        counters: dict[str, Any] = self._call("GET", "counters")
        return counters

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def __enter__(self) -> Portal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
