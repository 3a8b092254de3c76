"""Many processes, one portal, one expired token: exactly one refresh reaches the portal."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading

import pytest

from b24client.runtime.inbound import FileTokenStore, PortalTokens, RedisTokenStore, async_portal_client, portal_client
from b24client.runtime.retry import NO_RETRY
from tests.inbound import refresh_worker

MEMBER = "emulator"
WORKERS = 2


def refreshes(portal) -> list:
    return [
        record
        for record in portal.log
        if record.path.rstrip("/") == "/oauth/token" and record.params.get("grant_type") == "refresh_token"
    ]


def seed(store, portal) -> PortalTokens:
    credentials = portal.oauth_credentials()
    tokens = PortalTokens(
        member_id=MEMBER,
        domain=portal.base_url.removeprefix("http://"),
        access_token=credentials["access_token"],
        refresh_token=credentials["refresh_token"],
        client_endpoint=credentials["client_endpoint"],
        application_token="a" * 32,
    )
    store.save(tokens)
    portal.expire_tokens()
    return tokens


def run_workers(kind: str, where: str, portal, client_kind: str = "sync") -> list:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    processes = [
        context.Process(
            target=refresh_worker.call_once, args=(kind, where, MEMBER, portal.oauth_credentials(), barrier, results, client_kind)
        )
        for _ in range(WORKERS)
    ]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    return sorted(outcomes)


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_two_processes_refresh_a_shared_expired_token_once(b24_emulator, tmp_path, request, kind, client_kind):
    where = str(tmp_path) if kind == "file" else request.getfixturevalue("redis_url")
    store = refresh_worker.open_store(kind, where)
    before = seed(store, b24_emulator)
    outcomes = run_workers(kind, where, b24_emulator, client_kind)
    assert [status for status, _ in outcomes] == ["ok", "ok"], outcomes
    assert sorted(count for _, count in outcomes) == [0, 1]  # one process refreshed, the other adopted
    assert len(refreshes(b24_emulator)) == 1
    assert b24_emulator.token_requests("refresh_token") == 1  # the portal's own counter agrees
    after = store.get(MEMBER)
    assert after.access_token != before.access_token and after.refresh_token != before.refresh_token
    assert after.application_token == before.application_token
    calls = [record for record in b24_emulator.log if record.method == "crm.deal.list"]
    assert sorted(record.status for record in calls) == [200, 200, 401, 401]


def test_the_control_without_a_shared_store_refreshes_twice_and_loses(b24_emulator, tmp_path, client_kind):
    """The same two processes with their own copy of the tokens: the second refresh is refused."""
    seed(FileTokenStore(tmp_path), b24_emulator)
    outcomes = run_workers("plain", str(tmp_path), b24_emulator, client_kind)
    assert len(refreshes(b24_emulator)) == 2
    assert [status for status, _ in outcomes] == ["error", "ok"]
    assert "invalid_grant" in outcomes[0][1]


def test_threads_with_separate_clients_share_the_store_lock_too(b24_emulator, tmp_path):
    store = FileTokenStore(tmp_path)
    seed(store, b24_emulator)
    credentials = b24_emulator.oauth_credentials()
    clients = [
        portal_client(
            store,
            member_id=MEMBER,
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            token_url=credentials["token_url"],
            retry=NO_RETRY,
            rate_limiter=None,
        )
        for _ in range(4)
    ]
    barrier = threading.Barrier(len(clients))
    failures: list = []

    def work(b24):
        barrier.wait()
        try:
            b24.call("crm.deal.list", {"start": -1})
        except Exception as exc:  # collected, asserted below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(b24,)) for b24 in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(refreshes(b24_emulator)) == 1


def test_tasks_with_separate_async_clients_share_the_store_lock(b24_emulator, tmp_path):
    """Four `AsyncBitrix24` clients on one loop find the token expired at once: one refresh."""
    store = FileTokenStore(tmp_path)
    seed(store, b24_emulator)
    credentials = b24_emulator.oauth_credentials()
    keys = {name: credentials[name] for name in ("client_id", "client_secret", "token_url")}

    async def scenario() -> list:
        clients = [async_portal_client(store, member_id=MEMBER, **keys, retry=NO_RETRY, rate_limiter=None) for _ in range(4)]
        try:
            return await asyncio.gather(*(b24.call("crm.deal.list", {"start": -1}) for b24 in clients))
        finally:
            for b24 in clients:
                await b24.aclose()

    assert len(asyncio.run(scenario())) == 4
    assert len(refreshes(b24_emulator)) == 1
    assert b24_emulator.token_requests("refresh_token") == 1


def test_redis_store_round_trip_and_domain_index(redis_url):
    store = RedisTokenStore(url=redis_url, prefix="t:")
    tokens = PortalTokens(member_id="m1", domain="One.bitrix24.com", access_token="a", refresh_token="r")
    store.save(tokens)
    assert store.get("m1") == tokens
    assert store.member_for_domain("https://one.bitrix24.com/") == "m1"
    store.delete("m1")
    assert store.get("m1") is None and store.member_for_domain("one.bitrix24.com") is None
