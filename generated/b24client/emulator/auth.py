"""Who may call the emulated portal: the incoming webhook and OAuth 2.0 applications.

The real portal splits this between Bitrix24 (webhook codes, access tokens) and the
authorization server oauth.bitrix.info (issuing and refreshing tokens). The emulator
plays both so clients can exercise the whole token life cycle, expiry included, offline:
settings/oauth/index.md, settings/oauth/auto-renewal.md, settings/oauth/error-codes.md.
Tokens are compared in constant time and never appear in a repr.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

TokenState = Literal["valid", "expired", "unknown"]

AUTH_CODE_TTL_SECONDS = 30.0  # settings/oauth/index.md: the code lives 30 seconds
REFRESH_TTL_SECONDS = 180 * 24 * 3600.0  # 180 days


def new_token() -> str:
    return secrets.token_hex(16)


def same_secret(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


@dataclass(frozen=True)
class Identity:
    """The caller a request is accounted to (operating time is tracked per app or webhook)."""

    kind: Literal["webhook", "app"]
    name: str  # "webhook:<user_id>" or "app:<client_id>"
    user_id: int
    client_id: str | None = None  # the OAuth application (apps only): event bindings are per app


@dataclass
class _Grant:
    client_id: str
    user_id: int
    expires_at: float = field(repr=False)


class OAuthError(Exception):
    """An answer of the token endpoint that is not a token pair."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(f"{code}: {description}")
        self.status = status
        self.code = code
        self.description = description


@dataclass(frozen=True)
class TokenRequest:
    """One call of the token endpoint, kept so tests can assert "refreshed exactly once"."""

    grant_type: str
    client_id: str
    ok: bool


class TokenStore:
    """Access tokens, refresh tokens and authorization codes of OAuth applications.

    Several applications may be registered (`add_client`); every token and code belongs to
    one of them, and the token endpoint exchanges a code or refresh token only for the
    application it was issued to.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        user_id: int,
        access_ttl: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self._clients: dict[str, str] = {client_id: client_secret}
        self._requests: list[TokenRequest] = []
        self.user_id = user_id
        self.access_ttl = access_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self._codes: dict[str, _Grant] = {}

    def __repr__(self) -> str:
        return f"TokenStore(client_id={self.client_id!r}, tokens={len(self._access)})"

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Register another OAuth application (its tokens and codes are its own)."""
        with self._lock:
            self._clients[client_id] = client_secret

    def knows_client(self, client_id: str) -> bool:
        return client_id in self._clients

    # --- issuing ----------------------------------------------------------------------------

    def issue(self, user_id: int | None = None, client_id: str | None = None, *, refresh: bool = True) -> dict[str, Any]:
        """A fresh token pair (or, with refresh=False, an access token alone) for an application."""
        now = self._clock()
        access, refresh_token = new_token(), new_token()
        user = self.user_id if user_id is None else user_id
        client = client_id or self.client_id
        with self._lock:
            self._access[access] = _Grant(client, user, now + self.access_ttl)
            if refresh:
                self._refresh[refresh_token] = _Grant(client, user, now + REFRESH_TTL_SECONDS)
        issued: dict[str, Any] = {
            "access_token": access,
            "refresh_token": refresh_token,
            "expires_in": int(self.access_ttl) if self.access_ttl >= 1 else self.access_ttl,
            "expires": int(now + self.access_ttl),
            "user_id": user,
        }
        if not refresh:
            del issued["refresh_token"]
        return issued

    def authorization_code(self, client_id: str | None = None, user_id: int | None = None) -> str:
        """A one-time code to exchange with grant_type=authorization_code (step 2 of the protocol)."""
        code = new_token()
        user = self.user_id if user_id is None else user_id
        with self._lock:
            self._codes[code] = _Grant(client_id or self.client_id, user, self._clock() + AUTH_CODE_TTL_SECONDS)
        return code

    def request_count(self, grant_type: str | None = None, client_id: str | None = None, ok: bool | None = None) -> int:
        """How many token-endpoint calls match (None matches anything)."""
        with self._lock:
            return sum(
                1
                for r in self._requests
                if (grant_type is None or r.grant_type == grant_type)
                and (client_id is None or r.client_id == client_id)
                and (ok is None or r.ok == ok)
            )

    def expire_all(self) -> None:
        """Make every access token expired, so a test can see the refresh path at once."""
        now = self._clock()
        with self._lock:
            for grant in self._access.values():
                grant.expires_at = min(grant.expires_at, now - 1)

    def revoke(self, client_id: str) -> None:
        """Invalidate every token and code of one application (it was uninstalled)."""
        with self._lock:
            for store in (self._access, self._refresh, self._codes):
                for token in [t for t, grant in store.items() if grant.client_id == client_id]:
                    del store[token]

    def clear(self) -> None:
        with self._lock:
            self._access.clear()
            self._refresh.clear()
            self._codes.clear()
            self._requests.clear()

    # --- checking ---------------------------------------------------------------------------

    def check_access(self, token: str | None) -> tuple[TokenState, _Grant | None]:
        if not token:
            return "unknown", None
        with self._lock:
            grant = self._access.get(token)
        if grant is None:
            return "unknown", None
        if grant.expires_at <= self._clock():
            return "expired", grant
        return "valid", grant

    # --- the token endpoint ------------------------------------------------------------------

    def token_endpoint(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Answer /oauth/token/ for grant_type authorization_code or refresh_token; every call
        is counted (`request_count`), failures included."""
        grant_type = _text(params.get("grant_type")) or ""
        client_id = _text(params.get("client_id")) or ""
        try:
            issued = self._exchange(grant_type, client_id, params)
        except OAuthError:
            self._count(grant_type, client_id, False)
            raise
        self._count(grant_type, client_id, True)
        return issued

    def _count(self, grant_type: str, client_id: str, ok: bool) -> None:
        with self._lock:
            self._requests.append(TokenRequest(grant_type, client_id, ok))

    def _exchange(self, grant_type: str, client_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError(400, "invalid_request", "grant_type must be authorization_code or refresh_token")
        secret = self._clients.get(client_id)
        if secret is None or not same_secret(_text(params.get("client_secret")), secret):
            raise OAuthError(401, "invalid_client", "wrong client_id or client_secret")
        store, key = (self._codes, "code") if grant_type == "authorization_code" else (self._refresh, "refresh_token")
        presented = _text(params.get(key))
        if not presented:
            raise OAuthError(400, "invalid_request", f"{key} is required")
        with self._lock:
            grant = store.get(presented)
            if grant is not None and grant.client_id == client_id:
                del store[presented]  # both codes and refresh tokens are single-use
            else:
                grant = None  # another application's code or token is not this one's to spend
        if grant is None or grant.expires_at <= self._clock():
            raise OAuthError(400, "invalid_grant", f"the {key} is not valid")
        return self.issue(grant.user_id, client_id)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
