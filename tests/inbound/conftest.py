"""Loopback servers for the inbound apps and bodies built the way the portal builds them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from urllib.parse import quote

import pytest

from b24client.runtime.inbound.wsgi import serve
from b24client.runtime.phpquery import encode

FORM = "application/x-www-form-urlencoded"
TOKEN = "51856fefc120afa4b628cc82d3935cce"
MEMBER = "a223c6b3710f85df22e9377d6c4f7553"
DOMAIN = "some-domain.bitrix24.com"


def php_form(fields: dict[str, Any], *, escape_brackets: bool = True) -> bytes:
    """A body as PHP's http_build_query writes it (brackets percent-encoded by default)."""
    text = encode(fields)
    if escape_brackets:
        text = "&".join(
            "=".join((quote(key, safe="%"), value)) for key, value in (pair.split("=", 1) for pair in text.split("&"))
        )
    return text.encode()


def event_fields(
    name: str = "ONCRMDEALADD",
    *,
    token: str | None = TOKEN,
    member_id: str = MEMBER,
    domain: str = DOMAIN,
    data: dict[str, Any] | None = None,
    **auth: Any,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "domain": domain,
        "member_id": member_id,
        "client_endpoint": f"https://{domain}/rest/",
        "server_endpoint": "https://oauth.bitrix.info/rest/",
        "scope": "crm",
        "status": "L",
        "access_token": "s6p6eclrvim6da22ft9ch94ekreb52lv",
        "expires_in": "3600",
        **auth,
    }
    if token is not None:
        block["application_token"] = token
    return {
        "event": name,
        "event_handler_id": "7",
        "data": data if data is not None else {"FIELDS": {"ID": "42"}},
        "ts": "1696527000",
        "auth": block,
    }


def wsgi_server(app: Callable[..., Any]) -> AbstractContextManager[str]:
    """Serve a WSGI app on 127.0.0.1 (any free port); yields its base URL."""
    return serve(app)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def asgi_server(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1; yields its base URL."""
    uvicorn = pytest.importorskip("uvicorn")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            threading.Event().wait(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()
