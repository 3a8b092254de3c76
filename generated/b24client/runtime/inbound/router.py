"""Route verified events to the app's handlers by name, the same way behind any server.

The portal waits a few seconds for a handler and treats a slow one as failed, so the
endpoint answers as soon as the event is verified and handlers run afterwards (on a thread
pool here; after the response in the ASGI app). A failing handler is logged, never shown
to the caller: its traceback could hold data of the portal.

Install and uninstall are part of routing because they change what "verified" means:
ONAPPINSTALL brings the application_token (checked by the `Installer`, then stored), and
after ONAPPUNINSTALL the portal's tokens are deleted.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from ..redact import redact
from .body import decode_body
from .errors import InboundError, InboundFormatError
from .event import Event, EventAuth, PayloadRegistry, TokenLookup, from_fields
from .install import Installer
from .tokens import PortalTokens, TokenStore, application_token_lookup

log = logging.getLogger("b24client.inbound")

Handler = Callable[[Event[Any]], "Awaitable[None] | None"]
H = TypeVar("H", bound=Handler)
_FORM_SECRETS = frozenset({"AUTH_ID", "REFRESH_ID", "APPLICATION_TOKEN"})
DEFAULT_MAX_BODY_BYTES = 1 << 20  # events are a few KB; a bigger body is not the portal's


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)


def _json(status: int, payload: dict[str, Any], *extra: tuple[str, str]) -> Reply:
    return Reply(status, json.dumps(payload).encode(), (("Content-Type", "application/json"), *extra))


ACCEPTED = _json(200, {"result": "ok"})
WRONG_METHOD = _json(405, {"error": "method_not_allowed", "error_description": "events are POSTed"}, ("Allow", "POST"))


def too_large(limit: int) -> Reply:
    return _json(413, {"error": "body_too_large", "error_description": f"the body is over {limit} bytes"})


def refusal(error: InboundError) -> Reply:
    code = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}.get(error.status, "refused")
    return _json(error.status, {"error": code, "error_description": str(error)})


def install_form_event(tokens: PortalTokens, fields: Mapping[str, Any]) -> Event[Any]:
    """An install page's form as the ONAPPINSTALL event handlers expect (`data` holds the
    form's non-secret fields: PLACEMENT, LANG, ...)."""
    auth = EventAuth(
        domain=tokens.domain,
        member_id=tokens.member_id,
        application_token=tokens.application_token or "",
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        scope=tokens.scope,
        status=tokens.status,
        client_endpoint=tokens.client_endpoint,
        server_endpoint=tokens.server_endpoint,
    )
    data = {key: value for key, value in fields.items() if key not in _FORM_SECRETS}
    return Event(name="ONAPPINSTALL", data=data, ts=_dt.datetime.now(_dt.UTC), auth=auth)


class EventRouter:
    """`router.on("ONCRMDEALADD")(handler)`; `receive(body, content_type)` verifies and routes.

    Tokens are checked against `store` (per portal, by member_id) or one fixed
    `application_token` (a local app on one portal). With an `installer`, ONAPPINSTALL is
    verified and stored by it; without one it is refused like any event with an unknown token.
    """

    def __init__(
        self,
        *,
        store: TokenStore | None = None,
        application_token: str | TokenLookup | None = None,
        installer: Installer | None = None,
        registry: PayloadRegistry | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        background: bool = True,
        workers: int = 4,
    ) -> None:
        if (store is None) == (application_token is None):
            raise ValueError("pass store= (tokens stored per portal at install) or application_token=, exactly one")
        self.store = store if store is not None else installer.store if installer is not None else None
        self._tokens: str | TokenLookup = application_token if application_token is not None else application_token_lookup(store)  # type: ignore[arg-type]
        self.installer = installer
        self.registry = registry
        self.max_body_bytes = max_body_bytes
        self.background = background
        self._handlers: dict[str, list[Handler]] = {}
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    def on(self, *names: str) -> Callable[[H], H]:
        """Register a handler for events by name (case does not matter); `"*"` gets every event."""

        def register(handler: H) -> H:
            for name in names:
                self._handlers.setdefault(name.upper(), []).append(handler)
            return handler

        return register

    def handlers_for(self, name: str) -> list[Handler]:
        return [*self._handlers.get(name.upper(), ()), *self._handlers.get("*", ())]

    def receive(self, body: bytes, content_type: str | None, query: str = "") -> Event[Any]:
        """Decode and verify one event (install and uninstall bookkeeping included); raises
        `InboundError` with the status to answer. Handlers are not run here.

        An install page's form (AUTH_ID, ..., DOMAIN in `query`) is stored by the installer
        and handed to the ONAPPINSTALL handlers as an event of that name, so one handler
        serves both ways of installing."""
        fields = decode_body(body, content_type)
        name = str(fields.get("event", "")).strip().upper()
        if not name and "AUTH_ID" in fields and self.installer is not None:
            return install_form_event(self.installer.install_form(body, content_type, query), fields)
        if name == "ONAPPINSTALL" and self.installer is not None:
            unverified = from_fields(fields, application_token=None, registry=self.registry)
            self.installer.install_event(unverified)
            return from_fields(fields, application_token=unverified.auth.application_token, registry=self.registry)
        event = from_fields(fields, application_token=self._tokens, registry=self.registry)
        if name == "ONAPPUNINSTALL" and self.store is not None:
            self.store.delete(event.auth.member_id)
        return event

    def respond(
        self, method: str, body: bytes | None, content_type: str | None, query: str = ""
    ) -> tuple[Reply, Event[Any] | None]:
        """The whole HTTP decision for one request; the event, when there is one to dispatch."""
        if method.upper() != "POST":
            return WRONG_METHOD, None
        if body is None:
            return too_large(self.max_body_bytes), None
        try:
            return ACCEPTED, self.receive(body, content_type, query)
        except InboundError as exc:
            log.warning("refused an inbound request: %s", exc)
            return refusal(exc), None
        except Exception:
            log.exception("could not process an inbound request")
            return refusal(InboundFormatError("the request could not be processed")), None

    def run_one(self, handler: Handler, event: Event[Any]) -> None:
        """One synchronous handler; an async one is refused here (it needs the ASGI app)."""
        outcome = handler(event)
        if inspect.isawaitable(outcome):
            if inspect.iscoroutine(outcome):
                outcome.close()  # never awaited: close it rather than leak a warning later
            raise TypeError("an async handler needs the ASGI app")

    def run_handlers(self, event: Event[Any]) -> None:
        """Run the event's handlers here and now, logging failures."""
        for handler in self.handlers_for(event.name):
            try:
                self.run_one(handler, event)
            except Exception as exc:
                self.log_failure(event, handler, exc)

    def log_failure(self, event: Event[Any], handler: Handler, exc: BaseException) -> None:
        what = redact(f"{type(exc).__name__}: {exc}", event.auth.secrets())
        log.error(
            "handler %s failed on %s (member_id=%s): %s",
            getattr(handler, "__qualname__", handler),
            event.name,
            event.auth.member_id,
            what,
        )

    def dispatch(self, event: Event[Any]) -> None:
        """Run the handlers on the pool (`background=True`) or before returning."""
        if not self.background:
            self.run_handlers(event)
            return
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="b24-events")
            pool = self._pool
        pool.submit(self.run_handlers, event)

    def close(self) -> None:
        """Wait for running handlers and stop the pool."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
