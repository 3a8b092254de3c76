"""One HTTP exchange with the portal, and an honest account of how it failed.

Retrying a state-changing call is only safe when the request surely never reached the
portal, so every failure is classified here: `sent=False` (connection refused, connect
timeout, TLS handshake) versus `sent=None` (reset or timeout after the bytes left).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .auth import Auth
from .encoding import encode_json
from .exceptions import ResponseFormatError, TransportError
from .redact import redact

log = logging.getLogger("b24client")
Timeout = float | tuple[float, float]
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "b24client/0.1"}


def _never_sent(exc: BaseException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.SSLError):
        return True
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, urllib3.exceptions.NewConnectionError | ConnectionRefusedError):
            return True
        pending += [getattr(current, "reason", None), current.__cause__, current.__context__]
        pending += [arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException)]
    return False


def make_session(pool_size: int) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class Transport:
    def __init__(self, auth: Auth, *, timeout: Timeout = (3.05, 60.0), session: requests.Session | None = None,
                 pool_size: int = 16) -> None:
        self.auth = auth
        self.timeout = timeout
        self.session = session or make_session(pool_size)

    def send(self, method: str, api_version: int, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST one call; return the HTTP status and the decoded JSON object."""
        token = self.auth.body_auth()
        body = {**params, "auth": token} if token else params
        started = time.perf_counter()
        try:
            reply = self.session.post(self.auth.url_for(method, api_version), data=encode_json(body),
                                      headers=_HEADERS, timeout=self.timeout)
        except requests.RequestException as exc:
            sent = False if _never_sent(exc) else None
            reason = redact(f"{type(exc).__name__}: {exc}", self.auth.secrets())
            log.debug("%s failed before a reply (sent=%s): %s", method, sent, reason)
            raise TransportError(method, reason, sent=sent) from None
        log.debug("%s -> HTTP %s in %.3fs", method, reply.status_code, time.perf_counter() - started)
        try:
            payload = reply.json()
        except ValueError:
            payload = None
        if not isinstance(payload, dict):
            snippet = redact(reply.text[:120], self.auth.secrets())
            raise ResponseFormatError(method, reply.status_code, snippet)
        return reply.status_code, payload

    def close(self) -> None:
        self.session.close()
