"""The cloud portal's limits (limits.md) and the cost model that feeds them.

Three mechanisms, each configurable with the documented values as defaults:

* a leaky bucket per portal: each HTTP request adds one; above X the request is refused
  with 503 QUERY_LIMIT_EXCEEDED; the level drains by Y per second;
* operating time per method and per application or webhook, summed in ten one-minute
  baskets; above 480 s the next call is refused with 429 OPERATION_TIME_LIMIT;
* a cost model that says how many seconds of portal time a call takes, so that the
  operating limit bites where it would on a real portal (counting totals of big lists).

`time_scale` compresses time: durations (drain interval, basket length) are divided by
it, while amounts (requests, seconds of operating time) stay as documented. Timestamps
stay real wall-clock time so clients can compare them with time.time().
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


class LeakyBucket:
    """Request-rate limit of one portal: level +1 per request, -Y per (scaled) second."""

    def __init__(self, capacity: int, drain_per_second: float, time_scale: float = 1.0, clock: Clock = time.monotonic):
        self.capacity = capacity
        self.drain_per_second = drain_per_second
        self.time_scale = time_scale
        self._clock = clock
        self._level = 0.0
        self._updated = clock()
        self._lock = threading.Lock()

    def _drain(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._level = max(0.0, self._level - elapsed * self.drain_per_second * self.time_scale)
        self._updated = now

    def try_acquire(self) -> bool:
        """Count one request; False (and nothing counted) when it would exceed the limit."""
        with self._lock:
            self._drain(self._clock())
            if self._level + 1 > self.capacity:
                return False
            self._level += 1
            return True

    @property
    def level(self) -> float:
        with self._lock:
            self._drain(self._clock())
            return self._level

    def reset(self) -> None:
        with self._lock:
            self._level = 0.0
            self._updated = self._clock()


@dataclass
class _Basket:
    opened_at: float  # wall-clock time of the first call recorded in it
    seconds: float


@dataclass(frozen=True)
class OperatingState:
    """What the `time` block reports: accumulated seconds and when the oldest basket drops."""

    operating: float
    reset_at: float | None


class OperatingMeter:
    """Execution time per (caller, method) in `baskets` baskets of `basket_seconds` each.

    A basket opens with the first call after the previous one closed, collects the cost of
    calls for `basket_seconds`, and leaves the sum `baskets * basket_seconds` after it
    opened (limits.md: the countdown starts at the first call of the minute).
    """

    def __init__(
        self,
        limit_seconds: float = 480.0,
        basket_seconds: float = 60.0,
        baskets: int = 10,
        time_scale: float = 1.0,
        clock: Clock = time.time,
    ) -> None:
        self.limit_seconds = limit_seconds
        self.basket_length = basket_seconds / time_scale
        self.window = self.basket_length * baskets
        self._clock = clock
        self._lock = threading.Lock()
        self._baskets: dict[tuple[str, str], deque[_Basket]] = {}

    def _live(self, key: tuple[str, str], now: float) -> deque[_Basket]:
        baskets = self._baskets.setdefault(key, deque())
        while baskets and baskets[0].opened_at + self.window <= now:
            baskets.popleft()
        return baskets

    def _state(self, baskets: deque[_Basket]) -> OperatingState:
        if not baskets:
            return OperatingState(0.0, None)
        return OperatingState(sum(b.seconds for b in baskets), baskets[0].opened_at + self.window)

    def state(self, caller: str, method: str) -> OperatingState:
        with self._lock:
            return self._state(self._live((caller, method), self._clock()))

    def blocked(self, caller: str, method: str) -> OperatingState | None:
        """The state when the method is over its budget for this caller, else None."""
        state = self.state(caller, method)
        return state if state.operating > self.limit_seconds else None

    def record(self, caller: str, method: str, seconds: float) -> OperatingState:
        """Add the cost of a finished call and return the state to report."""
        with self._lock:
            now = self._clock()
            baskets = self._live((caller, method), now)
            if not baskets or baskets[-1].opened_at + self.basket_length <= now:
                baskets.append(_Basket(now, 0.0))
            baskets[-1].seconds += seconds
            return self._state(baskets)

    def reset(self) -> None:
        with self._lock:
            self._baskets.clear()


# --- cost model ---------------------------------------------------------------------------

# settings/performance/huge-data.md measured, on 2,387,743 items, 49.9 s for a page with
# the total counted and 0.097 s for the same page with start=-1.
MEASURED_ITEMS = 2_387_743
MEASURED_WITH_COUNT = 49.9
MEASURED_WITHOUT_COUNT = 0.097


@dataclass(frozen=True)
class CostModel:
    """Seconds of portal time a call costs; see docs/emulator.md for the derivation.

    * any call: `call_seconds`;
    * a list page: `page_seconds` + `row_seconds` per returned row (0.047 + 50 x 0.001 =
      0.097 s for a full page, the measured start=-1 figure);
    * plus, when `start >= 0`, counting the total: `count_seconds_per_row` per matching
      row (49.9 s / 2,387,743 rows, about 21 µs a row);
    * plus, for an offset page, skipping `start` rows: `skip_seconds_per_row` per row
      skipped (a tenth of counting: the scan reads the index only up to the page).
    """

    call_seconds: float = 0.01
    page_seconds: float = 0.047
    row_seconds: float = 0.001
    count_seconds_per_row: float = (MEASURED_WITH_COUNT - MEASURED_WITHOUT_COUNT) / MEASURED_ITEMS
    skip_seconds_per_row: float = (MEASURED_WITH_COUNT - MEASURED_WITHOUT_COUNT) / MEASURED_ITEMS / 10

    def list_page(self, returned: int, matched: int | None, skipped: int) -> float:
        """Cost of one list page: `matched` is None when the count was turned off (start=-1)."""
        cost = self.page_seconds + self.row_seconds * returned + self.skip_seconds_per_row * max(0, skipped)
        if matched is not None:
            cost += self.count_seconds_per_row * matched
        return cost
