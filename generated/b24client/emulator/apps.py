"""Applications installed on the emulated portal, each with its own secrets.

A real portal knows every installed application by its client id and gives each one an
`application_token`: a per-app secret that the portal puts into every event and install
callback it sends, so the app can tell the portal's calls from forged ones
(api-reference/events/safe-event-handlers.md). The token is stable for the life of the
installation and differs between apps; it never appears in a repr or a log.

The configured OAuth application (`EmulatorConfig.client_id`) is always registered;
`register_app` adds more, so tests can check that app B never sees app A's events.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

from .auth import TokenStore, new_token
from .calls import Call, Handler, MethodError, Reply

DEFAULT_SCOPE = "crm,pay_system,salescenter,sale,event"


@dataclass
class App:
    """One application: OAuth keys, its application_token and its install callback URL."""

    client_id: str
    client_secret: str = field(repr=False)
    application_token: str = field(repr=False)
    handler_url: str | None = None  # the install callback ("handler path" in the app's settings)
    redirect_uri: str | None = None  # where /oauth/authorize/ sends the user back with a code
    scope: str = DEFAULT_SCOPE
    status: str = "L"  # L: local app (auth-params-in-events.md lists L, F, D, T, P)
    version: str = "1"
    installed: bool = False  # only installed apps get events (installation-finish.md)
    id: int = 0  # the portal's number of the installation (app.info ID)


class AppRegistry:
    """Registered applications by client id; thread-safe."""

    def __init__(self, tokens: TokenStore, client_id: str, client_secret: str) -> None:
        self._tokens = tokens
        self._lock = threading.Lock()
        self._apps: dict[str, App] = {}
        self.default_client_id = client_id
        self._add(App(client_id, client_secret, new_token(), installed=True))

    def __repr__(self) -> str:
        return f"AppRegistry({sorted(self._apps)})"

    def _add(self, app: App) -> App:
        with self._lock:
            app.id = len(self._apps) + 1
            self._apps[app.client_id] = app
        self._tokens.add_client(app.client_id, app.client_secret)
        return app

    def register(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        handler_url: str | None = None,
        redirect_uri: str | None = None,
        scope: str = DEFAULT_SCOPE,
        status: str = "L",
    ) -> App:
        """Add an application (not yet installed); random id and secret unless given."""
        client_id = client_id or f"local.{secrets.token_hex(6)}.{secrets.randbelow(10**8):08d}"
        if client_id in self._apps:
            raise ValueError(f"register_app: an application with client_id {client_id!r} already exists")
        return self._add(App(client_id, client_secret or new_token(), new_token(), handler_url, redirect_uri, scope, status))

    def get(self, client_id: str | None = None) -> App:
        """The application with this client id (the configured one by default)."""
        with self._lock:
            app = self._apps.get(client_id or self.default_client_id)
        if app is None:
            raise KeyError(f"no application with client_id {client_id!r}; known: {', '.join(sorted(self._apps))}")
        return app

    def all(self) -> list[App]:
        with self._lock:
            return [self._apps[key] for key in sorted(self._apps)]

    def handlers(self) -> dict[str, Handler]:
        return {"app.info": self.app_info}

    def app_info(self, call: Call) -> Reply:
        """app.info for the calling application (api-reference/common/system/app-info.md); an
        incoming webhook has no application context and gets the page's ACCESS_DENIED."""
        if call.identity.kind != "app" or not call.identity.client_id:
            raise MethodError(400, "ACCESS_DENIED", "Access denied! Application context required")
        app = self.get(call.identity.client_id)
        return Reply(
            {
                "ID": app.id,
                "CODE": app.client_id,
                "VERSION": int(app.version) if app.version.isdigit() else app.version,
                "STATUS": app.status,
                "INSTALLED": app.installed,
                "PAYMENT_EXPIRED": "N",
                "DAYS": None,
                "LANGUAGE_ID": "en",
                "LICENSE": "en_ent10000",
                "LICENSE_TYPE": "ent10000",
                "LICENSE_FAMILY": "ent",
            }
        )
