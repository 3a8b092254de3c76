"""Where calls go, HTTPS enforcement, and secrets kept out of reprs and errors."""

from __future__ import annotations

import logging
import socket

import pytest

from b24client import errors
from b24client.runtime.auth import OAuthAuth, WebhookAuth
from b24client.runtime.retry import RetryPolicy
from tests.conftest import make_client

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24

TOKEN = "s3cr3t-webhook-token"


def test_plain_http_is_refused_except_on_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        make_client(webhook=f"http://portal.example.com/rest/1/{TOKEN}/")
    make_client(webhook=f"https://portal.example.com/rest/1/{TOKEN}/")
    make_client(webhook=f"http://127.0.0.1:8765/rest/1/{TOKEN}/")
    make_client(webhook=f"http://localhost:8765/rest/1/{TOKEN}/")
    with pytest.raises(ValueError, match="https"):
        make_client(domain="http://portal.example.com", access_token="a")


def test_url_forms_for_webhook_and_oauth_v2_and_v3() -> None:
    hook = WebhookAuth(f"https://p.example.com/rest/7/{TOKEN}/")
    assert hook.url_for("crm.deal.list", 2) == f"https://p.example.com/rest/7/{TOKEN}/crm.deal.list"
    assert hook.url_for("tasks.task.list", 3) == f"https://p.example.com/rest/api/7/{TOKEN}/tasks.task.list"
    oauth = OAuthAuth("p.example.com", "access")
    assert oauth.url_for("crm.deal.list", 2) == "https://p.example.com/rest/crm.deal.list"
    assert oauth.url_for("tasks.task.list", 3) == "https://p.example.com/rest/api/tasks.task.list"
    assert oauth.body_auth() == "access"


def test_reprs_mask_every_secret() -> None:
    hook_client = make_client(webhook=f"https://p.example.com/rest/1/{TOKEN}/")
    assert TOKEN not in repr(hook_client)
    oauth_client = make_client(
        domain="p.example.com",
        access_token="access-XYZ123",
        refresh_token="refresh-XYZ123",
        client_id="app.1",
        client_secret="secret-XYZ123",
    )
    text = repr(oauth_client)
    for secret in ("access-XYZ123", "refresh-XYZ123", "secret-XYZ123"):
        assert secret not in text
    assert "app.1" in text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_connection_errors_carry_no_token_and_say_the_request_was_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    client = make_client(
        webhook=f"http://127.0.0.1:{_closed_port()}/rest/1/{TOKEN}/",
        retry=RetryPolicy(attempts=2, backoff=0.001),
        rate_limit=False,
    )
    with caplog.at_level(logging.DEBUG, logger="b24client"), pytest.raises(errors.TransportError) as raised:
        client.call("crm.item.payment.pay", {"id": 1})
    assert raised.value.sent is False
    assert not isinstance(raised.value, errors.OutcomeUnknownError)
    assert TOKEN not in str(raised.value)
    assert raised.value.__cause__ is None and raised.value.__context__ is None  # no library exception, URL and all
    assert TOKEN not in caplog.text
