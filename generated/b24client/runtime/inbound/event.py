"""An event the portal posted to our handler, decoded and proven to come from that portal.

Anyone can POST to a public handler URL, so an event is only worth acting on once its
`application_token` matches the one the portal gave the app at install
(api-reference/events/safe-event-handlers.md). `parse` does both steps and refuses the
event before any handler sees it; the comparison is constant-time so the token cannot be
guessed byte by byte from response timings.
"""

from __future__ import annotations

import datetime as _dt
import hmac
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..redact import mask
from .body import decode_body
from .errors import EventAuthError, ForgedEventError, InboundFormatError, UnknownPortalError

P = TypeVar("P")

#: `(member_id, domain) -> the application_token stored at install`, or None when unknown.
TokenLookup = Callable[[str, str], "str | None"]
#: Event name → payload type of `data`: a TypedDict (its required keys are checked), a callable
#: that builds the payload from the decoded `data` (raising ValueError/TypeError on bad data),
#: or a row with a `data_type` attribute holding either (b24client.events.EVENTS).
PayloadRegistry = Mapping[str, Any]

_AUTH_TEXT = ("domain", "member_id", "scope", "status", "client_endpoint", "server_endpoint")


@dataclass(frozen=True)
class EventAuth:
    """The `auth` block of an event (_includes/auth-params-in-events.md); tokens never shown."""

    domain: str
    member_id: str
    application_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_in: int | None = None
    scope: str = ""
    status: str = ""
    client_endpoint: str = ""
    server_endpoint: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return (
            f"EventAuth(domain={self.domain!r}, member_id={self.member_id!r}, "
            f"application_token={mask(self.application_token)}, access_token={mask(self.access_token)}, "
            f"refresh_token={mask(self.refresh_token)}, scope={self.scope!r}, status={self.status!r})"
        )

    def secrets(self) -> tuple[str | None, ...]:
        return (self.application_token, self.access_token, self.refresh_token)


@dataclass(frozen=True)
class Event(Generic[P]):
    """One event: `name` upper-case as the portal spells it, `data` typed by the registry."""

    name: str
    data: P
    ts: _dt.datetime
    auth: EventAuth
    handler_id: int | None = None
    #: False only when `parse` was told not to check the token (`application_token=None`).
    verified: bool = True

    def __repr__(self) -> str:
        return (
            f"Event(name={self.name!r}, handler_id={self.handler_id!r}, ts={self.ts.isoformat()!r}, "
            f"auth={self.auth!r}, verified={self.verified})"
        )


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _integer(value: Any) -> int | None:
    text = _text(value)
    return int(text) if text is not None and text.strip().lstrip("-").isdigit() else None


def read_auth(raw: Any, problems: list[str]) -> EventAuth | None:
    """The `auth` block, or None with the reasons added to `problems`."""
    if not isinstance(raw, Mapping):
        problems.append("auth: missing (an event always carries an auth block with application_token)")
        return None
    texts = {key: _text(raw.get(key)) or "" for key in _AUTH_TEXT}
    if not texts["member_id"] and not texts["domain"]:
        problems.append("auth: needs member_id or domain to tell which portal sent the event")
    known = {*_AUTH_TEXT, "application_token", "access_token", "refresh_token", "expires_in"}
    return EventAuth(
        application_token=_text(raw.get("application_token")) or "",
        access_token=_text(raw.get("access_token")) or None,
        refresh_token=_text(raw.get("refresh_token")) or None,
        expires_in=_integer(raw.get("expires_in")),
        extra={key: value for key, value in raw.items() if key not in known},
        **texts,
    )


def check_token(auth: EventAuth, application_token: str | TokenLookup) -> None:
    """Raise unless `auth.application_token` is the expected one (constant-time compare)."""
    if not auth.application_token:
        raise EventAuthError("auth[application_token] is missing; the event was not processed")
    expected = application_token if isinstance(application_token, str) else application_token(auth.member_id, auth.domain)
    if expected is None:
        raise UnknownPortalError(
            f"no application_token is stored for member_id={auth.member_id!r} "
            f"domain={auth.domain!r}; install the app there first (the event was not processed)"
        )
    if not hmac.compare_digest(auth.application_token.encode(), expected.encode()):
        raise ForgedEventError(
            f"auth[application_token] does not match the one stored for member_id={auth.member_id!r}; the event was not processed"
        )


def _required(raw: Any, hint: Any, total: bool) -> tuple[bool, Any]:
    """Whether a TypedDict key is required, and its type without the Required/NotRequired wrapper.

    Read from the annotations rather than `__required_keys__`, which Python 3.11 gets wrong
    for modules with `from __future__ import annotations` (as generated modules are); there
    `get_type_hints` also drops the wrapper, so the raw annotation's text decides."""
    origin = typing.get_origin(hint)
    if origin is typing.NotRequired:
        return False, typing.get_args(hint)[0]
    if origin is typing.Required:
        return True, typing.get_args(hint)[0]
    text = raw.__forward_arg__ if isinstance(raw, typing.ForwardRef) else raw if isinstance(raw, str) else ""
    text = text.removeprefix("typing.")
    if text.startswith("NotRequired["):
        return False, hint
    if text.startswith("Required["):
        return True, hint
    return total, hint


def _typed_problems(payload_type: Any, data: Any, where: str) -> list[str]:
    """Missing required keys of a TypedDict payload, nested TypedDicts included."""
    if not isinstance(data, Mapping):
        return [f"{where}: expected an object, got {type(data).__name__}"]
    problems: list[str] = []
    hints = typing.get_type_hints(payload_type, include_extras=True)
    for key, hint in sorted(hints.items()):
        raw = payload_type.__annotations__.get(key)
        required, inner = _required(raw, hint, getattr(payload_type, "__total__", True))
        if key not in data:
            if required:
                problems.append(f"{where}[{key}]: required by {payload_type.__name__}, missing")
        elif hasattr(inner, "__required_keys__"):
            problems += _typed_problems(inner, data[key], f"{where}[{key}]")
    return problems


def build_payload(name: str, data: Any, registry: PayloadRegistry | None) -> Any:
    entry = (registry or {}).get(name)
    payload_type = getattr(entry, "data_type", entry)  # b24client.events.EVENTS holds EventInfo rows
    if payload_type is None or payload_type is Any or typing.get_origin(payload_type) is not None:
        return data  # untyped, or an alias such as list[...]: nothing to check or build
    if hasattr(payload_type, "__required_keys__"):
        problems = _typed_problems(payload_type, data, "data")
        if problems:
            raise InboundFormatError(f"{name}: the payload does not fit {payload_type.__name__}", problems=problems)
        return data
    try:
        return payload_type(data)
    except (TypeError, ValueError) as exc:
        raise InboundFormatError(
            f"{name}: the payload does not fit {getattr(payload_type, '__name__', 'its type')}: {exc}"
        ) from None


def from_fields(
    fields: Mapping[str, Any], *, application_token: str | TokenLookup | None, registry: PayloadRegistry | None = None
) -> Event[Any]:
    """An `Event` from already-decoded fields (see `parse`)."""
    problems: list[str] = []
    name = (_text(fields.get("event")) or "").strip().upper()
    if not name:
        problems.append("event: missing (the event name, e.g. ONCRMDEALADD)")
    seconds = _integer(fields.get("ts"))
    if seconds is None:
        problems.append("ts: missing or not a Unix time in seconds")
    raw_handler = fields.get("event_handler_id")
    handler_id = _integer(raw_handler)
    if raw_handler not in (None, "") and handler_id is None:
        problems.append("event_handler_id: not an integer")
    auth = read_auth(fields.get("auth"), problems)
    if problems:
        raise InboundFormatError("not a Bitrix24 event", problems=problems)
    assert auth is not None and seconds is not None
    if application_token is not None:
        check_token(auth, application_token)
    data = build_payload(name, fields.get("data", {}), registry)
    ts = _dt.datetime.fromtimestamp(seconds, tz=_dt.UTC)
    return Event(name=name, data=data, ts=ts, auth=auth, handler_id=handler_id, verified=application_token is not None)


def parse(
    body: bytes, content_type: str | None, *, application_token: str | TokenLookup | None, registry: PayloadRegistry | None = None
) -> Event[Any]:
    """Decode an event body (PHP form or JSON) and check its `application_token`.

    `application_token` is the token stored at install, or a lookup `(member_id, domain) ->
    token` (a `TokenStore`'s `application_token`), or None to skip the check (only for the
    install event itself, whose token is not known yet: see install.py). Raises
    `InboundFormatError` (all problems at once), `EventAuthError` (missing token),
    `ForgedEventError` or `UnknownPortalError`; nothing is returned that was not verified.
    """
    return from_fields(decode_body(body, content_type), application_token=application_token, registry=registry)
