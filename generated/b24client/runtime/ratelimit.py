"""Stay inside the portal's limits instead of bouncing off them (limits.md).

Two limits, two mechanisms, one `PortalRateLimiter` that the call path consults:

* Request rate. The portal runs a leaky bucket per portal: +1 per HTTP request, refused
  with 503 QUERY_LIMIT_EXCEEDED above X, draining Y per second (50 and 2; 250 and 5 on
  Enterprise). `LeakyBucket` keeps the same bucket on our side, shared by every thread of
  a client, so we wait before the portal would refuse. The copy can be wrong (other
  applications from the same IP share the portal's bucket), so a 503 tightens it: the
  level is set to full and the drain rate cut, recovering over a minute.
* Operating time. Each method may use 480 s of portal execution time per 10 minutes per
  application. Every reply's `time` block tells how much is used (`operating`) and when
  the oldest one-minute basket drops (`operating_reset_at`). `OperatingTracker` records
  that, learns what one call of a method costs, and before a call (or a batch of calls)
  that would cross the limit waits until the reset instead of provoking a 429.

Only `requests` is needed; the Redis-backed bucket for several processes is in
ratelimit_redis.py.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from .exceptions import RateLimitError

STANDARD = (50, 2.0)
ENTERPRISE = (250, 5.0)
OPERATING_LIMIT = 480.0
OPERATING_WINDOW = 600.0
SKEW_TOLERANCE = 5.0  # seconds of clock difference to the portal taken as latency and rounding, not skew
_MAX_WAITS = 100_000  # a bound on wait loops; each wait is at least one drain interval
WaitKind = Literal["bucket", "operating"]
# How much later than the requests counted after it a request may reach the portal: the
# event loop or the pool is busy, the network jitters. The bucket keeps that many seconds of
# drain as headroom (at least one request), so requests reordered on the way still fit.
ARRIVAL_JITTER = 0.5


def default_margin(capacity: int, drain_per_second: float) -> float:
    """Requests of headroom for `ARRIVAL_JITTER`: 1 at the portal's 2/s, more where time is
    compressed (at 20/s a request 50 ms late already meets one counted after it), but never
    more than a fifth of the bucket (10 of 50)."""
    return max(1.0, min(drain_per_second * ARRIVAL_JITTER, capacity / 5))


class Bucket(Protocol):
    """A request-rate budget; the in-process `LeakyBucket` or a shared one (Redis)."""

    waited: float  # seconds spent waiting for it, for tests and progress reports

    def acquire(self) -> None: ...
    def take(self) -> float: ...
    def tighten(self) -> None: ...
    def retry_after(self) -> float: ...


class LeakyBucket:
    """The portal's request bucket, mirrored in this process and shared by its threads."""

    def __init__(
        self,
        capacity: int = STANDARD[0],
        drain_per_second: float = STANDARD[1],
        *,
        margin: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if capacity < 1 or drain_per_second <= 0:
            raise ValueError("capacity must be at least 1 and drain_per_second positive")
        self.capacity = capacity
        self.drain_per_second = drain_per_second
        # Requests of headroom below the portal's threshold: our clock and the portal's never
        # agree exactly, and a request we count now arrives there a little later, possibly
        # after one we counted later (default_margin).
        self.margin = min(default_margin(capacity, drain_per_second) if margin is None else margin, capacity - 1)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._level = 0.0
        self._updated = clock()
        self._slowdown = 1.0  # < 1 after a 503: we drain slower than the portal says
        self._recover_per_second = 0.5 / max(1.0, capacity / drain_per_second)
        self.waited = 0.0  # seconds spent waiting, for tests and progress reports

    def _drain(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._slowdown = min(1.0, self._slowdown + elapsed * self._recover_per_second)
        self._level = max(0.0, self._level - elapsed * self.drain_per_second * self._slowdown)
        self._updated = now

    def take(self) -> float:
        """Take one request, or return how long to wait before trying again (nothing taken)."""
        with self._lock:
            self._drain(self._clock())
            room = self.capacity - self.margin
            # The tolerance absorbs float residue: waiting exactly the computed time can leave
            # the level 1e-15 above room, and a wait that small does not move a clock at 1e3 s.
            if self._level + 1 <= room + 1e-9:
                self._level += 1
                return 0.0
            return (self._level + 1 - room) / (self.drain_per_second * self._slowdown)

    def acquire(self) -> None:
        for _ in range(_MAX_WAITS):
            wait = self.take()
            if wait <= 0:
                return
            self.waited += wait
            self._sleep(wait)
        raise RuntimeError("rate limiter could not acquire a request slot")  # pragma: no cover

    def tighten(self) -> None:
        """The portal said its bucket is full: believe it, and drain slower for a while."""
        with self._lock:
            self._drain(self._clock())
            self._level = float(self.capacity)
            self._slowdown = max(0.25, self._slowdown * 0.7)

    def retry_after(self) -> float:
        with self._lock:
            return 1.0 / (self.drain_per_second * self._slowdown)

    @property
    def level(self) -> float:
        with self._lock:
            self._drain(self._clock())
            return self._level


@dataclass
class _MethodBudget:
    operating: float = 0.0
    reset_at: float | None = None
    pending: float = 0.0  # estimated seconds of calls sent but not yet answered
    deltas: deque[float] = field(default_factory=lambda: deque(maxlen=200))
    typical: float | None = None  # cached high percentile of `deltas`
    # [when seen, seconds added]: what we saw `operating` grow by, in short slots. A call's
    # basket opened no later than we saw it, so its seconds are surely gone a window later.
    growth: deque[list[float]] = field(default_factory=deque)
    growth_total: float = 0.0

    def grew(self, now: float, seconds: float, window: float) -> None:
        if self.growth and now - self.growth[-1][0] < window / 100:
            self.growth[-1][1] += seconds  # same slot: at most ~100 slots per window
        else:
            self.growth.append([now, seconds])
        self.growth_total += seconds

    def still_counted(self, now: float, window: float) -> float:
        while self.growth and self.growth[0][0] + window <= now:
            self.growth_total -= self.growth.popleft()[1]
        if not self.growth:
            self.growth_total = 0.0
        return max(0.0, self.growth_total)

    def learn(self, delta: float) -> None:
        self.deltas.append(delta)
        if self.typical is None or len(self.deltas) % 16 == 0:
            ordered = sorted(self.deltas)
            self.typical = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


class OperatingTracker:
    """Per-method operating time as the portal reports it, and waiting to stay below it.

    The cost of one call is learnt from the growth of `operating` between consecutive
    replies (a high percentile, so a delta that spans another thread's calls does not
    count as a cheap call). Until something is learnt, `default_cost` is assumed.
    """

    def __init__(
        self,
        limit: float = OPERATING_LIMIT,
        window: float = OPERATING_WINDOW,
        *,
        default_cost: float = 0.1,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self.default_cost = default_cost
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._methods: dict[str, _MethodBudget] = {}
        self.waited = 0.0

    def _budget(self, method: str) -> _MethodBudget:
        budget = self._methods.get(method)
        if budget is None:  # one budget per method, whatever the spelling's case
            budget = self._methods.setdefault(method.lower(), _MethodBudget())
            self._methods[method] = budget
        return budget

    def cost(self, method: str) -> float:
        with self._lock:
            return self._cost(self._budget(method))

    def _cost(self, budget: _MethodBudget) -> float:
        return self.default_cost if budget.typical is None else budget.typical

    def observe(self, method: str, block: Mapping[str, Any]) -> None:
        """Record a reply's `time` block: operating seconds used and the next reset."""
        operating = _number(block.get("operating"))
        if operating is None:
            return
        with self._lock:
            budget = self._budget(method)
            now = self._clock()
            reset_at = self._local_reset(block, now)
            if reset_at is not None and budget.reset_at is not None and reset_at > budget.reset_at + 1e-6:
                budget.operating = operating  # a basket dropped: a new epoch starts here
            elif operating > budget.operating:
                delta = operating - budget.operating
                if budget.operating > 0:  # growth we saw happen, not a first figure
                    budget.grew(now, delta, self.window)
                    if delta < self.limit / 10:
                        budget.learn(delta)
                budget.operating = operating
            if reset_at is not None:
                budget.reset_at = max(reset_at, budget.reset_at or 0.0)

    def _local_reset(self, block: Mapping[str, Any], now: float) -> float | None:
        """`operating_reset_at` on our clock, and never further than one window away.

        The portal stamps it with its own clock; when the reply's `finish` (the portal's
        now) is off from ours by more than `SKEW_TOLERANCE`, the difference is taken out. A
        basket drops within a window whatever the reply claims, so a reset beyond that
        (now+3600, 1e300) is a lie or a broken clock and is cut to a window.
        """
        reset_at = _number(block.get("operating_reset_at"))
        if reset_at is None:
            return None
        portal_now = _number(block.get("finish"))
        if portal_now is not None and abs(portal_now - now) > SKEW_TOLERANCE:
            reset_at -= portal_now - now
        return min(reset_at, now + self.window)

    def _delay(self, budget: _MethodBudget, seconds: float) -> float:
        """How long to wait before `seconds` more of this method fit under the limit.

        Before `operating_reset_at` the portal's figure holds. After it, some basket
        dropped but the reply that would say how much has not come yet, so we count only
        what we saw added within the last window: an upper bound, since every basket
        closes within a window of our seeing its calls.
        """
        need = min(seconds, self.limit)  # a batch larger than the whole budget still goes, alone
        now = self._clock()
        before_reset = budget.reset_at is not None and now < budget.reset_at
        used = budget.operating if before_reset else budget.still_counted(now, self.window)
        if used + budget.pending + need <= self.limit:
            if not before_reset:
                budget.operating = used
            return 0.0
        if before_reset:
            assert budget.reset_at is not None
            return budget.reset_at - now + 0.01
        if budget.growth:
            return budget.growth[0][0] + self.window - now + 0.01
        return 0.05  # only calls in flight stand in the way: their replies will tell

    def wait(self, method: str) -> None:
        """Wait until one more call of `method` fits; nothing is held (single calls)."""
        if self.delay(method) > 0:
            self.reserve({method: 1}, hold=False)

    def delay(self, method: str) -> float:
        """Seconds before one more call of `method` fits (0: now); nothing is held."""
        with self._lock:
            budget = self._budget(method)
            if budget.reset_at is not None and budget.operating + budget.pending + self._cost(budget) <= self.limit:
                return 0.0  # the common case, decided without a clock or a dict
        return self.try_reserve({method: 1}, hold=False)[0]

    def try_reserve(self, counts: Mapping[str, int], hold: bool = True) -> tuple[float, dict[str, float]]:
        """`reserve` without waiting: (0, what was reserved) when `counts` fit now, else
        (seconds to wait, nothing reserved). The async client waits with this."""
        with self._lock:
            seconds = {m: self._cost(self._budget(m)) * n for m, n in counts.items() if n > 0}
            wait = max((self._delay(self._budget(m), s) for m, s in seconds.items()), default=0.0)
            if wait > 0:
                return wait, {}
            for method, cost in seconds.items() if hold else ():
                self._budget(method).pending += cost
            return 0.0, seconds

    def reserve(self, counts: Mapping[str, int], hold: bool = True) -> dict[str, float]:
        """Wait until `counts` calls per method fit, then (with `hold`) count them as in flight."""
        for _ in range(_MAX_WAITS):
            wait, seconds = self.try_reserve(counts, hold)
            if wait <= 0:
                return seconds
            self.waited += wait
            self._sleep(wait)
        raise RuntimeError("operating tracker could not reserve time")  # pragma: no cover

    def release(self, reserved: Mapping[str, float]) -> None:
        with self._lock:
            for method, seconds in reserved.items():
                budget = self._budget(method)
                budget.pending = max(0.0, budget.pending - seconds)

    def blocked(self, method: str, block: Mapping[str, Any] | None) -> float:
        """Seconds until a method refused with 429 may run again."""
        operating = _number((block or {}).get("operating"))
        with self._lock:
            reset_at = self._local_reset(block or {}, self._clock())
            budget = self._budget(method)
            # The refusal's figures stand until its reset; what drops then is unknown, so
            # the first retry goes at the reset (limits.md: if refused again, wait again).
            budget.operating = max(budget.operating, operating or 0.0, self.limit)
            if reset_at is not None:
                budget.reset_at = reset_at
            now = self._clock()
            if budget.reset_at is not None and budget.reset_at > now:
                return budget.reset_at - now + 0.01
        return self.window / 10


@runtime_checkable
class BatchAware(Protocol):
    """A limiter that can hold operating budget for all the commands of one batch."""

    def hold(self, counts: Mapping[str, int]) -> Any: ...


@runtime_checkable
class Polled(Protocol):
    """A limiter that can answer "may I go now, else how long?" without sleeping: what the
    async client needs, since a limiter that sleeps would stop its event loop. The waiter
    sleeps what it is told and says so with `note_wait`, so the limiter's `waited` counters
    read the same for both clients."""

    def ready(self, method: str) -> float: ...
    def take(self) -> float: ...
    def try_hold(self, counts: Mapping[str, int]) -> tuple[float, dict[str, float]]: ...
    def release(self, held: Mapping[str, float]) -> None: ...
    def note_wait(self, kind: WaitKind, seconds: float) -> None: ...


class PortalRateLimiter:
    """The default limiter: a request bucket plus per-method operating budgets.

    >>> limiter = PortalRateLimiter.enterprise()  # 250 requests, 5 per second
    """

    def __init__(
        self,
        capacity: int = STANDARD[0],
        drain_per_second: float = STANDARD[1],
        *,
        bucket: Bucket | None = None,
        operating_limit: float = OPERATING_LIMIT,
        operating_window: float = OPERATING_WINDOW,
        time_scale: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        """`time_scale` compresses time as the emulator's option of that name does: the
        bucket drains that many times faster and the operating window is that much shorter.
        `clock` and `sleep` drive the request bucket (a test can pass a virtual clock)."""
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.sleep = sleep  # what the async client waits with too, when it is not time.sleep (a test's clock)
        self.bucket: Bucket = bucket or LeakyBucket(capacity, drain_per_second * time_scale, clock=clock, sleep=sleep)
        self.operating = OperatingTracker(operating_limit, operating_window / time_scale, sleep=sleep)
        self._rng = rng or random.Random()

    @classmethod
    def enterprise(cls, **options: Any) -> PortalRateLimiter:
        return cls(*ENTERPRISE, **options)

    def __repr__(self) -> str:
        bucket = self.bucket
        if isinstance(bucket, LeakyBucket):
            return f"PortalRateLimiter(capacity={bucket.capacity}, drain_per_second={bucket.drain_per_second})"
        return f"PortalRateLimiter(bucket={type(bucket).__name__})"

    # -- the RateLimiter protocol of runtime/client.py ----------------------------------

    def acquire(self, method: str) -> None:
        if method.lower() != "batch":  # batch itself is not accounted (limits.md); its commands are
            self.operating.wait(method)
        self.bucket.acquire()

    def take(self) -> float:
        """The bucket's `take`: 0 when a request may go now (and is counted), else the
        seconds to wait before asking again. Never sleeps, so the async client can wait on
        its event loop instead of in a thread (after `ready`, as `acquire` does)."""
        return self.bucket.take()

    def note_wait(self, kind: WaitKind, seconds: float) -> None:
        """The async client slept `seconds` for the bucket or an operating budget."""
        if kind == "bucket":
            self.bucket.waited += seconds
        else:
            self.operating.waited += seconds

    def ready(self, method: str) -> float:
        """Seconds before `method`'s operating budget lets one more call go (0: now);
        nothing is counted. The async client waits for this before it takes a send slot."""
        return self.operating.delay(method) if method.lower() != "batch" else 0.0

    def observe(self, method: str, time_block: Mapping[str, Any]) -> None:
        self.operating.observe(method, time_block)

    def limited(self, method: str, error: RateLimitError) -> float:
        """How long to wait after a limit refusal before the call is repeated."""
        if error.code == "OPERATION_TIME_LIMIT" or error.status == 429:
            block = (error.response or {}).get("time")
            return self.operating.blocked(method, block if isinstance(block, Mapping) else None)
        self.bucket.tighten()
        base = self.bucket.retry_after()
        return base + self._rng.uniform(0, base)

    # -- batches -------------------------------------------------------------------------

    @contextmanager
    def hold(self, counts: Mapping[str, int]) -> Iterator[None]:
        """Wait until every command of a batch fits its method's budget; keep it counted
        as in flight until the reply (whose `result_time` blocks are observed) is in."""
        reserved = self.operating.reserve(counts)
        try:
            yield
        finally:
            self.operating.release(reserved)

    def try_hold(self, counts: Mapping[str, int]) -> tuple[float, dict[str, float]]:
        """`hold` without waiting, for the async batch: (0, the held budget, to be given to
        `release` after the reply) or (seconds to wait, nothing held)."""
        return self.operating.try_reserve(counts)

    def release(self, held: Mapping[str, float]) -> None:
        self.operating.release(held)


def standard_limiter(enterprise: bool = False) -> PortalRateLimiter:
    return PortalRateLimiter.enterprise() if enterprise else PortalRateLimiter()
