"""What can go wrong with a request the portal (or someone pretending to be it) sends us.

Inbound errors carry the HTTP status an endpoint should answer with, so the ASGI and WSGI
apps and any framework adapter refuse a request the same way: 400 for a body we cannot
read, 401 for a missing token, 403 for a token that does not match. Messages name the
field and the rule, never a token's value.
"""

from __future__ import annotations

from ..exceptions import Bitrix24Error


class InboundError(Bitrix24Error):
    """A request from the portal that is refused; `status` is the answer to give."""

    status = 400

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message if problems is None else f"{message}: " + "; ".join(self.problems))


class InboundFormatError(InboundError):
    """The body is not what the portal sends: wrong encoding, missing or malformed fields."""


class EventAuthError(InboundError):
    """The request cannot prove it comes from the portal the app was installed on.

    Nothing was dispatched. 401 when the `application_token` is absent, 403 when it does not
    match the one stored at install (or no portal with that member_id/domain is known)."""

    status = 401


class ForgedEventError(EventAuthError):
    """An `application_token` was given and is wrong: a forgery or another app's event."""

    status = 403


class UnknownPortalError(EventAuthError):
    """No token is stored for the event's member_id or domain: the app is not installed there."""

    status = 403


class InstallError(InboundError):
    """An install callback or an authorization-code exchange that could not be completed."""

    status = 403
