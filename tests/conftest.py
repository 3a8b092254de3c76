"""Shared fixtures: one emulator per test module, and a client pointed at it.

`client` is each of the two clients in turn: `Bitrix24`, and `AsyncBitrix24` driven through
tests/support/awaited.py, so every behaviour test holds for both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from b24client import Bitrix24
from b24client.runtime.retry import NO_RETRY

pytest_plugins = ["tests.support.redisserver"]  # the redis_url fixture, for every directory


@pytest.fixture(scope="module")
def portal() -> Iterator[object]:
    from b24client.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


CLIENT_KINDS = ("sync", "async")
_current_kind = "sync"


def make_client(kind: str | None = None, /, **options: Any) -> Any:
    """`Bitrix24(**options)`, or the same options given to `AsyncBitrix24` behind `Awaited`;
    without `kind`, the one the running test's `client_kind` parameter names."""
    if (kind or _current_kind) == "sync":
        return Bitrix24(**options)
    from b24client import AsyncBitrix24
    from tests.support.awaited import Awaited

    return Awaited(AsyncBitrix24(**options))


@pytest.fixture(params=CLIENT_KINDS)
def client_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Which client a behaviour test runs: every such test runs once for each. A module of
    such tests says `pytestmark = pytest.mark.usefixtures("client_kind")` and builds its
    clients with `make_client(...)`."""
    global _current_kind
    _current_kind = str(request.param)
    try:
        yield _current_kind
    finally:
        _current_kind = "sync"


@pytest.fixture
def client(portal: object, client_kind: str) -> Iterator[Any]:
    portal.reset()  # type: ignore[attr-defined]
    b24 = make_client(client_kind, webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False)  # type: ignore[attr-defined]
    try:
        yield b24
    finally:
        b24.close()
