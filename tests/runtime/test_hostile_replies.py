"""The client against a portal that lies (tests/support/hostile.py), over real HTTP on loopback.

Redirects are never followed, a reply is capped in size and in time, the server cannot make
the client sleep for an hour, and a malformed reply always becomes a typed error (for a
write: OutcomeUnknownError, since it may have run).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import pytest

from b24client import errors
from b24client.runtime.ratelimit import PortalRateLimiter
from b24client.runtime.retry import NO_RETRY, RetryPolicy
from tests.conftest import make_client
from tests.support.hostile import HostileServer, Reply, Seen, endless, nested, time_block

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24

TOKEN = "hostile-webhook-token"
ACCESS = "hostile-access-token"
WRITE = ("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1})
READ = ("crm.item.payment.list", {"entityTypeId": 2, "entityId": 1})


def _hook(server: HostileServer, **options: Any) -> Any:
    options.setdefault("retry", NO_RETRY)
    return make_client(webhook=server.webhook(TOKEN), rate_limit=False, **options)


def _json(body: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(body).encode())


# -- 1. redirects -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("auth", ["webhook", "oauth"])
def test_a_redirect_is_never_followed_and_no_secret_reaches_its_target(status: int, auth: str) -> None:
    with HostileServer(lambda seen: _json({"result": "answer of the other host"})) as target:
        # "localhost" vs "127.0.0.1": another origin, as a redirect to another host would be.
        elsewhere = target.url.replace("127.0.0.1", "localhost")
        with HostileServer(lambda seen: Reply(status, b"", {"Location": elsewhere + seen.path})) as origin:
            client = (
                _hook(origin)
                if auth == "webhook"
                else make_client(domain=origin.url, access_token=ACCESS, retry=NO_RETRY, rate_limit=False)
            )
            for method, params in (WRITE, READ):
                with pytest.raises(errors.RedirectError) as raised:
                    client.call(method, params)
                assert raised.value.status == status
                assert TOKEN not in str(raised.value) and ACCESS not in str(raised.value)
            assert len(origin.seen) == 2  # not retried either: a redirect says the address is wrong
    assert target.seen == []


# -- 3. size and time of a reply ----------------------------------------------------------------


def test_a_reply_over_the_cap_is_refused_without_reading_it_all() -> None:
    body = b'{"result":"' + b"x" * (2 * 2**20) + b'"}'
    with HostileServer(lambda seen: Reply(200, body)) as server:
        with pytest.raises(errors.ReplyTooLargeError):
            _hook(server, max_reply_bytes=2**20).call(*READ)
        assert _hook(server, max_reply_bytes=4 * 2**20).call(*READ) == "x" * (2 * 2**20)


def test_an_endless_chunked_reply_stops_at_the_cap_and_a_write_is_reported_unknown() -> None:
    with HostileServer(lambda seen: Reply(200, endless(), chunked=True)) as server:
        client = _hook(server, max_reply_bytes=2**20, retry=RetryPolicy(attempts=3, backoff=0.001))
        with pytest.raises(errors.ReplyTooLargeError):
            client.call(*READ)
        with pytest.raises(errors.OutcomeUnknownError):
            client.call(*WRITE)
        assert len(server.seen) == 2  # a reply too large is not asked for again


def test_a_reply_dripping_one_byte_at_a_time_is_bounded_by_the_attempt_timeout() -> None:
    body = b'{"result":[1]}' + b" " * 200
    with HostileServer(lambda seen: Reply(200, (bytes([b]) for b in body), drip=0.05)) as server:
        client = _hook(server, timeout=(1.0, 1.0), attempt_timeout=0.5)
        started = time.monotonic()
        with pytest.raises(errors.TransportError, match=r"longer than 0\.5s"):
            client.call(*READ)
        # 214 bytes at 0.05 s would take 10 s; each gap is well inside the 1 s read timeout.
        assert time.monotonic() - started < 5


# -- 4. the server does not decide how long the client sleeps -----------------------------------


@pytest.mark.parametrize("reset", ["hour", "1e300", "skewed clock"])
def test_operating_reset_at_cannot_make_the_client_sleep_longer_than_a_window(reset: str) -> None:
    def block() -> dict[str, float]:
        now = time.time()
        if reset == "skewed clock":  # the portal's clock runs an hour ahead; its reset is 30 s away
            return time_block(operating=480, start=now + 3600, finish=now + 3600, operating_reset_at=now + 3630)
        return time_block(operating=480, operating_reset_at=now + 3600 if reset == "hour" else 1e300)

    slept: list[float] = []

    def sleep(seconds: float) -> None:  # note the wait, then stop: real time does not move here
        slept.append(seconds)
        raise _Woken

    with HostileServer(lambda seen: _json({"result": [], "time": block()})) as server:
        limiter = PortalRateLimiter(sleep=sleep)
        client = make_client(webhook=server.webhook(TOKEN), retry=NO_RETRY, rate_limiter=limiter)
        client.call(*READ)
        with pytest.raises(_Woken):
            client.call(*READ)  # the budget is spent: the next call waits, but how long?
    assert 0 < slept[0] <= (31 if reset == "skewed clock" else 600.01)


class _Woken(Exception):
    pass


def test_a_429_with_a_reset_a_day_away_is_not_slept_on() -> None:
    refusal = {
        "error": "OPERATION_TIME_LIMIT",
        "error_description": "blocked",
        "time": time_block(operating=500, operating_reset_at=time.time() + 86400),
    }
    slept: list[float] = []
    with HostileServer(lambda seen: _json(refusal, 429)) as server:
        limiter = PortalRateLimiter(sleep=slept.append)
        client = make_client(webhook=server.webhook(TOKEN), retry=RetryPolicy(attempts=3, deadline=60), rate_limiter=limiter)
        client.sleep = slept.append
        with pytest.raises(errors.RateLimitError):
            client.call(*READ)
        assert limiter.operating.blocked("crm.item.payment.list", refusal["time"]) <= 600.01
    assert slept == []  # the wait is beyond the retry deadline: fail now rather than sleep


# -- 5. malformed replies become typed errors ---------------------------------------------------

MALFORMED = {
    'total "abc"': b'{"result":[],"total":"abc"}',
    "total [1]": b'{"result":[],"total":[1]}',
    "total Infinity": b'{"result":[],"total":Infinity}',
    'next "abc"': b'{"result":[],"next":"abc"}',
    "next [1]": b'{"result":[],"next":[1]}',
    "next -1e400": b'{"result":[],"next":-1e400}',
    "NaN result": b'{"result":NaN}',
    "nested 100000 deep": nested(100_000),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_reply_is_a_response_format_error_and_a_write_is_unknown(name: str) -> None:
    with HostileServer(lambda seen: Reply(200, MALFORMED[name])) as server:
        client = _hook(server)
        with pytest.raises(errors.ResponseFormatError):
            client.call_raw(*READ)
        with pytest.raises(errors.OutcomeUnknownError):
            client.call_raw(*WRITE)


def test_a_500_carrying_result_is_a_server_error_not_a_success() -> None:
    with HostileServer(lambda seen: _json({"result": {"id": 1}}, 500)) as server:
        with pytest.raises(errors.ServerError):
            _hook(server).call(*WRITE)


def test_a_200_carrying_both_result_and_error_is_not_a_success() -> None:
    body = {"result": {"id": 1}, "error": "SOMETHING", "error_description": "half done"}
    with HostileServer(lambda seen: _json(body)) as server:
        with pytest.raises(errors.OutcomeUnknownError):
            _hook(server).call(*WRITE)
        with pytest.raises(errors.ResponseFormatError):
            _hook(server).call(*READ)


def test_a_malformed_total_inside_a_batch_is_a_typed_error() -> None:
    body = {"result": {"result": {"c0": []}, "result_error": [], "result_total": {"c0": "abc"}}}
    with HostileServer(lambda seen: _json(body)) as server:
        with pytest.raises(errors.ResponseFormatError):
            _hook(server).batch([READ])


# -- 8. a pool smaller than the threads ---------------------------------------------------------


def test_more_threads_than_the_pool_wait_for_a_connection_instead_of_discarding_them(caplog: pytest.LogCaptureFixture) -> None:
    def slow(seen: Seen) -> Reply:
        return Reply(200, iter([b'{"result":', b"1}"]), drip=0.05, chunked=True)

    with HostileServer(slow) as server, caplog.at_level(logging.WARNING, logger="urllib3"):
        client = _hook(server, pool_size=4)
        results: list[Any] = []
        threads = [threading.Thread(target=lambda: results.append(client.call(*READ))) for _ in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [1] * 12
    assert "Connection pool is full" not in caplog.text
