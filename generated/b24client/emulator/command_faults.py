"""Faults for single commands inside `batch`, not for the whole HTTP request.

`Faults` (faults.py) stands for trouble in front of the portal: it hits an HTTP request,
so a batch fails or succeeds as a whole. On a real portal a batch request comes back 200
while one of its commands failed; that command's error sits in `result_error` under its
label, with no `result_time`, and the other commands run (or, with `halt`, stop there).
Clients must handle that per command: retry a command refused by a limit, report one that
failed, never repeat a write that may have run. This module scripts such failures:

    portal.inject_command("500", index=1)                  # the 2nd command of the next batch
    portal.inject_command("503", method="crm.deal.add")    # the next crm.deal.add inside a batch

A faulted command does not run. Kinds are the faults that have a JSON error reply.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

# kind → (HTTP status the command would have had, error code, description)
COMMAND_FAULTS: dict[str, tuple[int, str, str]] = {
    "500": (500, "INTERNAL_SERVER_ERROR", "Internal server error"),
    "503": (503, "QUERY_LIMIT_EXCEEDED", "Too many requests"),
}


@dataclass(frozen=True)
class CommandFault:
    kind: str
    status: int
    code: str
    description: str


@dataclass
class _Script:
    kind: str
    index: int | None  # position in the batch, from 0; None: any position
    method: str | None  # None: any method
    remaining: int


class CommandFaults:
    """Scripted faults for batch commands, checked in the order they were injected."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: list[_Script] = []

    def inject(self, kind: str, index: int | None = None, method: str | None = None, count: int = 1) -> None:
        if kind not in COMMAND_FAULTS:
            raise ValueError(f"unknown command fault {kind!r}; known: {', '.join(COMMAND_FAULTS)}")
        if index is not None and not 0 <= index < 50:
            raise ValueError("index must be a command position from 0 to 49")
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._scripts.append(_Script(kind, index, method, count))

    def draw(self, index: int, method: str) -> CommandFault | None:
        """The fault for the command at `index` calling `method`, if one is scripted (used up)."""
        with self._lock:
            for script in self._scripts:
                if (script.index is None or script.index == index) and (
                    script.method is None or script.method.lower() == method.lower()
                ):
                    script.remaining -= 1
                    if script.remaining == 0:
                        self._scripts.remove(script)
                    return CommandFault(script.kind, *COMMAND_FAULTS[script.kind])
            return None

    def pending(self) -> int:
        with self._lock:
            return sum(script.remaining for script in self._scripts)

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
