"""pytest fixtures for the emulator, registered through the `pytest11` entry point.

Installing b24client is enough for a project's tests to use them:

    def test_lists(b24_emulator):
        requests.post(b24_emulator.webhook_url + "crm.deal.list", json={"start": -1})

    @pytest.mark.b24_emulator(deals=500, limits_enabled=True)
    def test_burst(b24_emulator): ...

`b24_emulator` is a fresh portal per test with limits off (tests that study limits turn
them on with the marker); `b24_emulator_session` is one shared portal for a whole run
(call `.reset()` where a test needs a clean one); `b24_emulator_factory` starts portals
with any EmulatorConfig fields and stops them after the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .config import EmulatorConfig
from .portal import Emulator

FIXTURE_DEFAULTS: dict[str, Any] = {"limits_enabled": False}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "b24_emulator(**fields): EmulatorConfig fields for the b24_emulator fixture (limits are off unless set)",
    )


def _config(**fields: Any) -> EmulatorConfig:
    return EmulatorConfig(**{**FIXTURE_DEFAULTS, **fields})


@pytest.fixture
def b24_emulator(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """A running portal for one test; settings from the `b24_emulator` marker."""
    marker = request.node.get_closest_marker("b24_emulator")
    with Emulator(_config(**(marker.kwargs if marker else {}))) as portal:
        yield portal


@pytest.fixture(scope="session")
def b24_emulator_session() -> Iterator[Emulator]:
    """One portal for the whole session, limits off; state carries over between tests."""
    with Emulator(_config()) as portal:
        yield portal


@pytest.fixture
def b24_emulator_factory() -> Iterator[Callable[..., Emulator]]:
    """`factory(**fields)` starts a portal with those EmulatorConfig fields (limits off by default)."""
    started: list[Emulator] = []

    def factory(**fields: Any) -> Emulator:
        portal = Emulator(_config(**fields)).start()
        started.append(portal)
        return portal

    yield factory
    for portal in started:
        portal.stop()
