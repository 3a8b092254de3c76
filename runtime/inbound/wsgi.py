"""The event endpoint as a WSGI application (standard library only).

    router = EventRouter(store=store, installer=installer)
    app = WSGIEventApp(router)       # gunicorn module:app, or wsgiref for a test

The body is read up to the router's limit (a declared Content-Length over it is refused
before reading); the answer goes out as soon as the event is verified and handlers run on
the router's pool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .router import EventRouter

StartResponse = Callable[..., Any]
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 405: "Method Not Allowed",
            413: "Content Too Large"}


def read_limited(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body, or None when it is longer than `limit` bytes."""
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    if declared.isdigit() and int(declared) > limit:
        return None
    stream = environ["wsgi.input"]
    if declared.isdigit():
        return bytes(stream.read(int(declared)))
    data = bytes(stream.read(limit + 1))  # no length: read at most one byte past the limit
    return None if len(data) > limit else data


class WSGIEventApp:
    def __init__(self, router: EventRouter) -> None:
        self.router = router

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        body = read_limited(environ, self.router.max_body_bytes) if method.upper() == "POST" else b""
        reply, event = self.router.respond(method, body, environ.get("CONTENT_TYPE"))
        start_response(f"{reply.status} {_REASONS.get(reply.status, 'Error')}",
                       [*reply.headers, ("Content-Length", str(len(reply.body)))])
        if event is not None:
            self.router.dispatch(event)
        return [reply.body]
