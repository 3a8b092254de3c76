"""Real HTTP on 127.0.0.1, on the standard library so the package needs no extra dependency.

Things the stdlib server gets wrong by default and this module fixes:

* `socketserver` listens with a backlog of 5, so a client with 20 parallel connections
  sees resets that have nothing to do with the portal; we listen with 1024;
* HTTP/1.0 closes every connection; we speak HTTP/1.1 with keep-alive, as clients with
  connection pools expect;
* handler threads are daemons and every open connection is shut down on stop, so a
  kept-alive connection can never outlive the portal or block interpreter exit;
* `log_message` writes request lines (with webhook codes in the path) to stderr; silenced.

The server knows nothing about Bitrix24: it hands an `HttpRequest` to an application
callable and carries out the `HttpResponse` it gets back, including the faults that are
not responses at all (a reset connection, a late answer).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

HOST = "127.0.0.1"
MAX_BODY_BYTES = 64 * 1024 * 1024


@dataclass
class HttpRequest:
    method: str  # GET, POST, ...
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    received_at: float  # wall-clock time the request line arrived

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    # "send": answer normally; "reset": close the connection with RST and send nothing.
    action: Literal["send", "reset"] = "send"
    delay: float = 0.0  # seconds to wait before sending (slow-reply fault)


Application = Callable[[HttpRequest], HttpResponse]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: EmulatorHTTPServer
    timeout = 120  # an idle kept-alive connection is closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out as two writes; no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: request lines contain webhook codes."""

    def _read_body(self) -> bytes | None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        received = time.time()
        try:
            body = self._read_body()
        except ValueError:
            body = None
        if body is None:
            self._send(HttpResponse(413, b'{"error":"INVALID_REQUEST","error_description":"Body too large"}'))
            self.close_connection = True
            return
        path, _, query = self.path.partition("?")
        request = HttpRequest(
            method=self.command,
            path=path,
            query=query,
            headers={key.lower(): value for key, value in self.headers.items()},
            body=body,
            received_at=received,
        )
        try:
            response = self.server.app(request)
        except Exception as exc:  # a bug or a hostile request must still get an answer, never a dropped connection
            response = HttpResponse(
                500,
                b'{"error":"INTERNAL_SERVER_ERROR","error_description":"emulator error: ' + type(exc).__name__.encode() + b'"}',
            )
        if response.delay > 0 and self.server.stopping.wait(response.delay):
            self._reset()
            return
        if response.action == "reset":
            self._reset()
            return
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        self.wfile.flush()

    def _reset(self) -> None:
        """Abort the connection with RST, as a crashed proxy or a dropped link would."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.connection.close()

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_PATCH = _handle
    do_HEAD = _handle


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Threaded HTTP/1.1 server with a deep accept queue and tracked connections."""

    request_queue_size = 1024
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, port: int, app: Application) -> None:
        self.app = app
        self.stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((HOST, port), _Handler)

    def process_request_thread(self, request: socket.socket, client_address: tuple[str, int]) -> None:  # type: ignore[override]
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)

    def handle_error(self, request: object, client_address: object) -> None:
        """Client hang-ups (timeouts, resets) are normal here; do not print tracebacks."""

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class ServerThread:
    """Runs an `EmulatorHTTPServer` in a background thread; `stop()` is idempotent."""

    def __init__(self, app: Application, port: int = 0) -> None:
        self.server = EmulatorHTTPServer(port, app)
        self.port: int = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, name=f"b24-emulator:{self.port}", daemon=True
        )
        self._stopped = False

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self.server.stopping.set()
        if self._thread.is_alive():
            self.server.shutdown()
        self.server.close_connections()
        self.server.server_close()
        self._thread.join(timeout=5)
