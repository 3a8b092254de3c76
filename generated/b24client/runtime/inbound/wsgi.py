"""The event endpoint as a WSGI application (standard library only).

    router = EventRouter(store=store, installer=installer)
    app = WSGIEventApp(router)       # gunicorn module:app, or wsgiref for a test

The body is read up to the router's limit (a declared Content-Length over it is refused
before reading); the answer goes out as soon as the event is verified and handlers run on
the router's pool.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from .router import EventRouter

StartResponse = Callable[..., Any]
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    405: "Method Not Allowed",
    413: "Content Too Large",
}


def limit_body(declared: int | None, read: Callable[[int], bytes], limit: int) -> bytes | None:
    """The body through `read(n)`, or None when it is longer than `limit` bytes: a declared
    length over the limit is refused unread, an undeclared one is read one byte past it."""
    if declared is not None and declared > limit:
        return None
    data = bytes(read(declared if declared is not None else limit + 1))
    return None if len(data) > limit else data


def read_limited(environ: dict[str, Any], limit: int) -> bytes | None:
    """The request body, or None when it is longer than `limit` bytes."""
    declared = str(environ.get("CONTENT_LENGTH") or "").strip()
    return limit_body(int(declared) if declared.isdigit() else None, environ["wsgi.input"].read, limit)


class WSGIEventApp:
    def __init__(self, router: EventRouter) -> None:
        self.router = router

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD", "GET"))
        body = read_limited(environ, self.router.max_body_bytes) if method.upper() == "POST" else b""
        reply, event = self.router.respond(method, body, environ.get("CONTENT_TYPE"), str(environ.get("QUERY_STRING", "")))
        start_response(
            f"{reply.status} {_REASONS.get(reply.status, 'Error')}", [*reply.headers, ("Content-Length", str(len(reply.body)))]
        )
        if event is not None:
            self.router.dispatch(event)
        return [reply.body]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the portal's bodies hold tokens; no access log
        pass


@contextmanager
def serve(app: Callable[..., Iterable[bytes]], host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve a WSGI app with the standard library's server in a thread; yields its base URL.

    For development, tests and examples (one request at a time); production wants a real
    WSGI server. Port 0 picks a free one."""
    server = make_server(host, port, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
