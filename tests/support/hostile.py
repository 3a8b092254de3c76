"""A portal that lies: an HTTP server on 127.0.0.1 whose every reply a test scripts.

The emulator behaves like Bitrix24; this server behaves like whatever a test needs to
prove the client survives: redirects to another host, replies that never end or arrive
one byte at a time, JSON that is nested absurdly deep or carries nonsense in `total`.
It records each request it saw (method, path, headers, body) so a test can tell what
reached it, e.g. whether a redirect target ever received a token.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Seen:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b'{"result":true}'
    headers: dict[str, str] = field(default_factory=dict)
    drip: float = 0.0  # seconds to wait before each chunk of an iterable body
    chunked: bool = False  # iterable bodies: chunked encoding, else close-delimited


Script = Callable[[Seen], Reply]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: request lines carry tokens the secret tests look for elsewhere."""

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        seen = Seen(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length) if length else b""
        )
        self.server.seen.append(seen)
        reply = self.server.script(seen)
        try:
            self._send(reply)
        except OSError:  # the client gave up (cap reached, deadline): expected here
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        if reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        for chunk in reply.body:
            if self.server.stopping.wait(reply.drip) if reply.drip else self.server.stopping.is_set():
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if reply.chunked else chunk)
            self.wfile.flush()
        if reply.chunked:
            self.wfile.write(b"0\r\n\r\n")

    do_GET = _handle
    do_POST = _handle


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, script: Script) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.script = script
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def webhook(self, token: str = "hostile-webhook-token") -> str:
        return f"{self.url}/rest/1/{token}/"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)


def endless(chunk: bytes = b" " * 65536) -> Iterator[bytes]:
    """A body that never ends: valid JSON whitespace, forever."""
    yield b'{"result":'
    while True:
        yield chunk


def nested(depth: int) -> bytes:
    return b'{"result":' + b"[" * depth + b"]" * depth + b"}"


def time_block(**overrides: float) -> dict[str, float]:
    now = time.time()
    return {
        "start": now,
        "finish": now,
        "duration": 0.0,
        "processing": 0.0,
        "operating": 0.0,
        "operating_reset_at": now + 60,
        **overrides,
    }
