"""The event endpoint as an ASGI application (standard library only).

    app = ASGIEventApp(EventRouter(store=store, installer=installer))   # uvicorn module:app

The response is sent whole before any handler runs; then async handlers are awaited and
sync ones run in a worker thread, so a slow handler neither delays the portal's answer nor
blocks the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .router import EventRouter, Reply

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


async def _read_limited(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


class ASGIEventApp:
    def __init__(self, router: EventRouter) -> None:
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = str(scope.get("method", "GET"))
        body = await _read_limited(scope, receive, self.router.max_body_bytes) if method.upper() == "POST" else b""
        content_type = next(
            (value.decode("latin-1") for key, value in scope.get("headers", []) if key.lower() == b"content-type"), None
        )
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        reply, event = await asyncio.to_thread(self.router.respond, method, body, content_type, query)  # may call app.info
        await _send(send, reply)
        if event is None:
            return
        for handler in self.router.handlers_for(event.name):
            try:
                if inspect.iscoroutinefunction(handler):
                    await handler(event)
                else:
                    await asyncio.to_thread(self.router.run_one, handler, event)
            except Exception as exc:
                self.router.log_failure(event, handler, exc)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _send(send: Send, reply: Reply) -> None:
    headers = [(key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in reply.headers]
    headers.append((b"content-length", str(len(reply.body)).encode()))
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": reply.body, "more_body": False})
