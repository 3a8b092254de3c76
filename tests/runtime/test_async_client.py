"""AsyncBitrix24 over real HTTP against the emulator: the sync client's behaviour, awaited."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from b24client import AsyncBitrix24, errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime.ratelimit import PortalRateLimiter
from b24client.runtime.retry import RetryPolicy

FAST_RETRY = RetryPolicy(attempts=4, backoff=0.001, max_backoff=0.01)


@pytest.fixture
def portal() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(limits_enabled=False, deals=3)) as running:
        yield running


def _client(portal: Emulator) -> AsyncBitrix24:
    return AsyncBitrix24(webhook=portal.webhook_url, retry=FAST_RETRY, rate_limit=False)


def _sent(portal: Emulator, method: str) -> int:
    return sum(1 for record in portal.log if record.method == method)


def test_import_b24client_does_not_import_httpx() -> None:
    code = "import sys, b24client; b24client.Bitrix24; print('httpx' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_typed_and_generic_calls_are_awaited(portal: Emulator) -> None:
    async def scenario() -> tuple[object, object, object]:
        async with _client(portal) as b24:
            payment_id = await b24.crm.item.payment.add(entity_id=1, entity_type_id=2)
            paid = await b24.crm.item.payment.pay(id=payment_id)
            got = await b24.call("crm.item.payment.get", {"id": payment_id})
            return payment_id, paid, got

    payment_id, paid, got = asyncio.run(scenario())
    assert isinstance(payment_id, int) and paid is True
    assert isinstance(got, dict) and got["paid"] == "Y"


def test_a_validation_error_is_raised_before_anything_is_sent(portal: Emulator) -> None:
    async def scenario() -> None:
        async with _client(portal) as b24:
            await b24.crm.item.payment.add(entity_id="seven", entity_type_id=2)

    before = len(portal.log)
    with pytest.raises(errors.ValidationError) as raised:
        asyncio.run(scenario())
    assert any(problem.path == "entityId" and problem.rule == "type" for problem in raised.value.problems)
    assert len(portal.log) == before


def test_an_error_reply_raises_its_typed_class(portal: Emulator) -> None:
    async def scenario() -> None:
        async with _client(portal) as b24:
            await b24.crm.item.payment.get(id=999_999)

    with pytest.raises(errors.NotFoundError) as raised:
        asyncio.run(scenario())
    assert raised.value.method == "crm.item.payment.get"


@pytest.mark.parametrize("fault", ["503", "500"])
def test_a_read_is_retried_on_503_and_500(portal: Emulator, fault: str) -> None:
    portal.inject(fault, method="crm.item.payment.list", count=2)

    async def scenario() -> object:
        async with _client(portal) as b24:
            return await b24.call("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2})

    assert isinstance(asyncio.run(scenario()), list)
    assert _sent(portal, "crm.item.payment.list") == 3


def test_a_write_whose_outcome_is_unknown_is_never_resent(portal: Emulator) -> None:
    async def scenario() -> None:
        async with _client(portal) as b24:
            payment_id = await b24.crm.item.payment.add(entity_id=1, entity_type_id=2)
            portal.inject("reset_after", method="crm.item.payment.pay", count=1)
            await b24.crm.item.payment.pay(id=payment_id)

    with pytest.raises(errors.OutcomeUnknownError):
        asyncio.run(scenario())
    assert _sent(portal, "crm.item.payment.pay") == 1


def test_many_concurrent_tasks_share_one_client(portal: Emulator) -> None:
    async def scenario() -> list[object]:
        async with _client(portal) as b24:
            return await asyncio.gather(
                *(b24.call("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2}) for _ in range(20))
            )

    assert len(asyncio.run(scenario())) == 20
    assert _sent(portal, "crm.item.payment.list") == 20


def test_an_expired_token_is_refreshed_once_across_concurrent_tasks(portal: Emulator) -> None:
    credentials = portal.oauth_credentials()
    saved: list[dict[str, object]] = []

    async def scenario() -> list[object]:
        async with AsyncBitrix24(
            domain=credentials["domain"],
            access_token=credentials["access_token"],
            refresh_token=credentials["refresh_token"],
            client_id=credentials["client_id"],
            client_secret=credentials["client_secret"],
            token_url=credentials["token_url"],
            on_token_refresh=saved.append,
            retry=FAST_RETRY,
            rate_limit=False,
        ) as b24:
            payment_id = await b24.crm.item.payment.add(entity_id=1, entity_type_id=2)
            portal.expire_tokens()
            got = await asyncio.gather(*(b24.crm.item.payment.get(id=payment_id) for _ in range(8)))
            return [payment["id"] == payment_id for payment in got]

    assert asyncio.run(scenario()) == [True] * 8
    assert len(saved) == 1 and saved[0]["access_token"] != credentials["access_token"]
    assert sum(1 for record in portal.log if record.method is None and "/oauth/token" in record.path) == 1


def test_a_batch_runs_typed_and_generic_commands_with_references(portal: Emulator) -> None:
    async def scenario() -> tuple[object, object, object]:
        async with _client(portal) as b24:
            async with b24.batch() as batch:
                payment = batch.crm.item.payment.add(entity_id=1, entity_type_id=2)
                batch.call("crm.item.payment.get", {"id": payment}, label="got")
            by_commands = await b24.batch({"list": ("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2})})
            return batch.result[payment.label], batch.result["got"], by_commands["list"]

    payment_id, got, listed = asyncio.run(scenario())
    assert isinstance(got, dict) and int(got["id"]) == payment_id
    assert isinstance(listed, list) and len(listed) == 1
    assert _sent(portal, "batch") == 2


def test_a_batch_command_refused_by_a_limit_is_sent_again(portal: Emulator) -> None:
    portal.inject_command("503", index=0, count=1)

    async def scenario() -> object:
        async with _client(portal) as b24:
            result = await b24.batch([("crm.item.payment.list", {"entityId": 1, "entityTypeId": 2})])
            return result[0]

    assert isinstance(asyncio.run(scenario()), list)
    assert _sent(portal, "batch") == 2


def test_iterate_returns_every_record_once_in_the_sync_clients_order() -> None:
    from b24client import Bitrix24

    with Emulator(EmulatorConfig(limits_enabled=False, deals=260)) as big:

        async def scenario() -> list[Any]:
            async with _client(big) as b24:
                return [deal["ID"] async for deal in b24.iterate("crm.deal.list", {"select": ["ID", "TITLE"]}, workers=1)]

        got = asyncio.run(scenario())
        batches = _sent(big, "batch")
        with Bitrix24(webhook=big.webhook_url, rate_limit=False) as sync:
            expected = [deal["ID"] for deal in sync.iterate("crm.deal.list", {"select": ["ID", "TITLE"]}, workers=1)]
    assert got == expected and len(got) == 260 and len(set(got)) == 260
    assert batches == 1  # 6 chained pages of 50 fit one request


def test_iterate_by_offset_walks_the_same_pages_as_the_sync_client() -> None:
    from b24client import Bitrix24

    with Emulator(EmulatorConfig(limits_enabled=False, deals=120)) as big:

        async def scenario() -> list[Any]:
            async with _client(big) as b24:
                return [deal["ID"] async for deal in b24.iterate("crm.deal.list", {}, strategy="offset")]

        got = asyncio.run(scenario())
        with Bitrix24(webhook=big.webhook_url, rate_limit=False) as sync:
            expected = [deal["ID"] for deal in sync.iterate("crm.deal.list", {}, strategy="offset")]
    assert got == expected and len(set(got)) == 120


class _NoThreads(concurrent.futures.ThreadPoolExecutor):
    """A default executor that refuses work: proves a wait happened on the loop, not in a thread."""

    def submit(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the async client used a worker thread")


def test_calls_wait_for_the_rate_limiter_on_the_loop_not_in_threads() -> None:
    # 120 concurrent calls against a bucket of 50 draining 20/s: most must wait, none may
    # be refused, and no wait may occupy a thread of the loop's default executor (it has a
    # handful). Real time: a virtual clock would run ahead of requests still on the wire.
    with Emulator(EmulatorConfig(deals=3, limits_enabled=True, time_scale=10)) as limited:
        limiter = PortalRateLimiter(time_scale=10)

        async def scenario() -> list[object]:
            asyncio.get_running_loop().set_default_executor(_NoThreads())
            async with AsyncBitrix24(webhook=limited.webhook_url, retry=FAST_RETRY, rate_limiter=limiter) as b24:
                return await asyncio.gather(*(b24.call("crm.deal.list", {"select": ["ID"]}) for _ in range(120)))

        started = time.monotonic()
        assert len(asyncio.run(scenario())) == 120
        elapsed = time.monotonic() - started
        assert (limited.counters["query_limit_exceeded"], limited.counters["requests"]) == (0, 120)
        # 40 go at once (10 requests of margin at 20/s: default_margin); the other 80 drain at 20/s: 4 s.
        assert elapsed >= 3.0, f"120 requests through a bucket of 50 at 20/s took only {elapsed:.2f} s"


def test_a_batch_waits_for_operating_budget_without_blocking_the_loop() -> None:
    # The limiter has spent its whole operating budget, so the batch must wait for the
    # window to roll over (0.6 s at this scale); meanwhile the loop keeps running.
    with Emulator(EmulatorConfig(deals=3, limits_enabled=True, time_scale=1000)) as limited:
        limiter = PortalRateLimiter(time_scale=1000)
        limiter.operating.observe("crm.deal.list", {"operating": 480.0, "operating_reset_at": time.time() + 0.3})
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def scenario() -> object:
            asyncio.get_running_loop().set_default_executor(_NoThreads())
            beat = asyncio.create_task(ticker())
            async with AsyncBitrix24(webhook=limited.webhook_url, retry=FAST_RETRY, rate_limiter=limiter) as b24:
                result = await b24.batch([("crm.deal.list", {"select": ["ID"]})] * 3)
            beat.cancel()
            return result

        started = time.monotonic()
        result = asyncio.run(scenario())
        assert len(result) == 3
        assert time.monotonic() - started >= 0.25, "the batch did not wait for the reset"
        assert ticks >= 10, "the loop stood still while the batch waited"
        assert limited.counters["operation_time_limit"] == 0
