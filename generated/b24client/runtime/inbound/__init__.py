"""The receiving side of a Bitrix24 app: events, installation and tokens, pay-system calls.

Everything the portal sends to an app arrives here: `parse` decodes and verifies an event,
`EventRouter` with `WSGIEventApp`/`ASGIEventApp` serves an event endpoint, `Installer`
stores what installation brings into a `TokenStore` (`FileTokenStore`, `RedisTokenStore`),
`portal_client` (`async_portal_client`) calls a stored portal with its tokens refreshed once
across processes,
`drain_offline` pulls queued events, and `parse_checkout_request`/`checkout_reply` serve a
pay system's ACTION_URI. See docs/inbound.md. b24client.events re-exports this with the
typed payloads of every documented event.
"""

from .adapters import django_view, flask_view
from .asgi import ASGIEventApp
from .errors import EventAuthError, ForgedEventError, InboundError, InboundFormatError, InstallError, UnknownPortalError
from .event import Event, EventAuth, PayloadRegistry, TokenLookup, parse
from .filestore import FileTokenStore
from .install import Installer, parse_install_form, tokens_from_install_event
from .offline import DrainReport, OfflineEvent, bound, drain_offline, ensure_bound
from .paysystem import (
    CheckoutReply,
    CheckoutRequest,
    FormRequest,
    checkout_errors,
    checkout_reply,
    parse_checkout_request,
    parse_form_request,
)
from .redisstore import RedisTokenStore
from .router import EventRouter
from .shared import StoredOAuthAuth, async_portal_client, portal_client, stored_auth
from .tokens import MemoryTokenStore, PortalTokens, TokenStore, application_token_lookup, find
from .wsgi import WSGIEventApp

__all__ = [
    "ASGIEventApp",
    "CheckoutReply",
    "CheckoutRequest",
    "DrainReport",
    "Event",
    "EventAuth",
    "EventAuthError",
    "EventRouter",
    "FileTokenStore",
    "ForgedEventError",
    "FormRequest",
    "InboundError",
    "InboundFormatError",
    "InstallError",
    "Installer",
    "MemoryTokenStore",
    "OfflineEvent",
    "PayloadRegistry",
    "PortalTokens",
    "RedisTokenStore",
    "StoredOAuthAuth",
    "TokenLookup",
    "TokenStore",
    "UnknownPortalError",
    "WSGIEventApp",
    "application_token_lookup",
    "async_portal_client",
    "bound",
    "checkout_errors",
    "checkout_reply",
    "django_view",
    "drain_offline",
    "ensure_bound",
    "find",
    "flask_view",
    "parse",
    "parse_checkout_request",
    "parse_form_request",
    "parse_install_form",
    "portal_client",
    "stored_auth",
    "tokens_from_install_event",
]
