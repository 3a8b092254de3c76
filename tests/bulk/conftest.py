"""Shared set-up for the bulk tests: portals with compressed time, clients that match them.

Every test talks HTTP to a real emulator on 127.0.0.1; nothing in requests is patched.
Limits are compressed with `time_scale` so a test that needs the operating window to
roll over waits milliseconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from b24client import Bitrix24
from b24client.emulator import Emulator
from b24client.runtime.ratelimit import PortalRateLimiter
from b24client.runtime.retry import RetryPolicy
from tests.conftest import make_client

FAST_RETRY = dict(backoff=0.01, max_backoff=0.1, deadline=60.0)


def limiter_for(portal: Emulator) -> PortalRateLimiter:
    """The default limiter with the portal's (time-scaled) parameters."""
    cfg = portal.config
    return PortalRateLimiter(
        cfg.effective_rate_limit,
        cfg.effective_drain_per_second,
        operating_limit=cfg.operating_limit_seconds,
        operating_window=cfg.basket_seconds * cfg.baskets,
        time_scale=cfg.time_scale,
    )


@pytest.fixture
def portal_factory(b24_emulator_factory: Callable[..., Emulator]) -> Callable[..., Emulator]:
    """`portal_factory(**EmulatorConfig fields)`: the emulator plugin's factory (limits off unless set)."""
    return b24_emulator_factory


@pytest.fixture
def client_for(client_kind: str) -> Iterator[Callable[..., Bitrix24]]:
    """`client_for(portal, **options)`: a client whose limiter matches the portal's limits
    (each test runs with `Bitrix24` and with `AsyncBitrix24`, see tests/conftest.py)."""
    clients: list[Any] = []

    def make(portal: Emulator, *, limited: bool = True, attempts: int = 8, **options: Any) -> Any:
        if limited and portal.config.limits_enabled:
            options.setdefault("rate_limiter", limiter_for(portal))
        else:
            options.setdefault("rate_limit", False)
        retry = RetryPolicy(attempts=attempts, **FAST_RETRY)
        client = make_client(client_kind, webhook=portal.webhook_url, retry=retry, **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


RAN = (None, "reset_after", "slow", "truncated")  # faults that let the method run first
REFUSED = ("QUERY_LIMIT_EXCEEDED", "OPERATION_TIME_LIMIT")


def _processed(portal: Emulator, method: str) -> int:
    """How many times the portal really ran `method`, alone or inside batch."""
    ran = 0
    for record in portal.log:
        if record.fault not in RAN:
            continue
        if record.method == method and record.error not in REFUSED:
            ran += 1
        ran += sum(1 for sub in record.batch if sub.method == method and sub.error not in REFUSED)
    return ran


@pytest.fixture
def processed() -> Callable[[Emulator, str], int]:
    """`processed(portal, method)`: how many times the portal really ran the method."""
    return _processed
