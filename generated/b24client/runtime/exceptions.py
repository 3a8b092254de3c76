"""The exception hierarchy every b24client error fits into.

Callers branch on intent (retry later, re-authenticate, fix the input), so the bases
here are categories; b24client.errors adds one generated subclass per documented error
code under the matching category. No message here ever contains a token or secret:
messages are built from the method name, codes and the portal's own description.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from .validate import Problem


class Bitrix24Error(Exception):
    """Base of every error raised by b24client."""


class ValidationError(Bitrix24Error, ValueError):
    """The parameters break the method's spec; nothing was sent."""

    def __init__(self, method: str, problems: Sequence[Problem], keywords: Mapping[str, str] | None = None) -> None:
        """`keywords` (a typed call's keyword argument → wire name, the spec's `kwargs`) names each
        problem in the caller's words too: a call that wrote `entity_id=` would not find its line
        by `entityId` alone. Inverted here, on the error path, not on every call."""
        self.method = method
        self.problems = list(problems)
        by_wire = {wire: kwarg for kwarg, wire in (keywords or {}).items()}
        lines = "\n".join(
            f"  - {_shown(problem.path, by_wire)}: {problem.message} [rule: {problem.rule}]" for problem in self.problems
        )
        count = len(self.problems)
        super().__init__(f"{method}: {count} invalid parameter{'s' if count != 1 else ''}:\n{lines}")


def _shown(path: str, keywords: Mapping[str, str]) -> str:
    """`entityId.x` as `entity_id (entityId.x)` when the caller wrote `entity_id=`."""
    head = re.split(r"[.\[]", path, maxsplit=1)[0]
    keyword = keywords.get(head)
    if keyword and keyword != head:
        return f"{keyword} ({path})"
    return path or "(parameters)"


class UnknownParameterWarning(UserWarning):
    """A call carries parameters the method's spec does not document; they were sent as given.

    The portal ignores names it does not know, and the docs' tables are not complete, so
    this is a warning, not an error. Turn it into one with `Bitrix24(..., strict=True)`, or
    with `warnings.simplefilter("error", UnknownParameterWarning)`.
    """


class TransportError(Bitrix24Error):
    """No usable HTTP response arrived."""

    def __init__(self, method: str, message: str, *, sent: bool | None = None) -> None:
        self.method = method
        #: What went wrong, without the method name (secrets already removed).
        self.reason = message
        #: False when the request surely never reached the portal, None when unknown.
        self.sent = sent
        super().__init__(f"{method}: {message}")


class OutcomeUnknownError(TransportError):
    """A call that changes state failed after the request may have reached the portal.

    It is never retried automatically: repeating an add or a pay could do it twice.
    Check the portal's state before trying again.
    """


class ResponseFormatError(Bitrix24Error):
    """The portal answered with something that is not a Bitrix24 JSON reply (HTML page, cut JSON)."""

    def __init__(self, method: str, status: int, snippet: str) -> None:
        self.method = method
        self.status = status
        self.snippet = snippet
        super().__init__(f"{method}: HTTP {status} with a body that is not Bitrix24 JSON: {snippet!r}")


class ReplyTooLargeError(ResponseFormatError):
    """The reply grew past the client's cap (`max_reply_bytes`); reading stopped there."""

    def __init__(self, method: str, status: int, limit: int) -> None:
        super().__init__(method, status, "")
        self.limit = limit
        self.args = (f"{method}: HTTP {status} with a reply larger than {limit} bytes; reading stopped",)


class RedirectError(Bitrix24Error):
    """The portal answered with a redirect, which is never followed.

    Following it would send the credentials (webhook path, OAuth token in the body) to the
    place it names, and a 301/302 would turn a write into a GET. Bitrix24 does not redirect
    REST calls, so this means a wrong or moved portal address, or something in between.
    """

    def __init__(self, method: str, status: int, location: str) -> None:
        self.method = method
        self.status = status
        self.location = location  # secrets masked
        super().__init__(
            f"{method}: HTTP {status} redirect to {location or '(no Location)'} was not followed; check the portal address"
        )


class TokenCallbackWarning(UserWarning):
    """`on_token_refresh` raised. The tokens were rotated anyway and the call went on with
    the new ones; the old refresh token no longer works, so whatever the callback failed to
    store must be saved some other way before the process ends."""


class ApiError(Bitrix24Error):
    """The portal refused the call with an error code."""

    #: The documented code this class stands for (generated subclasses set it).
    code_name: ClassVar[str | None] = None

    def __init__(
        self,
        method: str,
        code: str,
        status: int,
        description: str,
        response: dict[str, Any] | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.method = method
        self.code = code
        self.status = status
        self.description = description
        self.response = response
        #: Our guess at what was meant (a known method near a name the portal does not know).
        self.hint = hint
        super().__init__(f"{method}: {code or '(no code)'} (HTTP {status}): {description}" + (f" ({hint})" if hint else ""))


class AuthenticationError(ApiError):
    """Credentials are wrong or expired."""


class PermissionDeniedError(ApiError):
    """The caller is known but may not do this."""


class NotFoundError(ApiError):
    """The method or the record does not exist."""


class InvalidRequestError(ApiError):
    """The portal rejected the parameters or the request shape."""


class ConflictError(ApiError):
    """The record already exists or is in a state that forbids the change."""


class RateLimitError(ApiError):
    """A portal limit was hit; the call did not run and may be repeated later."""


class ServerError(ApiError):
    """The portal failed; whether a state-changing call took effect is unknown."""


class ServiceUnavailableError(ApiError):
    """The portal is closed or blocked for REST."""


CATEGORY_BASES: dict[str, type[ApiError]] = {
    "auth": AuthenticationError,
    "permission": PermissionDeniedError,
    "not_found": NotFoundError,
    "invalid": InvalidRequestError,
    "conflict": ConflictError,
    "rate_limit": RateLimitError,
    "server": ServerError,
    "unavailable": ServiceUnavailableError,
}

#: The error classes of this module that `b24client.errors` re-exports: the one list codegen
#: renders that module's imports and `__all__` from, and the names no generated error class
#: may take (it would shadow the runtime's class in `b24client.errors`).
PUBLIC_ERRORS: tuple[type[Bitrix24Error], ...] = (
    Bitrix24Error,
    ValidationError,
    TransportError,
    OutcomeUnknownError,
    ResponseFormatError,
    RedirectError,
    ReplyTooLargeError,
    ApiError,
    *CATEGORY_BASES.values(),
)


def category_for_status(status: int) -> str | None:
    """The category an undocumented error falls into, judged by its HTTP status alone."""
    if status == 401:
        return "auth"
    if status == 403:
        return "permission"
    if status == 404:
        return "not_found"
    if status == 429:
        return "rate_limit"
    if status >= 500:
        return "server"
    if status >= 400:
        return "invalid"
    return None
