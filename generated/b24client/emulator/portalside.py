"""The Emulator's public API for the portal's side of an integration: apps, events, checkout.

Kept apart from portal.py (requests in, answers out) because this half calls *out*: it
registers and installs applications, fires events to their handlers, and calls pay-system
handlers, all through the `EventHub` and the `Deliverer`. `Emulator` inherits it; the
attributes declared here are the Emulator's own (set up in its __init__).
See docs/emulator.md, "Events and apps".
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from .apps import App, AppRegistry
from .auth import TokenStore
from .calls import Call, get_ci
from .checkout import CheckoutError, CheckoutResult, checkout_job, read_reply
from .config import EmulatorConfig
from .delivery import Deliverer, Delivery
from .eventnames import event_data, family_event
from .events import EventHub, PortalAddress
from .install import InstallMode, authorize_redirect, install_job
from .payments import PaymentMethods
from .protocol import decode_query
from .server import HttpRequest, HttpResponse
from .state import PaymentState


class PortalSide:
    """Apps, events, deliveries and checkout of one emulated portal (mixed into `Emulator`)."""

    config: EmulatorConfig
    member_id: str
    tokens: TokenStore
    apps: AppRegistry
    deliverer: Deliverer
    events: EventHub
    payment_state: PaymentState
    _payments: PaymentMethods
    _state_lock: threading.RLock

    @property
    def base_url(self) -> str:
        raise NotImplementedError  # the Emulator's: where it listens

    def address(self) -> PortalAddress:
        """How the portal names itself to apps: domain, REST and token endpoints, member_id."""
        return PortalAddress(
            domain=self.base_url.removeprefix("http://"),
            client_endpoint=f"{self.base_url}/rest/",
            server_endpoint=f"{self.base_url}/rest/",
            member_id=self.member_id,
        )

    def _changed(self, family: str, verb: str, record_id: int, call: Call) -> None:
        """A handler changed a record: fire the family's event, if the portal has one."""
        event = family_event(family, verb)
        if event is not None:
            connector = get_ci(call.params, "auth_connector")
            self.events.emit(event, event_data(event, record_id), call.identity.user_id, str(connector) if connector else "")

    def emit_event(self, event: str, data: Any, user_id: int | None = None) -> None:
        """Fire any event by hand (to every app bound to it), as if the portal's state had changed."""
        self.events.emit(event, data, self.config.webhook_user_id if user_id is None else user_id)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every outgoing call to apps so far (events, install callbacks, checkouts), oldest first."""
        return self.deliverer.records()

    def drain_deliveries(self, timeout: float = 10.0) -> list[Delivery]:
        """Wait until every queued event was sent (TimeoutError after `timeout`); the deliveries."""
        self.deliverer.drain(timeout)
        return self.deliverer.records()

    def app(self, client_id: str | None = None) -> App:
        """A registered application (the configured one by default), with its application_token."""
        return self.apps.get(client_id)

    def register_app(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        handler_url: str | None = None,
        redirect_uri: str | None = None,
        scope: str | None = None,
        installed: bool = False,
    ) -> App:
        """Register another OAuth application; it gets events once installed (`install_app`)."""
        app = self.apps.register(client_id, client_secret, handler_url, redirect_uri, **({"scope": scope} if scope else {}))
        app.installed = installed
        return app

    def install_app(
        self,
        client_id: str | None = None,
        mode: InstallMode = "event",
        handler_url: str | None = None,
        user_id: int | None = None,
        language: str = "en",
    ) -> Delivery:
        """Run the install callback of an app at its handler_url (or the one given) and return what it
        answered: ONAPPINSTALL with a token pair (`event`, the app is then installed) or the install
        page's form (`placement`, installed by `finish_install`)."""
        app = self.apps.get(client_id)
        if handler_url:
            app.handler_url = handler_url
        job = install_job(self.events, app, mode, self.config.webhook_user_id if user_id is None else user_id, language)
        if mode == "event":
            app.installed = True
        return self.deliverer.send(job)

    def start_checkout(
        self, payment_id: int, pay_system_id: int | None = None, return_url: str | None = None, form: dict[str, Any] | None = None
    ) -> CheckoutResult:
        """A buyer pays payment N with a pay system (its own by default): the portal calls the pay
        system's REST handler at its ACTION_URI (checkout or form mode) and returns its answer.
        `form` holds what the buyer typed into fields the handler asks for. CheckoutError when the
        payment, pay system or handler is missing or the handler has no server-side mode."""
        with self._state_lock:
            state = self.payment_state
            payment = state.payments.get(payment_id)
            if payment is None:
                raise CheckoutError(f"start_checkout: payment {payment_id} does not exist")
            ps_id = pay_system_id if pay_system_id is not None else int(payment["paySystemId"])
            pay_system = state.pay_systems.get(ps_id)
            if pay_system is None:
                raise CheckoutError(f"start_checkout: pay system {ps_id} does not exist")
            handler = state.handler_by_code(str(pay_system["ACTION_FILE"]))
            if handler is None:
                raise CheckoutError(
                    f"start_checkout: pay system {ps_id} has no REST handler (it uses {pay_system['ACTION_FILE']!r})"
                )
            payment["paySystemId"] = ps_id  # the buyer chose it
            shown = {**self._payments.public(payment), "externalPaymentId": payment.get("externalPaymentId")}
            back = return_url or f"{self.base_url}/pub/payment/{payment_id}/?access={payment['access']}"
            mode, job = checkout_job(handler, ps_id, shown, state.settings.get(ps_id, {}), back, form or {})
        result = read_reply(mode, self.deliverer.send(job))
        if result.payment_id:
            with self._state_lock:
                payment["externalPaymentId"] = result.payment_id
        return result

    def add_outgoing_webhook(self, handler_url: str, events: list[str]) -> App:
        """An outgoing webhook (set up in the portal's UI): `events` go to `handler_url` with an `auth`
        of the portal's address and the webhook's own application_token (the returned App's)."""
        owner = self.apps.register(f"webhook.{secrets.token_hex(4)}")
        owner.installed = True
        self.events.add_outgoing_webhook(owner, handler_url, events)
        return owner

    def uninstall_app(self, client_id: str | None = None, clean: bool = True, language: str = "en") -> None:
        """Uninstall an app: ONAPPUNINSTALL to its handlers of that event (queued; drain to wait),
        then its bindings, offline queue and tokens are gone. It stays registered (install again)."""
        app = self.apps.get(client_id)
        self.events.uninstall(app, clean, language)
        self.tokens.revoke(app.client_id)
        app.installed = False

    def finish_install(self, client_id: str | None = None) -> None:
        """What BX24.installFinish does for an app with an install page: events flow from now on."""
        self.apps.get(client_id).installed = True

    def app_tokens(self, client_id: str | None = None, user_id: int | None = None) -> dict[str, Any]:
        """A fresh token pair of an application (the configured one by default)."""
        return self.tokens.issue(user_id, self.apps.get(client_id).client_id)

    def token_requests(self, grant_type: str | None = None, client_id: str | None = None, ok: bool | None = None) -> int:
        """How many calls of /oauth/token/ match (failures included unless ok=True)."""
        return self.tokens.request_count(grant_type, client_id, ok)

    def _authorize(self, request: HttpRequest) -> HttpResponse:
        """GET /oauth/authorize/?client_id=..&state=..: the user (the webhook user) agrees at once and is
        sent back to the app's redirect_uri with a code; a failure is a page of the portal's own,
        never a redirect (settings/oauth/index.md)."""
        query = decode_query(request.query)
        client_id, state = query.get("client_id"), query.get("state")
        try:
            app = self.apps.get(str(client_id)) if isinstance(client_id, str) and client_id else None
            if app is None or not app.installed:
                raise ValueError("the application is unknown or not installed")
            location = authorize_redirect(
                self.events, app, state if isinstance(state, str) else None, self.config.webhook_user_id
            )
        except (KeyError, ValueError) as exc:
            reason = "no redirect_uri" if "redirect_uri" in str(exc) else "unknown or not installed application"
            page = f"<html><body><h1>Authorization failed</h1><p>{reason}</p></body></html>"
            return HttpResponse(400, page.encode(), "text/html; charset=utf-8")
        return HttpResponse(302, b"", "text/html; charset=utf-8", {"Location": location})
