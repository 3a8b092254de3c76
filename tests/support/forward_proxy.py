"""A plain-HTTP forward proxy on loopback that records the absolute URLs it was asked for.

Users behind a corporate proxy set HTTP(S)_PROXY; the clients must send through it. The
proxy forwards each request to its target with `http.client` and relays the reply as it
came (status, headers, body), so a test sees the real call path through a real proxy.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

_HOP_BY_HOP = {
    *("connection", "keep-alive", "proxy-connection", "proxy-authorization"),
    *("te", "trailer", "transfer-encoding", "upgrade"),
}


class ForwardProxy:
    def __init__(self) -> None:
        self.requested: list[str] = []  # the absolute URLs clients asked for, in order
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                target = urlsplit(self.path)
                proxy.requested.append(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                upstream = http.client.HTTPConnection(target.hostname or "", target.port, timeout=30)
                try:
                    upstream.request("POST", target.path + (f"?{target.query}" if target.query else ""), body, headers)
                    reply = upstream.getresponse()
                    content = reply.read()
                    self.send_response(reply.status)
                    for name, value in reply.getheaders():
                        if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                finally:
                    upstream.close()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ForwardProxy:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
