"""The `b24` console script, run as a subprocess against the emulator over loopback HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from b24client.runtime.cli.app import EXIT_API_ERROR, EXIT_INVALID, EXIT_NO_RESPONSE, EXIT_OK, EXIT_USAGE

B24 = Path(sys.executable).with_name("b24")
TOKEN = "cli-secret-token-4711"


def run(
    *args: str, webhook: str | None = None, stdin: str | None = None, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {key: value for key, value in os.environ.items() if key != "B24_WEBHOOK"}
    if webhook is not None:
        environ["B24_WEBHOOK"] = webhook
    environ.update(env or {})
    result = subprocess.run(
        [str(B24), *args], capture_output=True, text=True, input=stdin, timeout=timeout, env=environ, check=False
    )
    assert TOKEN not in result.stdout and TOKEN not in result.stderr, "the webhook token was printed"
    return result


@pytest.fixture
def portal(b24_emulator_factory):
    return b24_emulator_factory(deals=40, webhook_token=TOKEN)


def test_the_console_script_is_installed_and_has_help_everywhere():
    assert B24.exists()
    top = run("--help")
    assert top.returncode == EXIT_OK
    for command in ("call", "methods", "describe", "validate", "export", "emulator"):
        assert command in top.stdout
    assert "exit codes" in top.stdout
    for command in ("call", "methods", "describe", "validate", "export"):
        page = run(command, "--help", webhook=f"https://portal.example/rest/1/{TOKEN}/")
        assert page.returncode == EXIT_OK and "usage: b24 " + command in page.stdout


def test_export_writes_every_seeded_deal_once(b24_emulator_factory, tmp_path):
    portal = b24_emulator_factory(deals=5_000, webhook_token=TOKEN)
    result = run("export", "crm.deal.list", "--format", "jsonl", webhook=portal.webhook_url)
    assert result.returncode == EXIT_OK, result.stderr
    ids = [int(json.loads(line)["ID"]) for line in result.stdout.splitlines()]
    assert sorted(ids) == list(range(1, 5_001))
    assert "exported 5000 records" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal


def test_export_csv_and_json_with_filter_and_select(portal, tmp_path):
    target = tmp_path / "deals.csv"
    result = run(
        "export",
        "crm.deal.list",
        "--format",
        "csv",
        "--select",
        "ID,TITLE",
        "--filter",
        '{"<=ID": 3}',
        "--output",
        str(target),
        webhook=portal.webhook_url,
    )
    assert result.returncode == EXIT_OK, result.stderr
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows == [["ID", "TITLE"], ["1", "Deal #1"], ["2", "Deal #2"], ["3", "Deal #3"]]
    result = run(
        "export",
        "crm.deal.list",
        "--format",
        "json",
        "--select",
        "ID",
        "--order",
        '{"ID": "DESC"}',
        "filter[>ID]=37",
        webhook=portal.webhook_url,
    )
    assert json.loads(result.stdout) == [{"ID": "40"}, {"ID": "39"}, {"ID": "38"}]


def test_export_refuses_a_method_that_does_not_page(portal):
    result = run("export", "crm.deal.get", webhook=portal.webhook_url)
    assert result.returncode == EXIT_USAGE and "not a paged list method" in result.stderr


def test_call_prints_the_result_as_json(portal):
    result = run("call", "crm.deal.list", "filter[<ID]=3", "select[]=ID", "select[]=TITLE", webhook=portal.webhook_url)
    assert result.returncode == EXIT_OK, result.stderr
    assert json.loads(result.stdout) == [{"ID": "1", "TITLE": "Deal #1"}, {"ID": "2", "TITLE": "Deal #2"}]
    full = run(
        "call", "crm.deal.list", "--json", '{"filter": {"<ID": 3}, "select": ["ID"]}', "--full", "--webhook", portal.webhook_url
    )
    assert json.loads(full.stdout)["total"] == 2


def test_call_reads_parameters_from_stdin_and_json_values(portal):
    result = run("call", "crm.deal.list", "--json", "-", "filter[<ID]:=2", stdin='{"select": ["ID"]}', webhook=portal.webhook_url)
    assert json.loads(result.stdout) == [{"ID": "1"}]


def test_invalid_parameters_exit_1_with_every_problem_and_nothing_sent(portal):
    before = len(portal.log)
    result = run("call", "sale.paysystem.pay.invoice", "INVOICE_ID:=[1]", "PAY_SYSTEM_IDD=3", webhook=portal.webhook_url)
    assert result.returncode == EXIT_INVALID
    assert "INVOICE_ID: must be integer" in result.stderr and "[rule: type]" in result.stderr
    assert "did you mean 'PAY_SYSTEM_ID'" in result.stderr
    assert "at least one of PAY_SYSTEM_ID, BX_REST_HANDLER" in result.stderr
    assert result.stdout == ""
    assert len(portal.log) == before


def test_a_portal_error_exits_3_with_code_and_description(portal):
    result = run("call", "sale.paysystem.handler.delete", "ID=999", webhook=portal.webhook_url)
    assert result.returncode == EXIT_API_ERROR
    assert "ERROR_HANDLER_NOT_FOUND" in result.stderr and "HTTP 4" in result.stderr


def test_no_reply_exits_4_without_showing_the_token():
    result = run("call", "crm.deal.add", "fields[TITLE]=x", webhook=f"http://127.0.0.1:9/rest/1/{TOKEN}/")
    assert result.returncode == EXIT_NO_RESPONSE
    assert "/rest/1/***/" in result.stderr


def test_usage_errors_exit_2():
    assert run("call", "crm.deal.list").returncode == EXIT_USAGE  # no webhook
    bad = run(
        "call",
        "crm.deal.list",
        "--webhook",
        f"https://portal.example/rest/1/{TOKEN}/",
        f"--bogus=https://portal.example/rest/1/{TOKEN}/",
    )
    assert bad.returncode == EXIT_USAGE and "unrecognized arguments" in bad.stderr
    word = run("call", "crm.deal.list", "not-a-pair", webhook=f"https://portal.example/rest/1/{TOKEN}/")
    assert word.returncode == EXIT_USAGE and "key=value" in word.stderr
    broken = run("validate", "crm.deal.list", "--json", "{nope")
    assert broken.returncode == EXIT_USAGE and "not valid JSON" in broken.stderr
    env_secret = run("call", "--help", webhook=f"https://portal.example/rest/1/{TOKEN}/")
    assert "B24_WEBHOOK" in env_secret.stdout


def test_methods_lists_by_glob_or_substring():
    deal = run("methods", "crm.deal.*")
    assert deal.returncode == EXIT_OK
    assert "crm.deal.list" in deal.stdout.split() and "crm.lead.list" not in deal.stdout
    assert "sale.paysystem.pay.invoice" in run("methods", "paysystem.pay").stdout.split()
    assert all(name.endswith("@v3") for name in run("methods", "*@v3").stdout.split())
    none = run("methods", "no.such.thing")
    assert none.returncode == EXIT_INVALID and none.stdout == ""


def test_describe_shows_parameters_rules_errors_docs_and_example():
    result = run("describe", "sale.paysystem.pay.invoice")
    assert result.returncode == EXIT_OK
    text = result.stdout
    assert "https://apidocs.bitrix24.com/api-reference/pay-system/" in text
    assert "INVOICE_ID       integer  yes" in text
    assert "at least one of PAY_SYSTEM_ID, BX_REST_HANDLER" in text
    assert "ERROR_INTERNAL_INVOICE_NOT_FOUND" in text
    assert "b24.sale.paysystem.pay.invoice(invoice_id=2, pay_system_id=31)" in text
    spec = json.loads(run("describe", "sale.paysystem.pay.invoice", "--json").stdout)
    assert spec["params"]["INVOICE_ID"]["required"] is True
    unknown = run("describe", "crm.deal.lst")
    assert unknown.returncode == EXIT_USAGE and "did you mean crm.deal.list" in unknown.stderr


def test_describe_finds_rest_v3_methods():
    name = run("methods", "*@v3").stdout.split()[0]
    result = run("describe", name)
    assert result.returncode == EXIT_OK and "(REST v3)" in result.stdout and "--v3" in result.stdout


def test_validate_exit_codes():
    ok = run("validate", "sale.paysystem.pay.invoice", "--json", '{"INVOICE_ID": 2, "PAY_SYSTEM_ID": 31}')
    assert ok.returncode == EXIT_OK and ok.stdout == ""
    bad = run("validate", "sale.paysystem.pay.invoice", "--json", '{"INVOICE_ID": "two"}')
    assert bad.returncode == EXIT_INVALID
    assert "INVOICE_ID" in bad.stderr and "at_least_one_of" in bad.stderr
    loose = run("validate", "sale.paysystem.pay.invoice", "--json", '{"INVOICE_ID": 2, "PAY_SYSTEM_ID": 31, "EXTRA": 1}')
    assert loose.returncode == EXIT_OK and "EXTRA" in loose.stderr
    strict = run(
        "validate", "sale.paysystem.pay.invoice", "--strict", "--json", '{"INVOICE_ID": 2, "PAY_SYSTEM_ID": 31, "EXTRA": 1}'
    )
    assert strict.returncode == EXIT_INVALID


def test_emulator_alias_runs_the_emulator():
    assert "--deals" in run("emulator", "--help").stdout
    process = subprocess.Popen(
        [str(B24), "emulator", "--port", "0", "--deals", "3", "--webhook-token", TOKEN], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        assert "3 deals" in process.stdout.readline()
        webhook = process.stdout.readline().split("webhook: ", 1)[1].strip()
        listed = run("call", "crm.deal.list", "select[]=ID", webhook=webhook)
        assert json.loads(listed.stdout) == [{"ID": "1"}, {"ID": "2"}, {"ID": "3"}]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_importing_the_library_does_not_import_the_cli():
    code = "import sys, b24client; print(any(name.split('.')[:3] == ['b24client', 'runtime', 'cli'] for name in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_progress_bar_goes_to_stderr_only_when_asked_off_a_terminal(portal):
    result = run("export", "crm.deal.list", "--select", "ID", "--progress", webhook=portal.webhook_url)
    assert result.returncode == EXIT_OK
    assert "records" in result.stderr.replace("exported 40 records", "")  # the tqdm bar, besides the summary
    assert len(result.stdout.splitlines()) == 40
