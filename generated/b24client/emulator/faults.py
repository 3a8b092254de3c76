"""Seeded, reproducible transport and server faults for the client's reliability tests.

Two sources, checked in this order for every REST request:

* scripted: `inject(fault, method, count)` fails the next `count` matching calls, and
  `respond_once(method, status, body)` answers the next call with an exact body;
* random: per-kind rates drawn from one `random.Random(seed)`, optionally limited to
  some methods, so a sequential run fails at the same calls every time.

A fault says *what* goes wrong; the server decides *how* (see `Fault` kinds below).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal["503", "500", "reset_before", "reset_after", "slow", "html", "truncated"]

FAULT_KINDS: tuple[FaultKind, ...] = ("503", "500", "reset_before", "reset_after", "slow", "html", "truncated")

# What each kind means, for the CLI help and the docs:
FAULT_HELP: dict[str, str] = {
    "503": "answer 503 QUERY_LIMIT_EXCEEDED without running the method",
    "500": "answer 500 INTERNAL_SERVER_ERROR without running the method",
    "reset_before": "reset the connection before the method runs (no side effects)",
    "reset_after": "run the method, then reset the connection instead of answering",
    "slow": "run the method, then wait slow_seconds before answering",
    "html": "answer 502 with an HTML error page instead of JSON, without running the method",
    "truncated": "run the method, then answer 200 with the JSON cut in half",
}

# Kinds whose method call really happens before the fault shows.
PROCESSED_KINDS = frozenset({"reset_after", "slow", "truncated"})


def check_kind(kind: str) -> FaultKind:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULT_KINDS)}")
    return kind


@dataclass(frozen=True)
class Canned:
    """An exact response for the next call of a method (respond_once)."""

    status: int
    body: Any


@dataclass
class _Script:
    method: str | None  # None: any method
    remaining: int
    fault: FaultKind | None = None
    canned: Canned | None = None


@dataclass
class FaultPlan:
    """Random fault rates: probability per request for each kind, from one seed."""

    rates: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    methods: frozenset[str] | None = None  # None: every method

    def __post_init__(self) -> None:
        for kind, rate in self.rates.items():
            check_kind(kind)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"fault rate for {kind} must be between 0 and 1, got {rate}")
        if sum(self.rates.values()) > 1.0:
            raise ValueError("fault rates add up to more than 1")


class Faults:
    """Decides, per request, whether it fails and how."""

    def __init__(self, plan: FaultPlan | None = None) -> None:
        self._lock = threading.Lock()
        self._scripts: list[_Script] = []
        self.configure(plan or FaultPlan())

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)

    def inject(self, fault: str, method: str | None = None, count: int = 1) -> None:
        if count < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._scripts.append(_Script(method, count, fault=check_kind(fault)))

    def respond_once(self, method: str, status: int, body: Any) -> None:
        with self._lock:
            self._scripts.append(_Script(method, 1, canned=Canned(status, body)))

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()
            self._random = random.Random(self.plan.seed)

    def _take_script(self, method: str, matches: Iterable[str]) -> _Script | None:
        names = {method, *matches}
        for index, script in enumerate(self._scripts):
            if script.method is None or script.method in names:
                script.remaining -= 1
                if script.remaining == 0:
                    del self._scripts[index]
                return script
        return None

    def draw(self, method: str, aliases: Iterable[str] = ()) -> FaultKind | Canned | None:
        """The fault for this call of `method` (aliases: other spellings of its name)."""
        with self._lock:
            script = self._take_script(method, aliases)
            if script is not None:
                return script.canned or script.fault
            plan = self.plan
            if not plan.rates:
                return None
            if plan.methods is not None and method not in plan.methods:
                return None
            roll = self._random.random()
            for kind in FAULT_KINDS:
                rate = plan.rates.get(kind, 0.0)
                if roll < rate:
                    return kind
                roll -= rate
            return None

    def pending(self) -> int:
        with self._lock:
            return sum(script.remaining for script in self._scripts)


HTML_ERROR_PAGE = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def truncate(body: bytes) -> bytes:
    """Cut a JSON body so no JSON parser accepts it (never empty, never complete)."""
    return body[: max(1, len(body) // 2)]
