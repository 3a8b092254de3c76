"""The reserved `/_emulator/` URLs: the Python API over HTTP, for a portal run as a process.

GET  /_emulator/info            base URL, webhook URL, OAuth credentials, served methods
GET  /_emulator/log             request records (?since=<seq> for the newer ones only)
GET  /_emulator/counters        requests, statuses, limit hits, faults, per-method counts
POST /_emulator/reset           back to the configured start
POST /_emulator/inject          {"fault": "503", "method": "crm.deal.list", "count": 2}
POST /_emulator/inject_command  {"fault": "500", "index": 1, "method": "crm.deal.add", "count": 1}
POST /_emulator/respond_once    {"method": "...", "status": 400, "body": {...}}
POST /_emulator/seed_deals      {"count": 100000}
POST /_emulator/expire_tokens   expire every access token now
GET  /_emulator/deliveries      outgoing calls to apps (?since=<seq>); tokens masked, no raw bodies
POST /_emulator/drain           wait until the event queue is empty {"timeout": 10}
POST /_emulator/register_app    {"handler_url": ..., "redirect_uri": ..., "installed": false} → the app's keys
POST /_emulator/install_app     {"client_id": ..., "mode": "event"|"placement", "handler_url": ...}
POST /_emulator/finish_install  {"client_id": ...}
POST /_emulator/emit_event      {"event": "ONCRMDEALADD", "data": {...}, "user_id": 1}
POST /_emulator/start_checkout  {"payment_id": 1, "pay_system_id": 2, "return_url": ..., "form": {...}}

Only loopback clients can reach the server, so these need no authentication; they must
not be confused with REST methods, hence a path no Bitrix24 URL uses.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .protocol import BodyError, decode_body, decode_query
from .server import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from .portal import Emulator


def _json(status: int, body: Any) -> HttpResponse:
    return HttpResponse(status, json.dumps(body, ensure_ascii=False).encode("utf-8"))


class Introspection:
    def __init__(self, portal: Emulator) -> None:
        self.portal = portal

    def handle(self, request: HttpRequest) -> HttpResponse:
        name = request.path[len("/_emulator/") :].strip("/")
        try:
            params = {**decode_query(request.query), **decode_body(request.body, request.content_type)}
        except BodyError as exc:
            return _json(400, {"error": str(exc)})
        reading = {"info": self._info, "log": self._log, "counters": self._counters, "deliveries": self._deliveries}
        writing = {
            "reset": self._reset,
            "inject": self._inject,
            "inject_command": self._inject_command,
            "respond_once": self._respond_once,
            "seed_deals": self._seed_deals,
            "expire_tokens": self._expire_tokens,
            "drain": self._drain,
            "register_app": self._register_app,
            "install_app": self._install_app,
            "finish_install": self._finish_install,
            "emit_event": self._emit_event,
            "start_checkout": self._start_checkout,
        }
        if name in reading and request.method in ("GET", "HEAD"):
            return _json(200, reading[name](params))
        if name in writing and request.method == "POST":
            try:
                return _json(200, writing[name](params))
            except (KeyError, TypeError, ValueError, TimeoutError) as exc:
                return _json(400, {"error": f"{type(exc).__name__}: {exc}"})
        if name in reading or name in writing:
            return _json(405, {"error": f"wrong HTTP method for /_emulator/{name}"})
        return _json(404, {"error": f"unknown emulator endpoint {name!r}"})

    def _info(self, params: dict[str, Any]) -> dict[str, Any]:
        portal = self.portal
        return {
            "base_url": portal.base_url,
            "webhook_url": portal.webhook_url,
            "oauth": portal.oauth_credentials(),
            "deals": portal.deals.count,
            "limits_enabled": portal.config.limits_enabled,
            "member_id": portal.member_id,
            "apps": [{"client_id": app.client_id, "installed": app.installed} for app in portal.apps.all()],
            "deliveries": portal.deliverer.summary(),
            "methods": portal.method_names(),
        }

    def _log(self, params: dict[str, Any]) -> dict[str, Any]:
        since = int(params.get("since", 0))
        return {"records": [record.to_json() for record in self.portal.log if record.seq > since]}

    def _counters(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.portal.counters

    def _reset(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.reset()
        return {"ok": True}

    def _inject(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.inject(str(params["fault"]), params.get("method") or None, int(params.get("count", 1)))
        return {"ok": True}

    def _inject_command(self, params: dict[str, Any]) -> dict[str, Any]:
        index = params.get("index")
        self.portal.inject_command(
            str(params["fault"]),
            index=None if index in (None, "") else int(index),
            method=params.get("method") or None,
            count=int(params.get("count", 1)),
        )
        return {"ok": True}

    def _respond_once(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.respond_once(str(params["method"]), int(params["status"]), params["body"])
        return {"ok": True}

    def _seed_deals(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.seed_deals(int(params["count"]))
        return {"ok": True, "deals": self.portal.deals.count}

    def _expire_tokens(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.expire_tokens()
        return {"ok": True}

    def _deliveries(self, params: dict[str, Any]) -> dict[str, Any]:
        since = int(params.get("since", 0))
        return {"deliveries": [d.to_json() for d in self.portal.deliveries if d.seq > since]}

    def _drain(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "deliveries": len(self.portal.drain_deliveries(float(params.get("timeout", 10))))}

    def _register_app(self, params: dict[str, Any]) -> dict[str, Any]:
        app = self.portal.register_app(
            params.get("client_id") or None,
            params.get("client_secret") or None,
            params.get("handler_url") or None,
            params.get("redirect_uri") or None,
            params.get("scope") or None,
            str(params.get("installed", "")).lower() in ("1", "true", "y"),
        )
        # loopback-only test control: the caller is the developer who registers the app and needs its keys
        return {
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "application_token": app.application_token,
            "installed": app.installed,
        }

    def _install_app(self, params: dict[str, Any]) -> dict[str, Any]:
        mode = str(params.get("mode") or "event")
        if mode not in ("event", "placement"):
            raise ValueError(f"mode must be event or placement, not {mode!r}")
        delivery = self.portal.install_app(
            params.get("client_id") or None, "event" if mode == "event" else "placement", params.get("handler_url") or None
        )
        return {"ok": delivery.ok, "delivery": delivery.to_json()}

    def _finish_install(self, params: dict[str, Any]) -> dict[str, Any]:
        self.portal.finish_install(params.get("client_id") or None)
        return {"ok": True}

    def _emit_event(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        self.portal.emit_event(str(params["event"]), params.get("data") or {}, int(user_id) if user_id else None)
        return {"ok": True}

    def _start_checkout(self, params: dict[str, Any]) -> dict[str, Any]:
        pay_system = params.get("pay_system_id")
        form = params.get("form")
        result = self.portal.start_checkout(
            int(params["payment_id"]),
            int(pay_system) if pay_system else None,
            params.get("return_url") or None,
            dict(form) if isinstance(form, dict) else None,
        )
        return {
            "ok": result.ok,
            "mode": result.mode,
            "payment_url": result.payment_url,
            "payment_id": result.payment_id,
            "errors": result.errors,
            "delivery": result.delivery.to_json(),
        }
