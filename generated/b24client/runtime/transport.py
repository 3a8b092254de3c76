"""One HTTP exchange with the portal, and an honest account of how it failed.

Retrying a state-changing call is only safe when the request surely never reached the
portal, so every failure is classified here: `sent=False` (connection refused, connect
timeout, TLS handshake) versus `sent=None` (reset or timeout after the bytes left).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any, Protocol

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .auth import Auth
from .encoding import with_auth
from .exceptions import Bitrix24Error, RedirectError, ReplyTooLargeError, ResponseFormatError, TransportError
from .redact import guard_library_logs, redact, redact_url_shapes

log = logging.getLogger("b24client")
Timeout = float | tuple[float, float]
DEFAULT_MAX_REPLY_BYTES = 32 * 2**20  # a page of 50 records is a few hundred KB, a batch of 50 pages a few MB
_CHUNK = 64 * 1024
HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "b24client/0.1"}


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
    """A session whose pool makes threads beyond `pool_size` wait for a connection instead of
    opening extra ones that urllib3 then discards with a "Connection pool is full" warning."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0, pool_block=True)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# One decoder for every reply: `json.loads(raw, parse_constant=...)` builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def json_object(method: str, status: int, raw: bytes, auth: Auth) -> dict[str, Any]:
    """A reply's body as the JSON object the portal must send; anything else is a
    ResponseFormatError quoting (redacted) its start. Shared by the sync and async transports."""
    try:
        # The encoding as json.loads finds it (UTF-8, or UTF-16/32 by the first bytes).
        payload = _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
    except (ValueError, RecursionError):
        payload = None
    if not isinstance(payload, dict):
        snippet = redact(raw[:120].decode("utf-8", "replace"), auth.secrets())
        raise ResponseFormatError(method, status, snippet)
    return payload


class ReplyBody:
    """A reply's body as it arrives, held to the transport's limits: shared by the sync and
    async transports so both refuse the same redirects, sizes and drips."""

    def __init__(self, method: str, status: int, limits: _Limits, started: float) -> None:
        self.method = method
        self.status = status
        self.limits = limits
        self.deadline = started + limits.attempt_timeout
        self.chunks: list[bytes] = []
        self.size = 0
        self.failure: Bitrix24Error | None = None

    def check_head(self, location: str, declared_length: str) -> None:
        """Refuse a redirect (its target redacted) or a declared size over the cap, before reading."""
        if 300 <= self.status < 400:
            location = redact_url_shapes(redact(location, self.limits.auth.secrets()))
            raise RedirectError(self.method, self.status, location)
        if declared_length.isdigit() and int(declared_length) > self.limits.max_reply_bytes:
            raise ReplyTooLargeError(self.method, self.status, self.limits.max_reply_bytes)

    def take(self, chunk: bytes) -> bool:
        """Keep a chunk; False (and `failure` set) once the size cap or the attempt's deadline is passed."""
        self.size += len(chunk)
        if self.size > self.limits.max_reply_bytes:
            self.failure = ReplyTooLargeError(self.method, self.status, self.limits.max_reply_bytes)
        elif time.perf_counter() > self.deadline:
            timeout = self.limits.attempt_timeout
            self.failure = TransportError(self.method, f"the reply took longer than {timeout:g}s", sent=None)
        else:
            self.chunks.append(chunk)
        return self.failure is None

    def whole(self) -> bytes:
        """The body, or the failure that stopped it (raised)."""
        if self.failure is not None:
            raise self.failure
        return b"".join(self.chunks)


class _Limits(Protocol):
    auth: Auth
    max_reply_bytes: int
    attempt_timeout: float


def whole_seconds(timeout: Timeout) -> float:
    return float(sum(timeout)) if isinstance(timeout, tuple) else 2 * float(timeout)


class Transport:
    """`max_reply_bytes` caps a reply (decoded); `attempt_timeout` bounds one exchange from
    the request to the reply's last byte (default: connect plus read timeout), since a
    read timeout alone only bounds the gap between two bytes."""

    def __init__(
        self,
        auth: Auth,
        *,
        timeout: Timeout = (3.05, 60.0),
        session: requests.Session | None = None,
        pool_size: int = 16,
        max_reply_bytes: int = DEFAULT_MAX_REPLY_BYTES,
        attempt_timeout: float | None = None,
    ) -> None:
        self.auth = auth
        self.timeout = timeout
        self.session = session or make_session(pool_size)
        self.max_reply_bytes = max_reply_bytes
        self.attempt_timeout = attempt_timeout if attempt_timeout is not None else whole_seconds(timeout)
        self._environments: dict[tuple[Any, ...], dict[str, Any]] = {}
        guard_library_logs(auth)

    def _environment(self, url: str) -> dict[str, Any]:
        """What `Session.request` would merge from the environment (proxies, CA bundle) and
        the session, resolved once per portal origin rather than on every call.

        requests re-reads every environment variable twice per request to pick a proxy,
        about a tenth of a call to a nearby portal. Like httpx (which reads them when a
        client is made), a change to the process environment after the first call to a host
        is not seen; a change to the session's own proxies, verify, cert or trust_env is.
        """
        session = self.session
        origin = url.split("/", 3)[:3]
        key = (*origin, session.trust_env, session.verify, session.cert, *session.proxies.items())
        settings = self._environments.get(key)
        if settings is None:
            if len(self._environments) >= 64:  # hosts come from one portal; a bound all the same
                self._environments.clear()
            settings = self._environments[key] = dict(session.merge_environment_settings(url, {}, True, None, None))
        return settings

    def send(
        self, method: str, api_version: int, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        """POST one call (`body` as `encode_params` made it); return the status and the JSON object."""
        token = self.auth.body_auth()
        data = with_auth(body, token) if token else body
        started = time.perf_counter()
        failure: Bitrix24Error | None = None
        try:
            # Session.post, with its environment lookup done once per origin (_environment).
            url = self.auth.url_for(method, api_version)
            request = requests.Request("POST", url, data=data, headers={**HEADERS, **(headers or {})})
            prepared = self.session.prepare_request(request)
            settings = self._environment(prepared.url or url)
            reply = self.session.send(prepared, timeout=self.timeout, allow_redirects=False, **settings)
        except requests.RequestException as exc:
            failure = self._failed(method, exc, False if _never_sent(exc) else None)
        if failure is not None:  # raised out here, so no library exception (URL and all) is its context
            raise failure
        try:
            status, raw = self._read(method, reply, started)
        finally:
            reply.close()
        log.debug("%s -> HTTP %s in %.3fs", method, status, time.perf_counter() - started)
        return status, json_object(method, status, raw, self.auth)

    def _read(self, method: str, reply: requests.Response, started: float) -> tuple[int, bytes]:
        body = ReplyBody(method, reply.status_code, self, started)
        body.check_head(reply.headers.get("Location", ""), reply.headers.get("Content-Length", ""))
        raw = reply.raw
        read = getattr(raw, "read1", None) or raw.read  # read1 returns what has come: a drip cannot hold it
        failure: Bitrix24Error | None = None
        try:
            while (chunk := read(_CHUNK, decode_content=True)) and body.take(chunk):
                pass
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            failure = self._failed(method, exc, None)
        if failure is not None:
            raise failure
        return reply.status_code, body.whole()

    def _failed(self, method: str, exc: Exception, sent: bool | None) -> TransportError:
        reason = redact_url_shapes(redact(f"{type(exc).__name__}: {exc}", self.auth.secrets()))
        log.debug("%s failed before a reply (sent=%s): %s", method, sent, reason)
        return TransportError(method, reason, sent=sent)

    def close(self) -> None:
        self.session.close()
