"""A virtual clock that only moves when someone sleeps on it.

Shared by a client's rate limiter and the emulator's request bucket, it takes the
scheduler out of rate-limit tests: real time lets a request counted by the client at t
reach the portal at t + a few ms on a loaded machine, which at compressed time is enough
to overflow a bucket the client believed had room. On this clock no time passes between
the two, so the outcome depends only on the algorithm.
"""

from __future__ import annotations

import threading


class VirtualClock:
    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.slept = 0.0

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        """Advance the clock instead of blocking; the caller continues at once."""
        with self._lock:
            step = max(0.0, seconds)
            self._now += step
            self.slept += step
