"""The framework adapters over real loopback HTTP: Flask, Django (WSGI) and FastAPI (ASGI mount).

Each test skips when its framework is not installed; the dev extra installs all three."""

from __future__ import annotations

import queue
import subprocess
import sys

import pytest
import requests

from b24client.runtime.inbound import ASGIEventApp, EventRouter, django_view, flask_view
from b24client.runtime.inbound.wsgi import serve
from tests.inbound.conftest import FORM, TOKEN, asgi_server, event_fields, php_form

WAIT = 10


def exercise(url: str, router: EventRouter, got: queue.Queue) -> None:
    """The same four requests against any adapter: a good event, a forgery, a big body, a GET."""
    good = requests.post(url, data=php_form(event_fields()), headers={"Content-Type": FORM}, timeout=WAIT)
    assert good.status_code == 200 and good.json() == {"result": "ok"}
    assert got.get(timeout=WAIT).data == {"FIELDS": {"ID": "42"}}
    forged = requests.post(url, data=php_form(event_fields(token="0" * 32)), headers={"Content-Type": FORM}, timeout=WAIT)
    assert forged.status_code == 403
    big = php_form(event_fields(data={"FIELDS": {"ID": "1", "COMMENTS": "x" * 4096}}))
    assert requests.post(url, data=big, headers={"Content-Type": FORM}, timeout=WAIT).status_code == 413
    assert got.empty()


def router_and_queue() -> tuple[EventRouter, queue.Queue]:
    router = EventRouter(application_token=TOKEN, max_body_bytes=2048, background=False)
    got: queue.Queue = queue.Queue()
    router.on("ONCRMDEALADD")(got.put)
    return router, got


def test_flask_view():
    flask = pytest.importorskip("flask")
    router, got = router_and_queue()
    app = flask.Flask("b24test")
    app.add_url_rule("/b24/", view_func=flask_view(router), methods=["POST"])
    with serve(app) as url:
        exercise(url + "/b24/", router, got)


def test_django_view():
    pytest.importorskip("django")
    import django
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import path

    router, got = router_and_queue()
    urls = type(sys)("b24test_urls")
    urls.urlpatterns = [path("b24/", django_view(router))]
    sys.modules["b24test_urls"] = urls
    if not settings.configured:
        settings.configure(
            ROOT_URLCONF="b24test_urls",
            ALLOWED_HOSTS=["127.0.0.1"],
            SECRET_KEY="tests-only",
            MIDDLEWARE=["django.middleware.common.CommonMiddleware", "django.middleware.csrf.CsrfViewMiddleware"],
        )
        django.setup()
    with serve(WSGIHandler()) as url:
        exercise(url + "/b24/", router, got)


def test_fastapi_mount():
    fastapi = pytest.importorskip("fastapi")
    router, got = router_and_queue()
    api = fastapi.FastAPI()
    api.mount("/b24", ASGIEventApp(router))
    with asgi_server(api) as url:
        exercise(url + "/b24/", router, got)


def test_importing_the_package_imports_no_framework():
    code = (
        "import sys, b24client.runtime.inbound, b24client\n"
        "print(sorted(m for m in ('flask', 'django', 'fastapi', 'starlette', 'uvicorn', 'redis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
