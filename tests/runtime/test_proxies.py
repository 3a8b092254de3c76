"""Proxies from the environment and from a session, over a real forward proxy (the
environment's for both clients: `client_kind` is in tests/conftest.py).

The sync transport resolves what requests reads from the environment once per portal
origin (transport.py `_environment`); these tests hold it to what `Session.post` does.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from b24client import Bitrix24
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.exceptions import TransportError
from b24client.runtime.retry import RetryPolicy
from tests.conftest import make_client
from tests.support.forward_proxy import ForwardProxy

NO_RETRY = RetryPolicy(attempts=1)


@pytest.fixture(scope="module")
def portal() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


@pytest.fixture
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


def _clear_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_calls_go_through_the_proxy_the_environment_names(
    portal: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, client_kind: str
) -> None:
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    b24 = make_client(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False)
    try:
        first = b24.sale.paysystem.list()
        assert b24.sale.paysystem.list() == first
    finally:
        b24.close()
    assert proxy.requested == [portal.webhook_url + "sale.paysystem.list"] * 2


def test_no_proxy_sends_straight_to_the_portal(
    portal: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch, client_kind: str
) -> None:
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    b24 = make_client(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False)
    try:
        b24.sale.paysystem.list()
    finally:
        b24.close()
    assert proxy.requested == []


def test_a_dead_proxy_is_a_failure_that_surely_never_sent(
    portal: Emulator, monkeypatch: pytest.MonkeyPatch, client_kind: str
) -> None:
    _clear_proxy_environment(monkeypatch)
    with ForwardProxy() as gone:
        dead = gone.url  # its port is closed once the block ends
    monkeypatch.setenv("HTTP_PROXY", dead)
    b24 = make_client(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False)
    try:
        with pytest.raises(TransportError) as caught:
            b24.crm.deal.add(fields={"TITLE": "via a dead proxy"})
    finally:
        b24.close()
    assert caught.value.sent is False
    assert portal.webhook_url.split("/")[-2] not in str(caught.value)  # the token is not in the message


def test_a_change_to_the_sessions_proxies_is_seen_on_the_next_call(
    portal: Emulator, proxy: ForwardProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sync only: a requests.Session is the sync client's (httpx fixes proxies when a client is made)."""
    _clear_proxy_environment(monkeypatch)
    session = requests.Session()
    with Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False, session=session) as b24:
        b24.sale.paysystem.list()
        session.proxies["http"] = proxy.url
        b24.sale.paysystem.list()
        session.proxies.clear()
        b24.sale.paysystem.list()
    assert proxy.requested == [portal.webhook_url + "sale.paysystem.list"]
