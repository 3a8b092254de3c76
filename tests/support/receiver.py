"""A tiny loopback HTTP server that records every request the emulator sends to "an app".

Tests of the portal's outgoing side (events, install callbacks, pay-system checkout) need a
real receiver: the emulator must open a real connection and send real bytes, and the test
then reads exactly what arrived. Standard library only; one thread per request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from b24client.emulator import decode_query


@dataclass(frozen=True)
class Received:
    """One request as it arrived: method, path, query, headers (lower-case names), raw body."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def pairs(self) -> list[tuple[str, str]]:
        """The form body's keys and values, in order, exactly as encoded."""
        return parse_qsl(self.body.decode("ascii"), keep_blank_values=True, strict_parsing=True)

    def form(self) -> dict[str, Any]:
        """The form body decoded PHP-style (`auth[domain]` → {"auth": {"domain": ...}})."""
        return decode_query(self.body.decode("ascii"))

    def query_params(self) -> dict[str, Any]:
        return decode_query(self.query)


Reply = tuple[int, str, bytes]  # status, content type, body


class Receiver:
    """Records requests on 127.0.0.1:<port>; `reply` decides each answer (200 "OK" by default)."""

    def __init__(self, reply: Callable[[Received], Reply] | None = None) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._reply = reply or (lambda request: (200, "text/plain", b"OK"))
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Silent: bodies carry tokens."""

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                path, _, query = self.path.partition("?")
                request = Received(
                    self.command,
                    path,
                    query,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                with receiver._lock:
                    receiver.received.append(request)
                status, content_type, body = receiver._reply(request)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = _handle
            do_POST = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def requests(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.received if path is None or r.path == path]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()


class Held:
    """A reply that holds each request until `release` is set: `arrived` says one came in."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, request: Received) -> Reply:
        self.arrived.set()
        self.release.wait(10)
        return 200, "text/plain", b"OK"


def json_reply(body: Any, status: int = 200) -> Reply:
    return status, "application/json", json.dumps(body).encode()
