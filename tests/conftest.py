"""Shared fixtures: one emulator per test module, and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from b24client import Bitrix24
from b24client.runtime.retry import NO_RETRY

pytest_plugins = ["tests.support.redisserver"]  # the redis_url fixture, for every directory


@pytest.fixture(scope="module")
def portal() -> Iterator[object]:
    from b24client.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


@pytest.fixture
def client(portal: object) -> Iterator[Bitrix24]:
    portal.reset()  # type: ignore[attr-defined]
    with Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False) as b24:  # type: ignore[attr-defined]
        yield b24
