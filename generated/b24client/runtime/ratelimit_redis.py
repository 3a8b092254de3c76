"""One portal's request budget shared by several processes, kept in Redis (extra `redis`).

The portal counts requests per portal (and per source IP), not per process: two workers
with their own in-process buckets would together send twice the allowed rate. Here the
bucket lives in Redis and is updated by one Lua script, so taking a slot is atomic across
processes and machines, and the clock is Redis's own (`TIME`), so hosts whose clocks
disagree still drain the same bucket. The operating-time tracker stays per process: each
reply tells the process the portal's own figure, so nothing needs sharing there.

    limiter = shared_limiter("redis://localhost:6379/0", portal="example.bitrix24.com")
    b24 = Bitrix24(webhook=..., rate_limiter=limiter)
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from .ratelimit import ENTERPRISE, STANDARD, PortalRateLimiter, default_margin

# KEYS[1]: the bucket. ARGV: capacity, drain per second, margin, action ("take"/"tighten"/"peek"),
# recovery per second of the slowdown. Returns the seconds to wait (0: a slot was taken).
_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local capacity, drain, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local action, recover = ARGV[4], tonumber(ARGV[5])
local state = redis.call('HMGET', KEYS[1], 'level', 'updated', 'slowdown')
local level = tonumber(state[1]) or 0
local updated = tonumber(state[2]) or now
local slowdown = tonumber(state[3]) or 1
local elapsed = math.max(0, now - updated)
slowdown = math.min(1, slowdown + elapsed * recover)
level = math.max(0, level - elapsed * drain * slowdown)
local room = capacity - margin
local wait = 0
if action == 'tighten' then
  level = capacity
  slowdown = math.max(0.25, slowdown * 0.7)
elseif action == 'peek' then
  wait = 1 / (drain * slowdown)
elseif level + 1 <= room then
  level = level + 1
else
  wait = (level + 1 - room) / (drain * slowdown)
end
redis.call('HSET', KEYS[1], 'level', level, 'updated', now, 'slowdown', slowdown)
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / drain) * 4 + 60)
return tostring(wait)
"""
_MAX_WAITS = 100_000


class RedisLeakyBucket:
    """The `Bucket` of ratelimit.py, stored in Redis under `key` and shared by everyone using it."""

    def __init__(
        self,
        redis_client: Any = None,
        *,
        url: str | None = None,
        key: str = "b24client:bucket",
        capacity: int = STANDARD[0],
        drain_per_second: float = STANDARD[1],
        margin: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if redis_client is None:
            redis = importlib.import_module("redis")  # optional extra: pip install 'b24client[redis]'
            redis_client = redis.Redis.from_url(url or "redis://localhost:6379/0")
        self._redis = redis_client
        self._script = redis_client.register_script(_SCRIPT)
        self.key = key
        self.capacity = capacity
        self.drain_per_second = drain_per_second
        self.margin = min(default_margin(capacity, drain_per_second) if margin is None else margin, capacity - 1)
        self._recover = 0.5 / max(1.0, capacity / drain_per_second)
        self._sleep = sleep
        self.waited = 0.0

    def __repr__(self) -> str:
        return f"RedisLeakyBucket(key={self.key!r}, capacity={self.capacity}, drain_per_second={self.drain_per_second})"

    def _run(self, action: str) -> float:
        reply = self._script(keys=[self.key], args=[self.capacity, self.drain_per_second, self.margin, action, self._recover])
        return float(reply.decode() if isinstance(reply, bytes) else reply)

    def take(self) -> float:
        """One request now (0), or the seconds to wait; one round trip, no waiting."""
        return self._run("take")

    def acquire(self) -> None:
        for _ in range(_MAX_WAITS):
            wait = self.take()
            if wait <= 0:
                return
            self.waited += wait
            self._sleep(wait)
        raise RuntimeError("shared rate limiter could not acquire a request slot")  # pragma: no cover

    def tighten(self) -> None:
        self._run("tighten")

    def retry_after(self) -> float:
        return self._run("peek")


def shared_limiter(
    url: str = "redis://localhost:6379/0",
    *,
    portal: str,
    enterprise: bool = False,
    time_scale: float = 1.0,
    redis_client: Any = None,
    margin: float | None = None,
    **options: Any,
) -> PortalRateLimiter:
    """A `PortalRateLimiter` whose request bucket is shared through Redis, one per portal.

    `margin` is the requests of headroom kept below the portal's threshold (default:
    ratelimit.default_margin; more where other applications share the portal's bucket)."""
    capacity, drain = ENTERPRISE if enterprise else STANDARD
    bucket = RedisLeakyBucket(
        redis_client,
        url=url,
        key=f"b24client:bucket:{portal}",
        capacity=capacity,
        drain_per_second=drain * time_scale,
        margin=margin,
    )
    return PortalRateLimiter(capacity, drain, bucket=bucket, time_scale=time_scale, **options)
