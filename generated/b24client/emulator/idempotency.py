"""REST v3 `Idempotency-Key`: a repeated write returns the stored reply instead of running again.

What api-reference/rest-v3.md ("Repeated calls without duplicates") lays down, and this
store keeps to: only on /rest/api/ and only for methods that change data; a successful
reply is kept 24 hours under its key, per webhook or application, user and method; an
error is not kept, so the same key runs the method again; the same key with another body
is refused with 422, a key that is not 1 to 255 printable ASCII characters with 400. Two
requests with one key at the same moment may both run, as the docs warn.

The body is compared without `auth`: an OAuth client that refreshed its token between the
first try and the repeat sends the same call with another token.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

TTL_SECONDS = 24 * 3600
REUSED = "BITRIX_REST_V3_EXCEPTION_IDEMPOTENCYKEYREUSEDEXCEPTION"
INVALID = "BITRIX_REST_V3_EXCEPTION_INVALIDIDEMPOTENCYKEYEXCEPTION"
Scope = tuple[str, int, str]  # identity name, user id, method


def valid_key(key: str) -> bool:
    return 1 <= len(key) <= 255 and all(" " <= char <= "~" for char in key)


def digest(params: Mapping[str, Any]) -> str:
    canonical = json.dumps({k: v for k, v in params.items() if k != "auth"}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


class KeyReused(Exception):
    """The key was stored with another body."""


@dataclass
class _Entry:
    digest: str
    reply: Any
    expires: float


class IdempotencyStore:
    def __init__(self, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.time) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[Scope, str], _Entry] = {}

    def stored(self, scope: Scope, key: str, body_digest: str) -> Any | None:
        """The reply kept for this key, None when there is none; KeyReused for another body."""
        with self._lock:
            now = self._clock()
            entry = self._entries.get((scope, key))
            if entry is None or entry.expires <= now:
                self._entries.pop((scope, key), None)
                return None
            if entry.digest != body_digest:
                raise KeyReused(key)
            return entry.reply

    def keep(self, scope: Scope, key: str, body_digest: str, reply: Any) -> None:
        with self._lock:
            now = self._clock()
            if len(self._entries) >= 4096:  # dropped in bulk, not on every write
                for stale in [k for k, e in self._entries.items() if e.expires <= now]:
                    del self._entries[stale]
            self._entries[(scope, key)] = _Entry(body_digest, reply, now + self._ttl)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
