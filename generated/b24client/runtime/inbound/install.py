"""Installation: how an app learns a portal's tokens and keeps them in its `TokenStore`.

Three ways in, per settings/oauth/ and settings/app-installation/:

* the ONAPPINSTALL event (apps without an interface): an `auth` block with both tokens and
  the `application_token` that every later event must carry;
* the install page the portal opens in a frame (placement install form): a form POST with
  `AUTH_ID`, `REFRESH_ID`, `AUTH_EXPIRES`, `APPLICATION_TOKEN`, `member_id`, with `DOMAIN`
  in the query string;
* the full OAuth protocol: the user comes back with `?code=...&member_id=...`, and the code
  is exchanged at the authorization server (`grant_type=authorization_code`, 30 s to live).

The first two arrive from the internet unsigned, so before storing anything the installer
asks the named portal (`app.info`, with the access token just received) whether the token is
real, requires that portal to be the one the payload names, and refuses to let an install
re-point a stored member_id at another domain. The code exchange goes only to the configured
authorization server, which is the one trusted party.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from ..auth import DEFAULT_TOKEN_URL, require_secure, token_request
from ..exceptions import Bitrix24Error
from ..phpquery import decode
from ..redact import guard_library_logs, redact
from .body import decode_body
from .errors import InboundFormatError, InstallError
from .event import Event
from .tokens import PortalTokens, TokenStore, normalize_domain

log = logging.getLogger("b24client.inbound")


def _text(fields: Mapping[str, Any], key: str) -> str:
    value = fields.get(key)
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _expires_at(value: Any, now: float) -> float | None:
    text = str(value).strip() if value is not None else ""
    return now + float(text) if text.isdigit() else None


def _require(fields: Mapping[str, Any], names: tuple[str, ...], where: str) -> None:
    missing = [name for name in names if not _text(fields, name)]
    if missing:
        raise InboundFormatError(f"{where}: not an install callback", problems=[f"{name}: missing" for name in missing])


def tokens_from_install_event(event: Event[Any]) -> PortalTokens:
    """The installation an ONAPPINSTALL event carries (tokens and application_token)."""
    if event.name != "ONAPPINSTALL":
        raise InboundFormatError(f"{event.name}: only ONAPPINSTALL carries an installation")
    auth = event.auth
    fields = {
        "access_token": auth.access_token,
        "refresh_token": auth.refresh_token,
        "application_token": auth.application_token,
        "member_id": auth.member_id,
        "domain": auth.domain,
    }
    _require(fields, tuple(fields), "ONAPPINSTALL auth")
    assert auth.access_token is not None
    return PortalTokens(
        member_id=auth.member_id,
        domain=normalize_domain(auth.domain),
        access_token=auth.access_token,
        refresh_token=auth.refresh_token,
        application_token=auth.application_token,
        expires_at=_expires_at(auth.expires_in, time.time()),
        client_endpoint=auth.client_endpoint,
        server_endpoint=auth.server_endpoint,
        scope=auth.scope,
        status=auth.status,
    )


def parse_install_form(body: bytes, content_type: str | None, query: str = "") -> PortalTokens:
    """The installation a placement install form carries (`DOMAIN` and `PROTOCOL` come in the query)."""
    fields = {**decode(query), **decode_body(body, content_type)}
    _require(fields, ("AUTH_ID", "REFRESH_ID", "member_id", "DOMAIN"), "install form")
    domain = normalize_domain(_text(fields, "DOMAIN"))
    scheme = "http" if _text(fields, "PROTOCOL") == "0" else "https"
    return PortalTokens(
        member_id=_text(fields, "member_id"),
        domain=domain,
        access_token=_text(fields, "AUTH_ID"),
        refresh_token=_text(fields, "REFRESH_ID"),
        application_token=_text(fields, "APPLICATION_TOKEN") or None,
        expires_at=_expires_at(fields.get("AUTH_EXPIRES"), time.time()),
        client_endpoint=f"{scheme}://{domain}/rest/",
        server_endpoint=_text(fields, "SERVER_ENDPOINT"),
        scope=_text(fields, "APPLICATION_SCOPE"),
        status=_text(fields, "status"),
    )


class Installer:
    """Verifies installations and keeps them in `store`.

    `token_url` is the authorization server's token endpoint (oauth.bitrix.info by default;
    the emulator's `/oauth/token/` in tests). `verify=False` skips the app.info check, for
    portals that cannot be reached from where the installer runs; the domain rules stay.
    `app_code` (app.info's CODE for this app) also requires the token to be this app's,
    not another app's on the same portal.
    """

    def __init__(
        self,
        store: TokenStore,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = DEFAULT_TOKEN_URL,
        verify: bool = True,
        app_code: str | None = None,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (3.05, 15.0),
    ) -> None:
        require_secure(token_url, "token_url")
        self.store = store
        self.client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self.verify = verify
        self.app_code = app_code
        self.session = session or requests.Session()
        self.timeout = timeout
        guard_library_logs(self)  # urllib3 logs the token request's URL, client_secret and code in it

    def secrets(self) -> tuple[str | None, ...]:
        return (self._client_secret,)

    def __repr__(self) -> str:
        return f"Installer(store={self.store!r}, client_id={self.client_id!r}, token_url={self.token_url!r})"

    def _secrets(self, tokens: PortalTokens | None = None) -> tuple[str | None, ...]:
        held = (tokens.access_token, tokens.refresh_token, tokens.application_token) if tokens else ()
        return (self._client_secret, *held)

    def _check_origin(self, tokens: PortalTokens) -> None:
        """The payload's REST address must be its own domain, and a stored portal keeps its domain."""
        endpoint = urlsplit(tokens.client_endpoint or f"https://{tokens.domain}/rest/")
        if normalize_domain(endpoint.netloc) != normalize_domain(tokens.domain):
            raise InstallError(f"install for domain={tokens.domain!r} names another REST address {endpoint.netloc!r}; refused")
        try:
            require_secure(tokens.portal_url, "the portal's client_endpoint")
        except ValueError as exc:
            raise InstallError(str(exc)) from None
        stored = self.store.get(tokens.member_id)
        if stored is not None and normalize_domain(stored.domain) != normalize_domain(tokens.domain):
            raise InstallError(
                f"member_id={tokens.member_id!r} is installed on {stored.domain!r}; an install from "
                f"{tokens.domain!r} may not replace it (delete the stored portal first)"
            )

    def _check_token(self, tokens: PortalTokens) -> None:
        """Ask the portal itself whether the access token is one it issued to an app."""
        url = f"{tokens.portal_url}/rest/app.info"
        try:
            reply = self.session.post(url, data={"auth": tokens.access_token}, timeout=self.timeout, allow_redirects=False)
            payload = reply.json()
        except (requests.RequestException, ValueError) as exc:
            reason = redact(f"{type(exc).__name__}: {exc}", self._secrets(tokens))
            raise InstallError(f"could not verify the install with {tokens.domain}: {reason}") from None
        if reply.status_code != 200 or not isinstance(payload, dict) or "result" not in payload:
            code = payload.get("error") if isinstance(payload, dict) else None
            raise InstallError(
                f"{tokens.domain} did not accept the install's access token "
                f"(HTTP {reply.status_code}, {code or 'no result'}); refused"
            )
        result = payload["result"]
        found = result.get("CODE") if isinstance(result, dict) else None
        if self.app_code is not None and found != self.app_code:
            raise InstallError(f"the install's access token belongs to app {found!r}, not {self.app_code!r}; refused")

    def accept(self, tokens: PortalTokens) -> PortalTokens:
        """Verify an installation from an event or an install form, then store it."""
        self._check_origin(tokens)
        if self.verify:
            self._check_token(tokens)
        with self.store.lock(tokens.member_id):
            self.store.save(tokens)
        log.info("installed on %s (member_id=%s)", tokens.domain, tokens.member_id)
        return tokens

    def install_event(self, event: Event[Any]) -> PortalTokens:
        return self.accept(tokens_from_install_event(event))

    def install_form(self, body: bytes, content_type: str | None, query: str = "") -> PortalTokens:
        return self.accept(parse_install_form(body, content_type, query))

    def authorize(self, query: str | Mapping[str, Any], *, state: str | None = None) -> PortalTokens:
        """Finish the full OAuth protocol: exchange the `code` of the redirect back to the app.

        `state` is the value the app put into the authorization URL; the redirect must echo it
        (else someone else's code could be planted on this user). The stored application_token
        of the portal, if any, is kept: the code exchange does not carry one."""
        fields = decode(query) if isinstance(query, str) else dict(query)
        _require(fields, ("code",), "authorization redirect")
        if state is not None and not hmac.compare_digest(_text(fields, "state").encode(), state.encode()):
            raise InstallError("the redirect's state does not match the one sent; refused")
        params = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "code": _text(fields, "code"),
        }
        reply = token_request(self.session, self.token_url, params, self.timeout, (*self._secrets(), params["code"]))
        if isinstance(reply, Bitrix24Error):
            raise reply
        member_id = str(reply.get("member_id") or _text(fields, "member_id"))
        endpoint = str(reply.get("client_endpoint") or "")
        domain = normalize_domain(endpoint) if endpoint else normalize_domain(_text(fields, "domain"))
        if not member_id or not domain:
            raise InstallError("the authorization server's reply names no member_id or client_endpoint")
        with self.store.lock(member_id):
            stored = self.store.get(member_id)
            base = stored or PortalTokens(member_id=member_id, domain=domain, access_token="")
            tokens = base.replace(domain=domain).rotated(reply)
            self.store.save(tokens)
        log.info("authorized on %s (member_id=%s)", domain, member_id)
        return tokens
