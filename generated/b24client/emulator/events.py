"""Event handlers bound by applications, and what happens when an event fires.

event.bind / event.unbind / event.get keep each application's handlers (event name,
handler URL, auth_type, online or offline, auth_connector, options), as
api-reference/events/event-bind.md and its siblings describe. When the portal's state
changes, `emit` finds the bindings of that event: an online binding gets the event POSTed
to its URL by the delivery worker, in the body the event pages show (event,
event_handler_id, data, ts, auth with the app's application_token); an offline binding
puts a record into that app's offline queue (`offline.OfflineQueue`), and the app's
ONOFFLINEEVENT handlers are told, no more often than their `minTimeout`.

The methods work only for applications (an incoming webhook gets WRONG_AUTH_TYPE, as the
pages say they work only in the context of application authorization). Choices where
the pages are silent: binding the same handler twice keeps one binding and answers true;
an event_type other than online/offline is invalid; a handler URL must be http(s). Apps
not installed yet get no events (installation-finish.md).
Permissions (ACCESS_DENIED for non-administrators) are not modelled: every caller is an
administrator here.
"""

from __future__ import annotations

import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .apps import App, AppRegistry
from .auth import TokenStore
from .calls import Call, Handler, MethodError, Reply, as_int, get_ci
from .delivery import Deliverer, Job
from .eventnames import ONAPPUNINSTALL, ONOFFLINEEVENT, event_scope, is_known
from .offline import OfflineQueue


@dataclass(frozen=True)
class PortalAddress:
    """What an event's `auth` block says about the portal (domain, endpoints, member_id)."""

    domain: str
    client_endpoint: str
    server_endpoint: str
    member_id: str


@dataclass
class Binding:
    id: int
    client_id: str
    event: str  # upper case
    handler: str  # "" for offline bindings
    auth_type: int  # 0: the user whose action fired the event
    offline: bool
    auth_connector: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    last_notified: float = 0.0  # ONOFFLINEEVENT: monotonic time of the last notification
    outgoing: bool = False  # an outgoing webhook's binding: its events carry no tokens

    def listing(self) -> dict[str, Any]:
        """The binding as event.get shows it (the page's example: auth_type as text, offline 0/1)."""
        return {"event": self.event, "handler": self.handler, "auth_type": str(self.auth_type), "offline": int(self.offline)}


def _app_of(call: Call) -> str:
    if call.identity.kind != "app" or not call.identity.client_id:
        raise MethodError(403, "WRONG_AUTH_TYPE", f"{call.method} works only with application (OAuth) authorization")
    return call.identity.client_id


def _event_type(call: Call) -> bool:
    """True for offline; the pages allow `online` (default) and `offline`."""
    value = str(get_ci(call.params, "event_type") or "online").lower()
    if value not in ("online", "offline"):
        raise call.fail("invalid", f"event_type must be online or offline, not {value!r}")
    return value == "offline"


class EventHub:
    """Bindings of every app, the offline queues, and the emission of events."""

    def __init__(self, apps: AppRegistry, tokens: TokenStore, deliverer: Deliverer, address: Callable[[], PortalAddress]) -> None:
        self.apps = apps
        self.tokens = tokens
        self.deliverer = deliverer
        self.address = address
        self.offline = OfflineQueue()
        self._lock = threading.RLock()
        self._bindings: dict[int, Binding] = {}
        self._next_id = 1

    def reset(self) -> None:
        with self._lock:
            self._bindings.clear()
            self.offline.reset()

    def handlers(self) -> dict[str, Handler]:
        return {
            "event.bind": self.bind,
            "event.unbind": self.unbind,
            "event.get": self.get,
            **self.offline.handlers(_app_of),
        }

    def bindings(self, client_id: str | None = None) -> list[Binding]:
        """Every binding (of one app), oldest first."""
        with self._lock:
            return [b for _, b in sorted(self._bindings.items()) if client_id is None or b.client_id == client_id]

    # --- methods --------------------------------------------------------------------------------

    def bind(self, call: Call) -> Reply:
        client_id = _app_of(call)
        event = str(get_ci(call.params, "event") or "").upper()
        if not is_known(event):
            raise call.fail("not_found", "Event not found", code="ERROR_EVENT_NOT_FOUND")
        offline = _event_type(call)
        handler = "" if offline else str(get_ci(call.params, "handler") or "")
        if not offline and urllib.parse.urlsplit(handler).scheme not in ("http", "https"):
            raise call.fail("invalid", f"handler must be an http(s) URL, not {handler!r}")
        options = get_ci(call.params, "options")
        binding = Binding(
            0,
            client_id,
            event,
            handler,
            as_int(get_ci(call.params, "auth_type")) or 0,
            offline,
            str(get_ci(call.params, "auth_connector") or ""),
            dict(options) if isinstance(options, Mapping) else {},
        )
        with self._lock:
            for existing in self._bindings.values():
                if (
                    existing.client_id,
                    existing.event,
                    existing.handler,
                    existing.auth_type,
                    existing.offline,
                    existing.auth_connector,
                ) == (client_id, event, handler, binding.auth_type, offline, binding.auth_connector):
                    return Reply(True)
            binding.id = self._next_id
            self._next_id += 1
            self._bindings[binding.id] = binding
        return Reply(True)

    def unbind(self, call: Call) -> Reply:
        client_id = _app_of(call)
        event = str(get_ci(call.params, "event") or "").upper()
        handler = str(get_ci(call.params, "handler") or "")
        offline = _event_type(call)
        auth_type_given = "auth_type" in {key.lower() for key in call.params}
        auth_type = as_int(get_ci(call.params, "auth_type")) or 0
        with self._lock:
            doomed = [
                b.id
                for b in self._bindings.values()
                if b.client_id == client_id
                and b.offline == offline
                and (not event or b.event == event)
                and (offline or not handler or b.handler == handler)
                and (not auth_type_given or b.auth_type == auth_type)
            ]
            for binding_id in doomed:
                del self._bindings[binding_id]
        return Reply({"count": len(doomed)})

    def get(self, call: Call) -> Reply:
        client_id = _app_of(call)
        return Reply([binding.listing() for binding in self.bindings(client_id)])

    # --- emission -------------------------------------------------------------------------------

    def emit(self, event: str, data: Any, user_id: int, auth_connector: str = "") -> None:
        """Deliver `event` to every online binding and queue it for every offline one; never blocks."""
        event = event.upper()
        with self._lock:
            matching = [b for b in self._bindings.values() if b.event == event and self.apps.get(b.client_id).installed]
        for binding in matching:
            if binding.offline:
                if binding.auth_connector and binding.auth_connector == auth_connector:
                    continue  # the app's own change through this connector: offline-events.md, avoiding cycles
                if self.offline.put(binding.client_id, binding.auth_connector, event, data, user_id):
                    self._notify_offline(binding.client_id, user_id)
            else:
                self.deliverer.submit(self.event_job(binding, data, user_id))

    def add_outgoing_webhook(self, owner: App, handler_url: str, events: list[str]) -> None:
        """Bindings of an outgoing webhook (api-reference/events/index.md: set up in the portal's UI,
        not by event.bind); `owner` holds its application_token."""
        unknown = [event for event in events if not is_known(event)]
        if unknown or not events:
            raise ValueError(
                f"add_outgoing_webhook: unknown event(s) {unknown}" if unknown else "add_outgoing_webhook: no events given"
            )
        with self._lock:
            for event in events:
                self._bindings[self._next_id] = Binding(
                    self._next_id, owner.client_id, event.upper(), handler_url, 0, False, outgoing=True
                )
                self._next_id += 1

    def _notify_offline(self, client_id: str, user_id: int) -> None:
        now = time.monotonic()
        with self._lock:
            due = []
            for binding in self._bindings.values():
                if binding.client_id != client_id or binding.event != ONOFFLINEEVENT or binding.offline:
                    continue
                min_timeout = float(binding.options.get("minTimeout") or 1)
                if not binding.last_notified or now - binding.last_notified >= min_timeout:
                    binding.last_notified = now
                    due.append(binding)
        for binding in due:
            self.deliverer.submit(self.event_job(binding, [], user_id))

    def event_job(self, binding: Binding, data: Any, user_id: int) -> Job:
        app = self.apps.get(binding.client_id)
        payload = {
            "event": binding.event,
            "event_handler_id": str(binding.id),
            "data": data,
            "ts": str(int(time.time())),
            "auth": self.address_block(app)
            if binding.outgoing
            else self.auth_block(app, binding.auth_type or user_id, scope=event_scope(binding.event)),
        }
        return Job("event", binding.handler, payload, event=binding.event, client_id=app.client_id, handler_id=binding.id)

    def address_block(self, app: App) -> dict[str, Any]:
        """An `auth` without tokens: what outgoing webhooks and ONAPPUNINSTALL get (index.md,
        on-app-uninstall.md)."""
        address = self.address()
        return {
            "domain": address.domain,
            "client_endpoint": address.client_endpoint,
            "server_endpoint": address.server_endpoint,
            "member_id": address.member_id,
            "application_token": app.application_token,
        }

    def uninstall(self, app: App, clean: bool, language: str) -> None:
        """Remove an app: its ONAPPUNINSTALL handlers are told (no tokens, only the portal's address
        and the application_token: on-app-uninstall.md), then its bindings and queue are gone."""
        with self._lock:
            mine = [b for b in self._bindings.values() if b.client_id == app.client_id]
            for binding in mine:
                del self._bindings[binding.id]
        self.offline.drop(app.client_id)
        if not app.installed:
            return
        auth = self.address_block(app)
        for binding in mine:
            if binding.event == ONAPPUNINSTALL and not binding.offline:
                payload = {
                    "event": ONAPPUNINSTALL,
                    "event_handler_id": str(binding.id),
                    "data": {"LANGUAGE_ID": language, "CLEAN": str(int(clean))},
                    "ts": str(int(time.time())),
                    "auth": auth,
                }
                self.deliverer.submit(
                    Job("event", binding.handler, payload, event=ONAPPUNINSTALL, client_id=app.client_id, handler_id=binding.id)
                )

    def auth_block(self, app: App, user_id: int, scope: str, *, refresh: bool = False) -> dict[str, Any]:
        """The `auth` of an event (_includes/auth-params-in-events.md): a fresh token of the app for
        `user_id`, the portal's address, and the app's application_token. Only ONAPPINSTALL also
        carries a refresh token (settings/oauth/simple-way.md)."""
        issued = self.tokens.issue(user_id, app.client_id, refresh=refresh)
        address = self.address()
        block: dict[str, Any] = {
            "access_token": issued["access_token"],
            "expires_in": str(issued["expires_in"]),
            "scope": scope,
            "domain": address.domain,
            "server_endpoint": address.server_endpoint,
            "status": app.status,
            "client_endpoint": address.client_endpoint,
            "member_id": address.member_id,
        }
        if refresh:
            block["refresh_token"] = issued["refresh_token"]
        block["application_token"] = app.application_token
        return block
