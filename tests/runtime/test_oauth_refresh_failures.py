"""OAuth refresh when it goes wrong, against the emulator's token endpoint over HTTP.

A refused refresh is asked for once however many threads wait on it, and a failing
`on_token_refresh` does not throw away a call whose tokens were already rotated.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from b24client import errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.exceptions import TokenCallbackWarning
from b24client.runtime.retry import NO_RETRY
from tests.conftest import make_client

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24


@pytest.fixture
def portal() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


def _oauth(portal: Emulator, **options: Any) -> Any:
    creds = portal.oauth_credentials()
    options.setdefault("refresh_token", creds["refresh_token"])
    return make_client(
        domain=creds["domain"],
        access_token=creds["access_token"],
        client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        token_url=creds["token_url"],
        retry=NO_RETRY,
        rate_limit=False,
        **options,
    )


def _token_requests(portal: Emulator) -> int:
    return sum(record.path.startswith("/oauth/token") for record in portal.log)


def test_a_refused_refresh_is_shared_by_every_waiting_thread(portal: Emulator) -> None:
    client = _oauth(portal, refresh_token="not-a-refresh-token")
    portal.expire_tokens()
    start = threading.Barrier(16)
    raised: list[BaseException] = []

    def call() -> None:
        start.wait()
        try:
            client.call("crm.deal.list")
        except errors.AuthenticationError as exc:
            raised.append(exc)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(raised) == 16
    assert {exc.code for exc in raised} == {"invalid_grant"}  # type: ignore[attr-defined]
    assert _token_requests(portal) == 1
    with pytest.raises(errors.AuthenticationError):  # and a later call does not ask again either
        client.call("crm.deal.list")
    assert _token_requests(portal) == 1


def test_a_failing_token_callback_does_not_fail_the_call(portal: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    def store(tokens: dict[str, Any]) -> None:
        raise OSError(f"database down while saving {tokens['refresh_token']}")

    client = _oauth(portal, on_token_refresh=store)
    portal.expire_tokens()
    with caplog.at_level(logging.ERROR, logger="b24client"), pytest.warns(TokenCallbackWarning) as warned:
        assert client.call("crm.deal.list") == []
    new_refresh = client._auth.refresh_token  # type: ignore[attr-defined]
    assert new_refresh != portal.oauth_credentials()["refresh_token"]  # rotated, and in use
    assert "on_token_refresh failed" in caplog.text and "database down" in caplog.text
    assert new_refresh not in caplog.text and new_refresh not in str(warned[0].message)
    assert _token_requests(portal) == 1
