"""REST v3 writes carry an Idempotency-Key, so a write whose outcome is unknown is repeated
with the same key (the portal replays its stored reply) instead of failing as unknown."""

from __future__ import annotations

import pytest

from b24client import errors
from b24client.emulator import Emulator
from b24client.runtime.retry import NO_RETRY, RetryPolicy
from tests.conftest import make_client
from tests.support.hostile import HostileServer, Reply

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24

WRITE = "humanresources.node.add"
NODE = {"name": "Marketing", "type": "DEPARTMENT", "parentId": 1}
RETRY = RetryPolicy(attempts=3, backoff=0.001, max_backoff=0.01)


@pytest.mark.parametrize("fault", ["reset_after", "truncated"])
def test_a_v3_write_lost_after_it_ran_is_repeated_with_its_key_and_replayed(b24_emulator: Emulator, fault: str) -> None:
    client = make_client(webhook=b24_emulator.webhook_url, retry=RETRY, rate_limit=False)
    expected = client.call(WRITE, NODE, api_version=3)
    b24_emulator.reset()
    b24_emulator.inject(fault, method=f"{WRITE}@v3")
    assert client.call(WRITE, NODE, api_version=3) == expected
    sent = [record for record in b24_emulator.log if record.method == f"{WRITE}@v3"]
    assert [record.replayed for record in sent] == [False, True]  # ran once; the repeat was answered from the store


def test_without_retries_the_unknown_outcome_is_still_reported(b24_emulator: Emulator) -> None:
    client = make_client(webhook=b24_emulator.webhook_url, retry=NO_RETRY, rate_limit=False)
    b24_emulator.inject("reset_after", method=f"{WRITE}@v3")
    with pytest.raises(errors.TransportError):
        client.call(WRITE, NODE, api_version=3)


def test_every_v3_write_carries_a_fresh_key_and_nothing_else_does() -> None:
    with HostileServer(lambda seen: Reply(200, b'{"result":{"item":{"id":1}}}')) as server:
        client = make_client(webhook=server.webhook(), retry=NO_RETRY, rate_limit=False)
        client.call(WRITE, NODE, api_version=3)
        client.call(WRITE, NODE, api_version=3)
        client.call("humanresources.node.get", {"id": 1}, api_version=3)
        client.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
    keys = [seen.headers.get("idempotency-key") for seen in server.seen]
    assert keys[0] and keys[1] and keys[0] != keys[1]
    assert 1 <= len(keys[0]) <= 255 and keys[0].isascii() and keys[0].isprintable()
    assert keys[2:] == [None, None]


def test_a_v3_write_repeated_after_an_unreadable_reply_sends_the_same_key_and_body() -> None:
    replies = iter([Reply(200, b'{"result":'), Reply(200, b'{"result":{"id":7}}')])  # cut JSON: outcome unknown
    with HostileServer(lambda seen: next(replies)) as server:
        client = make_client(webhook=server.webhook(), retry=RETRY, rate_limit=False)
        assert client.call(WRITE, NODE, api_version=3) == {"id": 7}
    first, again = server.seen
    assert first.headers["idempotency-key"] == again.headers["idempotency-key"]
    assert first.body == again.body
