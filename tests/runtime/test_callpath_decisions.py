"""The pure half of the call path decides alone, with no portal, clock or sleep: what an
async driver will rely on to behave exactly as the sync one (issue 13)."""

from __future__ import annotations

import random

import pytest

from b24client.runtime.callpath import REFRESH, Attempts, Sleep, decode, prepare
from b24client.runtime.exceptions import (
    ApiError,
    OutcomeUnknownError,
    RateLimitError,
    TransportError,
    ValidationError,
)
from b24client.runtime.retry import RetryPolicy
from b24client.runtime.validate import Problem

POLICY = RetryPolicy(attempts=3, backoff=1.0, deadline=100.0, rng=random.Random(1))


def _server_error(method: str, status: int = 503, code: str = "INTERNAL_SERVER_ERROR") -> ApiError:
    return ApiError(method, code, status, "", {})


def test_a_problem_refuses_the_call_before_anything_is_encoded() -> None:
    with pytest.raises(ValidationError):
        prepare("crm.deal.get", 2, {"id": 1}, None, [Problem("crm.deal.get", "id", "type", "bad")])


def test_a_v3_write_gets_an_idempotency_key_and_so_may_be_repeated() -> None:
    write = prepare("main.item.add", 3, {}, None, [])
    assert write.headers is not None and "Idempotency-Key" in write.headers
    assert (write.idempotent, write.repeatable) == (False, True)
    assert prepare("main.item.add", 2, {}, None, []).repeatable is False


def test_a_read_sleeps_then_gives_up_after_the_attempt_budget() -> None:
    attempts = Attempts(prepare("crm.deal.get", 2, {}, None, []), POLICY, now=0.0)
    failure = _server_error("crm.deal.get")
    steps = [attempts.after(failure, can_refresh=False, limited=None, now=0.0) for _ in range(3)]
    assert [type(step) for step in steps] == [Sleep, Sleep, ApiError]
    assert steps[2] is failure


def test_a_write_whose_request_may_have_arrived_is_never_repeated() -> None:
    attempts = Attempts(prepare("crm.deal.add", 2, {}, None, []), POLICY, now=0.0)
    step = attempts.after(TransportError("crm.deal.add", "reset", sent=None), can_refresh=False, limited=None, now=0.0)
    assert isinstance(step, OutcomeUnknownError)
    refused = TransportError("crm.deal.add", "refused", sent=False)
    assert isinstance(attempts.after(refused, can_refresh=False, limited=None, now=0.0), Sleep)


def test_an_expired_token_is_refreshed_once_then_raised() -> None:
    attempts = Attempts(prepare("crm.deal.get", 2, {}, None, []), POLICY, now=0.0)
    expired = ApiError("crm.deal.get", "expired_token", 401, "", {})
    assert attempts.after(expired, can_refresh=True, limited=None, now=0.0) is REFRESH
    assert attempts.after(expired, can_refresh=True, limited=None, now=0.0) is expired


def test_a_limit_refusal_waits_what_the_limiter_prescribes_within_the_deadline() -> None:
    attempts = Attempts(prepare("crm.deal.add", 2, {}, None, []), POLICY, now=0.0)
    refusal = RateLimitError("crm.deal.add", "QUERY_LIMIT_EXCEEDED", 503, "", {})
    assert attempts.after(refusal, can_refresh=False, limited=lambda method, error: 7.5, now=0.0) == Sleep(7.5)
    assert attempts.after(refusal, can_refresh=False, limited=lambda method, error: 7.5, now=95.0) is refusal


def test_decode_types_an_error_reply_and_refuses_an_ambiguous_one() -> None:
    call = prepare("crm.deal.get", 2, {}, None, [])
    assert decode(call, 200, {"result": {"ID": "1"}, "total": "3"}).total == 3
    with pytest.raises(ApiError):
        decode(call, 400, {"error": "ERROR_CORE", "error_description": "no"})
