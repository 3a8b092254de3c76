"""Where a call goes and how it proves who it is: webhook URLs and OAuth tokens.

OAuth access tokens expire hourly. Under many threads, one expiry would otherwise trigger
one refresh per thread, and the portal invalidates a refresh token once used, so all
but the first refresh would fail; a lock plus a check of which token the failing call
used makes exactly one thread refresh while the others reuse its result.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from .exceptions import AuthenticationError, Bitrix24Error, TokenCallbackWarning, TransportError
from .redact import mask, redact, redact_url_shapes

log = logging.getLogger("b24client")

DEFAULT_TOKEN_URL = "https://oauth.bitrix.info/oauth/token/"  # noqa: S105 - a public address
TokenCallback = Callable[[dict[str, Any]], None]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    import ipaddress  # only for hosts that are not "localhost"

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_secure(url: str, what: str) -> None:
    """Refuse plain HTTP except on loopback, where the emulator and local tests live."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and _is_loopback(parts.hostname or ""):
        return
    raise ValueError(f"{what} must use https:// (plain http is allowed only for loopback hosts)")


def token_request(
    session: requests.Session, token_url: str, params: dict[str, Any], timeout: Any, secrets: tuple[str | None, ...]
) -> dict[str, Any] | Bitrix24Error:
    """One request to the authorization server (refresh or code exchange): the reply with an
    `access_token`, or the error to raise (secrets masked; redirects never followed)."""
    what = "token refresh" if params.get("grant_type") == "refresh_token" else "code exchange"
    try:
        reply = session.get(token_url, params=params, timeout=timeout, allow_redirects=False)
        tokens = reply.json()
    except (requests.RequestException, ValueError, RecursionError) as exc:
        return TransportError("oauth.token", redact_url_shapes(redact(f"{what} failed: {exc}", secrets)), sent=None)
    if not isinstance(tokens, dict) or not isinstance(tokens.get("access_token"), str):
        code = str(tokens.get("error", "")) if isinstance(tokens, dict) else ""
        described = str(tokens.get("error_description", "")) if isinstance(tokens, dict) else ""
        return AuthenticationError(
            "oauth.token", code or "invalid_grant", reply.status_code, redact(described or f"{what} refused", secrets)
        )
    return tokens


class Auth(Protocol):
    def url_for(self, method: str, api_version: int) -> str: ...
    def body_auth(self) -> str | None: ...
    def secrets(self) -> tuple[str | None, ...]: ...


class WebhookAuth:
    """An inbound webhook: https://<portal>/rest/<user_id>/<token>/"""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        segments = [segment for segment in parts.path.split("/") if segment]
        if len(segments) < 3 or segments[-3] != "rest":
            raise ValueError("webhook must look like https://<portal>/rest/<user_id>/<token>/")
        require_secure(url, "webhook")
        self._prefix = f"{parts.scheme}://{parts.netloc}/{'/'.join(segments[:-3])}".rstrip("/")
        self.user_id = segments[-2]
        self._token = segments[-1]
        self.portal = f"{parts.scheme}://{parts.netloc}"

    def url_for(self, method: str, api_version: int) -> str:
        api = "api/" if api_version == 3 else ""
        return f"{self._prefix}/rest/{api}{self.user_id}/{self._token}/{method}"

    def body_auth(self) -> None:
        return None

    def secrets(self) -> tuple[str | None, ...]:
        return (self._token,)

    def __repr__(self) -> str:
        return f"WebhookAuth(portal={self.portal!r}, user_id={self.user_id!r}, token={mask(self._token)})"


class OAuthAuth:
    """An application's OAuth 2.0 tokens, refreshed once per expiry however many threads call."""

    def __init__(
        self,
        domain: str,
        access_token: str,
        refresh_token: str | None = None,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        on_token_refresh: TokenCallback | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
    ) -> None:
        self.portal = domain.rstrip("/") if "://" in domain else f"https://{domain.rstrip('/')}"
        require_secure(self.portal, "domain")
        require_secure(token_url, "token_url")
        self.access_token = access_token
        self.refresh_token = refresh_token
        self.client_id = client_id
        self._client_secret = client_secret
        self._on_token_refresh = on_token_refresh
        self.token_url = token_url
        self._lock = threading.Lock()
        self._refused: tuple[str, AuthenticationError] | None = None
        self._last_tokens: dict[str, Any] = {}
        self.refresh_count = 0

    def url_for(self, method: str, api_version: int) -> str:
        api = "api/" if api_version == 3 else ""
        return f"{self.portal}/rest/{api}{method}"

    def body_auth(self) -> str:
        return self.access_token

    def secrets(self) -> tuple[str | None, ...]:
        return (self.access_token, self.refresh_token, self._client_secret)

    @property
    def can_refresh(self) -> bool:
        return bool(self.refresh_token and self.client_id and self._client_secret)

    def refresh(self, session: requests.Session, stale_token: str, timeout: Any) -> None:
        """Replace `stale_token`; a no-op when another thread already did.

        A refused refresh is remembered for the token it tried to replace: the threads that
        waited on the lock get the same error instead of each asking again (the grant stays
        refused until someone supplies new tokens).
        """
        with self._lock:
            if self.access_token != stale_token:
                return
            if self._refused is not None and self._refused[0] == stale_token:
                refused = self._refused[1]
                raise AuthenticationError(refused.method, refused.code, refused.status, refused.description)
            with self._exclusive():
                if self._adopt_newer(stale_token):
                    return
                failure = self._exchange(session, timeout)
                if isinstance(failure, AuthenticationError):
                    self._refused = (stale_token, failure)
                if failure is not None:  # raised here, outside any handler: no library exception as context
                    raise failure
                self.refresh_count += 1
                self._report_rotation()

    # Hooks for tokens shared between processes (runtime/inbound/shared.py): the thread lock
    # above makes one thread per process refresh; these make one process per portal do it.

    def _exclusive(self) -> AbstractContextManager[object]:
        """Held around adopt-or-exchange-and-report; only this process's lock by default."""
        return nullcontext()

    def _adopt_newer(self, stale_token: str) -> bool:
        """Take tokens someone else already rotated instead of refreshing again; none by default."""
        return False

    def _exchange(self, session: requests.Session, timeout: Any) -> Bitrix24Error | None:
        """One request to the token URL; on success the new tokens are in place."""
        params = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": self.refresh_token,
        }
        tokens = token_request(session, self.token_url, params, timeout, self.secrets())
        if isinstance(tokens, Bitrix24Error):
            return tokens
        self.access_token = tokens["access_token"]
        refresh_token = tokens.get("refresh_token")
        self.refresh_token = refresh_token if isinstance(refresh_token, str) else self.refresh_token
        self._last_tokens = dict(tokens)
        return None

    def _report_rotation(self) -> None:
        """Hand the new tokens to `on_token_refresh`. If it fails the tokens are rotated all
        the same (the old refresh token is spent), so the call goes on and the failure is
        logged and warned about rather than thrown away with the call."""
        if self._on_token_refresh is None:
            return
        try:
            self._on_token_refresh(dict(self._last_tokens))
        except Exception as exc:
            what = redact(f"{type(exc).__name__}: {exc}", self.secrets())
            log.error(
                "on_token_refresh failed (%s); the tokens were rotated anyway and are in use: store them some other way", what
            )
            warnings.warn(
                f"on_token_refresh failed ({what}); the tokens were rotated anyway and are in use",
                TokenCallbackWarning,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(portal={self.portal!r}, client_id={self.client_id!r}, "
            f"access_token={mask(self.access_token)}, refresh_token={mask(self.refresh_token)}, "
            f"client_secret={mask(self._client_secret)})"
        )
