"""Named scenario steps for the peer clients, and the one place their outcomes are recorded.

Every peer runs the same steps (list, full export, batch with references, the payment
family, the CRM integration, an error reply); a step passes when the peer's own API gives
the answer the real portal would, and fails with whatever the peer raised or got wrong.
The emulator's request log is kept per step so a failure can be traced to the exchange.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEALS = 120  # deals seeded for every peer: two and a half pages, so paging is exercised
LIST_ABOVE = 100  # `>ID` filter of the list step: 20 records, ids 101..120


@dataclass
class Outcome:
    peer: str
    step: str
    ok: bool
    detail: str = ""


@dataclass
class Recorder:
    """Runs steps, catching what they raise, and keeps one Outcome per step."""

    peer: str
    outcomes: list[Outcome] = field(default_factory=list)

    def step(self, name: str, run: Callable[[], Any]) -> None:
        try:
            detail = run()
        except Exception as exc:  # a peer failing is a finding, not a crash of the harness
            last = traceback.extract_tb(exc.__traceback__)[-1]
            self.outcomes.append(Outcome(self.peer, name, False, f"{type(exc).__name__}: {exc} ({last.name})"[:400]))
        else:
            self.outcomes.append(Outcome(self.peer, name, True, str(detail or "")[:200]))


def expect(condition: bool, message: str) -> None:
    """An assertion that survives `python -O` (the harness is not a test file)."""
    if not condition:
        raise AssertionError(message)
