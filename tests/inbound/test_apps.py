"""The event endpoint over real loopback HTTP, as WSGI (wsgiref) and ASGI (uvicorn)."""

from __future__ import annotations

import json
import logging
import queue
import threading

import pytest
import requests

from b24client.runtime.inbound import ASGIEventApp, EventRouter, WSGIEventApp
from tests.inbound.conftest import FORM, TOKEN, asgi_server, event_fields, php_form, wsgi_server

SERVERS = {"wsgi": (WSGIEventApp, wsgi_server), "asgi": (ASGIEventApp, asgi_server)}
WAIT = 10  # seconds a test waits for a handler before failing; never a measured duration


@pytest.fixture(params=sorted(SERVERS))
def serve(request):
    wrap, server = SERVERS[request.param]

    def start(router: EventRouter):
        return server(wrap(router))

    return start


def post(url: str, body: bytes, content_type: str = FORM) -> requests.Response:
    return requests.post(url + "/handler/", data=body, headers={"Content-Type": content_type}, timeout=WAIT)


def test_events_reach_the_handler_of_their_name_only(serve):
    router = EventRouter(application_token=TOKEN)
    deals: queue.Queue = queue.Queue()
    leads: queue.Queue = queue.Queue()
    router.on("ONCRMDEALADD")(deals.put)
    router.on("oncrmleadadd")(leads.put)
    with serve(router) as url:
        reply = post(url, php_form(event_fields("ONCRMDEALADD")))
        assert reply.status_code == 200
        event = deals.get(timeout=WAIT)
        assert event.name == "ONCRMDEALADD" and event.data == {"FIELDS": {"ID": "42"}}
        assert post(url, php_form(event_fields("ONCRMLEADADD"))).status_code == 200
        assert leads.get(timeout=WAIT).name == "ONCRMLEADADD"
    router.close()
    assert deals.empty() and leads.empty()


def test_the_answer_does_not_wait_for_the_handler(serve):
    """The handler blocks until the test has its 200: if the app waited for it, this deadlocks."""
    router = EventRouter(application_token=TOKEN)
    answered = threading.Event()
    finished: queue.Queue = queue.Queue()

    @router.on("ONCRMDEALADD")
    def slow(event):
        finished.put(answered.wait(WAIT))

    with serve(router) as url:
        assert post(url, php_form(event_fields())).status_code == 200
        answered.set()
        assert finished.get(timeout=WAIT) is True
    router.close()


@pytest.mark.parametrize(("token", "status"), [(None, 401), ("0" * 32, 403)])
def test_bad_tokens_are_refused_and_nothing_is_dispatched(serve, token, status):
    router = EventRouter(application_token=TOKEN, background=False)
    seen: list = []
    router.on("*")(seen.append)
    with serve(router) as url:
        reply = post(url, php_form(event_fields(token=token)))
        assert reply.status_code == status
        assert TOKEN not in reply.text
        # A good event after it shows the handler is wired: `seen` holds only that one.
        assert post(url, php_form(event_fields())).status_code == 200
    assert [event.auth.application_token for event in seen] == [TOKEN]


def test_bodies_too_large_and_wrong_methods_are_refused(serve):
    router = EventRouter(application_token=TOKEN, max_body_bytes=2048, background=False)
    seen: list = []
    router.on("*")(seen.append)
    with serve(router) as url:
        big = php_form(event_fields(data={"FIELDS": {"ID": "1", "COMMENTS": "x" * 4096}}))
        assert post(url, big).status_code == 413
        chunked = requests.post(
            url + "/handler/", data=iter([big[:1000], big[1000:]]), headers={"Content-Type": FORM}, timeout=WAIT
        )  # no Content-Length
        assert chunked.status_code == 413
        got = requests.get(url + "/handler/", timeout=WAIT)
        assert got.status_code == 405 and got.headers["Allow"] == "POST"
        assert post(url, b"not an event").status_code == 400
    assert seen == []


def test_a_failing_handler_is_logged_not_leaked(serve, caplog):
    router = EventRouter(application_token=TOKEN, background=False)
    calls: queue.Queue = queue.Queue()

    @router.on("ONCRMDEALADD")
    def broken(event):
        raise RuntimeError(f"database down while storing token {event.auth.application_token}")

    router.on("ONCRMDEALADD")(calls.put)  # the next handler still runs
    with caplog.at_level(logging.ERROR, logger="b24client.inbound"), serve(router) as url:
        reply = post(url, php_form(event_fields()))
        assert reply.status_code == 200
        assert "database" not in reply.text
        calls.get(timeout=WAIT)
    messages = [record.getMessage() for record in caplog.records if record.name == "b24client.inbound"]
    assert any("broken" in message and "database down" in message for message in messages)
    assert not any(TOKEN in message for message in messages)


def test_json_bodies_are_served_too(serve):
    router = EventRouter(application_token=TOKEN)
    got: queue.Queue = queue.Queue()
    router.on("ONCRMDEALADD")(got.put)
    with serve(router) as url:
        assert post(url, json.dumps(event_fields()).encode(), "application/json").status_code == 200
        assert got.get(timeout=WAIT).handler_id == 7
    router.close()


def test_async_handlers_run_under_asgi():
    router = EventRouter(application_token=TOKEN)
    got: queue.Queue = queue.Queue()

    async def handler(event):
        got.put(event.name)

    router.on("ONCRMDEALADD")(handler)
    with asgi_server(ASGIEventApp(router)) as url:
        assert post(url, php_form(event_fields())).status_code == 200
        assert got.get(timeout=WAIT) == "ONCRMDEALADD"


def test_router_needs_exactly_one_token_source():
    with pytest.raises(ValueError, match="exactly one"):
        EventRouter()
