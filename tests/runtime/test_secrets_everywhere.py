"""With DEBUG logging on for every logger, no secret shows anywhere a person could read it.

The scenarios cover what a client does: calls, error replies, OAuth refresh (and a refused
one), batch, iterate, transport failures, redirects and malformed replies. A secret is
looked for as it is and percent-encoded, in every log line (urllib3's request lines
included) and in str/repr of every exception along its __cause__/__context__ chain.
"""

from __future__ import annotations

import logging
import socket
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.retry import NO_RETRY, RetryPolicy
from tests.conftest import make_client
from tests.support.hostile import HostileServer, Reply

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24

WEBHOOK_TOKEN = "webhookTOKEN4242secret"
CLIENT_SECRET = "client/secret+with=odd&chars"  # percent-encodes in a query


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _forms(secrets: list[str]) -> set[str]:
    return {
        form
        for secret in secrets
        if secret
        for form in (secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret))
    }


@pytest.fixture
def debug_everywhere(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with caplog.at_level(logging.DEBUG):  # the root logger: every library's records reach it
        yield caplog


def test_no_secret_in_any_log_line_or_exception(debug_everywhere: pytest.LogCaptureFixture) -> None:
    failures: list[BaseException] = []
    secrets = [WEBHOOK_TOKEN, CLIENT_SECRET]

    def expect_failure(action: Callable[[], Any]) -> None:
        try:
            action()
        except Exception as exc:
            failures.append(exc)
        else:
            raise AssertionError("the scenario was meant to fail")

    config = EmulatorConfig(limits_enabled=False, webhook_token=WEBHOOK_TOKEN, client_secret=CLIENT_SECRET, deals=120)
    with Emulator(config) as portal:
        hook = make_client(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False)
        hook.call("crm.deal.list", {})
        assert len(list(hook.iterate("crm.deal.list", {}))) == 120
        hook.batch([("crm.deal.list", {}), ("crm.deal.get", {"id": 10**6})], raise_on_error=False)
        expect_failure(lambda: hook.call("crm.item.payment.get", {"id": 10**6}))
        expect_failure(lambda: hook.batch([("crm.item.payment.get", {"id": 10**6})]))
        portal.inject("reset_after", method="crm.item.payment.add")
        portal.seed_deals(1)
        expect_failure(lambda: hook.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}))

        creds = portal.oauth_credentials()
        oauth = make_client(
            domain=creds["domain"],
            access_token=creds["access_token"],
            refresh_token=creds["refresh_token"],
            client_id=creds["client_id"],
            client_secret=CLIENT_SECRET,
            token_url=creds["token_url"],
            retry=NO_RETRY,
            rate_limit=False,
        )
        portal.expire_tokens()
        oauth.call("crm.deal.list", {})  # refreshed on the way
        secrets += [
            creds["access_token"],
            creds["refresh_token"],
            oauth._auth.access_token,  # type: ignore[attr-defined]
            oauth._auth.refresh_token,
        ]  # type: ignore[attr-defined]
        refused = make_client(
            domain=creds["domain"],
            access_token=oauth._auth.access_token,  # type: ignore[attr-defined]
            refresh_token="refused-refresh-token",
            client_id=creds["client_id"],
            client_secret=CLIENT_SECRET,
            token_url=creds["token_url"],
            retry=NO_RETRY,
            rate_limit=False,
        )
        secrets.append("refused-refresh-token")
        portal.expire_tokens()
        expect_failure(lambda: refused.call("crm.deal.list", {}))

    dead = f"http://127.0.0.1:{_closed_port()}"
    expect_failure(
        lambda: make_client(
            webhook=f"{dead}/rest/1/{WEBHOOK_TOKEN}/", rate_limit=False, retry=RetryPolicy(attempts=2, backoff=0.001)
        ).call("crm.deal.list")
    )
    unreachable = make_client(
        domain=dead,
        access_token="dead-access-token",
        refresh_token="dead-refresh-token",
        client_id="app",
        client_secret=CLIENT_SECRET,
        token_url=f"{dead}/oauth/token/",
        retry=NO_RETRY,
        rate_limit=False,
    )
    secrets += ["dead-access-token", "dead-refresh-token"]
    expect_failure(lambda: unreachable.call("crm.deal.list"))
    expect_failure(
        lambda: unreachable._auth.refresh(
            unreachable._transport.session,  # type: ignore[attr-defined]
            "dead-access-token",
            1,
        )
    )
    replies = [
        Reply(307, b"", {"Location": f"{dead}/rest/1/{WEBHOOK_TOKEN}/x?auth={WEBHOOK_TOKEN}"}),
        Reply(502, f"<html>{WEBHOOK_TOKEN}</html>".encode()),
        Reply(200, b'{"result":[], "total":"' + WEBHOOK_TOKEN.encode() + b'"}'),
    ]
    for reply in replies:
        with HostileServer(lambda seen, reply=reply: reply) as server:
            client = make_client(webhook=server.webhook(WEBHOOK_TOKEN), retry=NO_RETRY, rate_limit=False)
            expect_failure(lambda client=client: client.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}))
            secrets.append(WEBHOOK_TOKEN)

    forms = _forms(secrets)
    records = debug_everywhere.records
    assert any(record.name.startswith("urllib3") for record in records)  # the library did log its requests
    leaking = [record.getMessage() for record in records if any(form in record.getMessage() for form in forms)]
    assert leaking == []
    texts = [text for exc in failures for link in _chain(exc) for text in (str(link), repr(link))]
    assert len(failures) == 10
    assert [text for text in texts if any(form in text for form in forms)] == []
    for client in (hook, oauth, refused, unreachable):
        assert not any(form in repr(client) for form in forms)
