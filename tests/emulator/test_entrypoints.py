"""How users start a portal: the pytest fixtures and `python -m b24client.emulator`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
import requests

from b24client.emulator import Emulator, EmulatorConfig


def test_fixture_defaults_turn_limits_off(b24_emulator: Emulator) -> None:
    assert b24_emulator.config.limits_enabled is False
    assert requests.post(b24_emulator.webhook_url + "crm.deal.list", json={}, timeout=5).status_code == 200


@pytest.mark.b24_emulator(deals=7, limits_enabled=True, rate_limit=1)
def test_marker_sets_the_fixture_config(b24_emulator: Emulator) -> None:
    url = b24_emulator.webhook_url + "crm.deal.list"
    assert requests.post(url, json={}, timeout=5).json()["total"] == 7
    assert requests.post(url, json={}, timeout=5).status_code == 503


def test_factory_starts_independent_portals(b24_emulator_factory: Callable[..., Emulator]) -> None:
    first, second = b24_emulator_factory(deals=1), b24_emulator_factory(deals=2)
    assert first.port != second.port
    assert requests.post(second.webhook_url + "crm.deal.list", json={}, timeout=5).json()["total"] == 2


def test_session_portal_is_shared(b24_emulator_session: Emulator, request: pytest.FixtureRequest) -> None:
    assert request.getfixturevalue("b24_emulator_session") is b24_emulator_session
    assert b24_emulator_session.base_url.startswith("http://127.0.0.1:")


def test_base_url_needs_a_running_portal() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        _ = Emulator(EmulatorConfig()).base_url


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="time_scale"):
        EmulatorConfig(time_scale=0)
    with pytest.raises(ValueError, match="fault"):
        EmulatorConfig(fault_rates={"teapot": 0.5})


def test_cli_serves_until_terminated() -> None:
    command = [
        sys.executable,
        "-m",
        "b24client.emulator",
        "--port",
        "0",
        "--deals",
        "12",
        "--no-limits",
        "--webhook-token",
        "cli-test-code",
        "--fault",
        "500=0.0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        webhook = process.stdout.readline().split("webhook: ", 1)[1].strip()
        assert "12 deals" in banner and "limits off" in banner
        assert webhook.endswith("/rest/1/cli-test-code/")
        assert requests.post(webhook + "crm.deal.list", json={}, timeout=5).json()["total"] == 12
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_cli_rejects_bad_fault_flags() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "b24client.emulator", "--fault", "teapot=0.1"], capture_output=True, text=True, timeout=30
    )
    assert completed.returncode == 2
    assert "unknown fault" in completed.stderr


def test_cli_flags_for_the_parameter_policy_and_seeding() -> None:
    from b24client.emulator.__main__ import build_parser, config_from_args

    config = config_from_args(build_parser().parse_args(["--strict-params", "--seed-from", "portal.yaml"]))
    assert (config.strict_params, config.seed_from) == (True, "portal.yaml")
    default = config_from_args(build_parser().parse_args([]))
    assert (default.strict_params, default.seed_from) == (False, None)
