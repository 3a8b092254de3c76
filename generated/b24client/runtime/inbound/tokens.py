"""Where an app keeps each portal's tokens, shared by every process that serves it.

A mass-market app serves many portals from many processes. Each portal's refresh token is
single-use: if two processes refresh the same expired token, the second is refused and
that portal is locked out until someone reinstalls. So the store, not a process, owns the
lock: `store.lock(member_id)` is held across "read the stored pair, refresh if it is still
the stale one, write the new pair", and whoever waited reads the fresh pair instead of
refreshing again (see shared.py).

Portals are keyed by `member_id` (stable across domain renames); `domain` is an index for
requests that only carry the address.
"""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit

from ..redact import mask

# Longest a refresh may hold a portal's lock: above the client's default token-request timeout (3.05 s + 60 s).
DEFAULT_LOCK_SECONDS = 75.0


def normalize_domain(domain: str) -> str:
    """`https://Example.bitrix24.com/` and `example.bitrix24.com` name the same portal."""
    text = domain.strip()
    host = urlsplit(text).netloc if "://" in text else text.split("/", 1)[0]
    return host.lower()


@dataclass(frozen=True)
class PortalTokens:
    """One installation: the portal's identity, its OAuth pair and its application_token."""

    member_id: str
    domain: str
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    application_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None  # Unix time; None when the portal did not say
    client_endpoint: str = ""
    server_endpoint: str = ""
    scope: str = ""
    status: str = ""

    def __repr__(self) -> str:
        return (
            f"PortalTokens(member_id={self.member_id!r}, domain={self.domain!r}, "
            f"access_token={mask(self.access_token)}, refresh_token={mask(self.refresh_token)}, "
            f"application_token={mask(self.application_token)}, expires_at={self.expires_at!r})"
        )

    @property
    def portal_url(self) -> str:
        """Where REST calls go: the scheme and host of client_endpoint, else https://domain."""
        if self.client_endpoint:
            parts = urlsplit(self.client_endpoint)
            return f"{parts.scheme}://{parts.netloc}"
        return f"https://{self.domain}"

    def replace(self, **changes: Any) -> PortalTokens:
        return dataclasses.replace(self, **changes)

    def rotated(self, reply: Mapping[str, Any], now: float | None = None) -> PortalTokens:
        """These tokens after a token-endpoint reply (refresh or code exchange)."""
        expires_in = reply.get("expires_in")
        seconds = float(expires_in) if isinstance(expires_in, int | float) and not isinstance(expires_in, bool) else None
        refresh = reply.get("refresh_token")
        return self.replace(
            access_token=str(reply["access_token"]),
            refresh_token=refresh if isinstance(refresh, str) else self.refresh_token,
            expires_at=(now if now is not None else time.time()) + seconds if seconds is not None else None,
            client_endpoint=str(reply.get("client_endpoint") or self.client_endpoint),
            server_endpoint=str(reply.get("server_endpoint") or self.server_endpoint),
            scope=str(reply.get("scope") or self.scope),
            status=str(reply.get("status") or self.status),
        )

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> PortalTokens:
        data = json.loads(text)
        names = {item.name for item in dataclasses.fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in names})


class TokenStore(Protocol):
    """What the inbound side and the refresh path need from a store of portals' tokens."""

    def get(self, member_id: str) -> PortalTokens | None: ...
    def member_for_domain(self, domain: str) -> str | None: ...
    def save(self, tokens: PortalTokens) -> None: ...
    def delete(self, member_id: str) -> None: ...
    def lock(self, member_id: str) -> AbstractContextManager[None]: ...


def find(store: TokenStore, *, member_id: str = "", domain: str = "") -> PortalTokens | None:
    """A portal's tokens by member_id, else by domain (member_id wins when both are given)."""
    if member_id:
        return store.get(member_id)
    found = store.member_for_domain(normalize_domain(domain)) if domain else None
    return store.get(found) if found else None


def application_token_lookup(store: TokenStore) -> Callable[[str, str], str | None]:
    """A `TokenLookup` for `parse`: the application_token stored for the event's portal.

    By member_id when the event carries one; an event whose member_id is unknown is not
    matched by domain (that would let one installation answer for another)."""

    def lookup(member_id: str, domain: str) -> str | None:
        tokens = find(store, member_id=member_id, domain="" if member_id else domain)
        return tokens.application_token if tokens is not None else None

    return lookup


class MemoryTokenStore:
    """A store in one process's memory: for tests and single-process apps."""

    def __init__(self) -> None:
        self._tokens: dict[str, PortalTokens] = {}
        self._domains: dict[str, str] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def __repr__(self) -> str:
        return f"MemoryTokenStore(portals={len(self._tokens)})"

    def get(self, member_id: str) -> PortalTokens | None:
        return self._tokens.get(member_id)

    def member_for_domain(self, domain: str) -> str | None:
        return self._domains.get(normalize_domain(domain))

    def save(self, tokens: PortalTokens) -> None:
        with self._guard:
            self._tokens[tokens.member_id] = tokens
            self._domains[normalize_domain(tokens.domain)] = tokens.member_id

    def delete(self, member_id: str) -> None:
        with self._guard:
            gone = self._tokens.pop(member_id, None)
            if gone is not None:
                self._domains.pop(normalize_domain(gone.domain), None)

    @contextmanager
    def lock(self, member_id: str) -> Iterator[None]:
        with self._guard:
            portal_lock = self._locks.setdefault(member_id, threading.Lock())
        if not portal_lock.acquire(timeout=DEFAULT_LOCK_SECONDS):
            raise TimeoutError(f"the token lock of member_id={member_id!r} was not released in time")
        try:
            yield
        finally:
            portal_lock.release()
