"""Installing an application: the install callback and the OAuth authorize redirect.

Two ways a portal hands an app its first tokens, both sent to the app's `handler_url`:

* `event` — an app without an interface (settings/app-installation/installation-finish.md,
  local-apps/installation-callback.md): the portal POSTs ONAPPINSTALL right after
  installation, a form like every event, whose `auth` also carries the `refresh_token`
  (api-reference/common/events/on-app-install.md). The app is installed at once.
* `placement` — an app with an interface opens its install page in a frame
  (settings/oauth/simple-way.md): DOMAIN, PROTOCOL, LANG and APP_SID in the query string;
  AUTH_ID, AUTH_EXPIRES, REFRESH_ID, SERVER_ENDPOINT, APPLICATION_TOKEN, APPLICATION_SCOPE,
  member_id, status and PLACEMENT in the body. Such an app is installed only when its page
  calls installFinish — `Emulator.finish_install` here — and until then gets no events.

`authorize_redirect` plays GET /oauth/authorize/ of the full protocol (settings/oauth/index.md):
the user comes back to the app's redirect URI with a one-time `code`, `state`, `domain`,
`member_id`, `scope` and `server_domain`.
"""

from __future__ import annotations

import secrets
import time
import urllib.parse
from typing import Any, Literal

from .apps import App
from .delivery import Job
from .eventnames import ONAPPINSTALL
from .events import EventHub

InstallMode = Literal["event", "placement"]


def install_job(hub: EventHub, app: App, mode: InstallMode, user_id: int, language: str = "en") -> Job:
    """The request that installs `app`: ONAPPINSTALL (event) or the install page form (placement)."""
    if not app.handler_url:
        raise ValueError(f"install_app: application {app.client_id!r} has no handler_url")
    if mode == "event":
        payload: dict[str, Any] = {
            "event": ONAPPINSTALL,
            "data": {"VERSION": app.version, "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": language},
            "ts": str(int(time.time())),
            "auth": _install_order(hub.auth_block(app, user_id, scope=app.scope, refresh=True)),
        }
        return Job("install", app.handler_url, payload, event=ONAPPINSTALL, client_id=app.client_id)
    if mode != "placement":
        raise ValueError(f"install_app: mode must be 'event' or 'placement', not {mode!r}")
    issued = hub.tokens.issue(user_id, app.client_id)
    address = hub.address()
    query = urllib.parse.urlencode({"DOMAIN": address.domain, "PROTOCOL": 0, "LANG": language, "APP_SID": secrets.token_hex(16)})
    payload = {
        "AUTH_ID": issued["access_token"],
        "AUTH_EXPIRES": str(issued["expires_in"]),
        "REFRESH_ID": issued["refresh_token"],
        "SERVER_ENDPOINT": address.server_endpoint,
        "APPLICATION_TOKEN": app.application_token,
        "APPLICATION_SCOPE": app.scope,
        "member_id": address.member_id,
        "status": app.status,
        "PLACEMENT": "DEFAULT",
    }
    separator = "&" if urllib.parse.urlsplit(app.handler_url).query else "?"
    return Job("install", f"{app.handler_url}{separator}{query}", payload, client_id=app.client_id)


# on-app-install.md lists the install's auth in this order (events put the token first)
INSTALL_AUTH_ORDER = (
    "domain",
    "scope",
    "access_token",
    "refresh_token",
    "expires_in",
    "server_endpoint",
    "status",
    "client_endpoint",
    "member_id",
    "application_token",
)


def _install_order(auth: dict[str, Any]) -> dict[str, Any]:
    return {key: auth[key] for key in INSTALL_AUTH_ORDER if key in auth}


def authorize_redirect(hub: EventHub, app: App, state: str | None, user_id: int) -> str:
    """Where /oauth/authorize/ sends the user back: the app's redirect URI with a fresh code."""
    if not app.redirect_uri:
        raise ValueError(f"application {app.client_id!r} has no redirect_uri")
    address = hub.address()
    params = {
        "code": hub.tokens.authorization_code(app.client_id, user_id),
        **({"state": state} if state is not None else {}),
        "domain": address.domain,
        "member_id": address.member_id,
        "scope": app.scope,
        "server_domain": address.domain,
    }
    separator = "&" if urllib.parse.urlsplit(app.redirect_uri).query else "?"
    return f"{app.redirect_uri}{separator}{urllib.parse.urlencode(params)}"
