"""Flask and Django views around an `EventRouter` (FastAPI and Starlette mount `ASGIEventApp`).

Each framework is imported inside the view, on the first request, so importing b24client
never imports a framework and none of them is a dependency. The view does what the WSGI
app does: cap the body, verify, answer, then dispatch the handlers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .router import EventRouter
from .wsgi import limit_body


def flask_view(router: EventRouter) -> Callable[[], Any]:
    """`app.add_url_rule("/b24/", view_func=flask_view(router), methods=["POST"])`."""

    def b24_events() -> Any:
        from flask import Response, request  # pyright: ignore[reportMissingImports]  (optional: the app has it)

        body = limit_body(request.content_length, request.stream.read, router.max_body_bytes)
        reply, event = router.respond(request.method, body, request.content_type, request.query_string.decode("latin-1"))
        if event is not None:
            router.dispatch(event)
        return Response(reply.body, status=reply.status, headers=list(reply.headers))

    return b24_events


def django_view(router: EventRouter) -> Callable[[Any], Any]:
    """`path("b24/", django_view(router))`; exempt from CSRF (the portal sends no CSRF token)."""

    def b24_events(request: Any) -> Any:
        from django.http import HttpResponse  # pyright: ignore[reportMissingImports]  (optional: the app has it)

        declared = str(request.META.get("CONTENT_LENGTH") or "").strip()
        body = limit_body(int(declared) if declared.isdigit() else None, request.read, router.max_body_bytes)
        reply, event = router.respond(
            request.method, body, request.META.get("CONTENT_TYPE"), request.META.get("QUERY_STRING", "")
        )
        if event is not None:
            router.dispatch(event)
        response = HttpResponse(reply.body, status=reply.status)
        for name, value in reply.headers:
            response[name] = value
        return response

    b24_events.csrf_exempt = True  # type: ignore[attr-defined]  # what django's @csrf_exempt sets
    return b24_events
