"""`--seed-from FILE` / `EmulatorConfig(seed_from=...)`: records per family from JSON or YAML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from b24client.emulator import Emulator, EmulatorConfig
from b24client.emulator.seeding import SeedFileError, load_seed_file

SEED_YAML = """\
crm.company:
  - {TITLE: Acme Ltd}
crm.contact:
  - {ID: 7, NAME: Ann, COMPANY_ID: 1}
  - {NAME: Bob, COMPANY_ID: 1}
"""


def _post(url: str, method: str, params: dict[str, object]) -> dict[str, object]:
    body: dict[str, object] = requests.post(url + method, json=params, timeout=5).json()
    return body


def test_cli_seeds_from_a_yaml_file(tmp_path: Path) -> None:
    seed = tmp_path / "portal.yaml"
    seed.write_text(SEED_YAML)
    command = [
        sys.executable,
        "-m",
        "b24client.emulator",
        "--port",
        "0",
        "--no-limits",
        "--webhook-token",
        "seed-test",
        "--seed-from",
        str(seed),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        process.stdout.readline()
        webhook = process.stdout.readline().split("webhook: ", 1)[1].strip()
        contacts = _post(webhook, "crm.contact.list", {"filter": {"COMPANY_ID": 1}, "select": ["ID", "NAME"]})
        # the given id is kept and the next add continues after it
        assert contacts["result"] == [{"ID": "7", "NAME": "Ann"}, {"ID": "8", "NAME": "Bob"}]
        assert _post(webhook, "crm.company.get", {"id": 1})["result"]["TITLE"] == "Acme Ltd"  # type: ignore[index]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_config_seeds_from_json_and_reset_restores_it(tmp_path: Path) -> None:
    seed = tmp_path / "portal.json"
    seed.write_text(json.dumps({"crm.lead": [{"TITLE": "From the web form", "STATUS_ID": "NEW"}]}))
    with Emulator(EmulatorConfig(limits_enabled=False, seed_from=str(seed))) as portal:
        url = portal.webhook_url
        assert _post(url, "crm.lead.get", {"id": 1})["result"]["TITLE"] == "From the web form"  # type: ignore[index]
        assert _post(url, "crm.lead.delete", {"id": 1})["result"] is True
        portal.reset()
        assert _post(url, "crm.lead.list", {"select": ["ID", "TITLE"]})["result"] == [{"ID": "1", "TITLE": "From the web form"}]


def test_a_malformed_seed_file_names_every_problem(tmp_path: Path) -> None:
    seed = tmp_path / "bad.json"
    seed.write_text(json.dumps({"crm.contact": {"NAME": "Ann"}, "crm.company": [{"TITLE": "ok"}, "Acme", 3]}))
    with pytest.raises(SeedFileError) as raised:
        load_seed_file(seed)
    message = str(raised.value)
    assert str(seed) in message
    assert "crm.contact: must be a list of records, got dict" in message
    assert "crm.company[1]: must be a record" in message and "crm.company[2]: must be a record" in message
    broken = tmp_path / "broken.yaml"
    broken.write_text("crm.contact: [unclosed")
    with pytest.raises(SeedFileError, match="not valid YAML"):
        load_seed_file(broken)
    with pytest.raises(SeedFileError, match="cannot be read"):
        load_seed_file(tmp_path / "missing.json")


def test_cli_refuses_an_unknown_family_before_serving(tmp_path: Path) -> None:
    seed = tmp_path / "portal.json"
    seed.write_text(json.dumps({"crm.dael": [{"TITLE": "typo"}]}))
    done = subprocess.run(
        [sys.executable, "-m", "b24client.emulator", "--port", "0", "--seed-from", str(seed)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "'crm.dael' is not a stateful family" in done.stderr
