"""A `TokenStore` in Redis (extra `redis`), shared by processes on any number of hosts.

Pairs are JSON strings under `<prefix>portal:<member_id>`, with `<prefix>domain:<domain>`
as the index. The refresh lock is redis-py's `Lock` (SET NX with an expiry, released by a
script that checks the owner), so a process that dies holding it frees it after
`lock_seconds` instead of locking the portal out.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .tokens import DEFAULT_LOCK_SECONDS, PortalTokens, normalize_domain


class RedisTokenStore:
    def __init__(
        self,
        redis_client: Any = None,
        *,
        url: str | None = None,
        prefix: str = "b24client:tokens:",
        lock_seconds: float = DEFAULT_LOCK_SECONDS,
    ) -> None:
        if redis_client is None:
            redis = importlib.import_module("redis")  # optional extra: pip install 'b24client[redis]'
            redis_client = redis.Redis.from_url(url or "redis://localhost:6379/0")
        self._redis = redis_client
        self.prefix = prefix
        self.lock_seconds = lock_seconds

    def __repr__(self) -> str:
        return f"RedisTokenStore(prefix={self.prefix!r})"

    def get(self, member_id: str) -> PortalTokens | None:
        raw = self._redis.get(f"{self.prefix}portal:{member_id}")
        return PortalTokens.from_json(raw) if raw is not None else None

    def member_for_domain(self, domain: str) -> str | None:
        raw = self._redis.get(f"{self.prefix}domain:{normalize_domain(domain)}")
        return raw.decode() if isinstance(raw, bytes) else raw

    def save(self, tokens: PortalTokens) -> None:
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.prefix}portal:{tokens.member_id}", tokens.to_json())
            pipe.set(f"{self.prefix}domain:{normalize_domain(tokens.domain)}", tokens.member_id)
            pipe.execute()

    def delete(self, member_id: str) -> None:
        tokens = self.get(member_id)
        self._redis.delete(f"{self.prefix}portal:{member_id}")
        if tokens is not None and self.member_for_domain(tokens.domain) == member_id:
            self._redis.delete(f"{self.prefix}domain:{normalize_domain(tokens.domain)}")

    @contextmanager
    def lock(self, member_id: str) -> Iterator[None]:
        lock = self._redis.lock(f"{self.prefix}lock:{member_id}", timeout=self.lock_seconds, blocking_timeout=self.lock_seconds)
        if not lock.acquire():
            raise TimeoutError(f"the token lock of member_id={member_id!r} was not released in {self.lock_seconds:g}s")
        try:
            yield
        finally:
            lock.release()
