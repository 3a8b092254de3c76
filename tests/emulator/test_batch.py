"""`batch`: command forms, halt, $result references, the result members and the limits."""

from __future__ import annotations

import pytest
import requests

from b24client.emulator import CostModel, Emulator, EmulatorConfig, encode_php_query

from .conftest import Rest

pytestmark = pytest.mark.b24_emulator(deals=120)


def test_commands_as_a_dict_with_references_between_them(rest: Rest) -> None:
    result = rest.ok(
        "batch",
        {
            "halt": 0,
            "cmd": {
                "first": "crm.deal.list?" + encode_php_query({"select": ["ID"], "order": {"ID": "DESC"}}),
                "payment": "crm.item.payment.add?entityTypeId=2&entityId=$result[first][0][ID]",
                "read": "crm.item.payment.get?id=$result[payment]",
            },
        },
    )
    assert result["result"]["first"][0] == {"ID": "120"}
    assert result["result"]["payment"] == 1
    assert result["result"]["read"]["accountNumber"] == "120/1"
    assert result["result_error"] == []
    assert result["result_total"] == {"first": 120}
    assert result["result_next"] == {"first": 50}
    assert set(result["result_time"]) == {"first", "payment", "read"}
    assert {"start", "finish", "duration", "processing"} <= set(result["result_time"]["read"])


def test_commands_as_a_list_give_list_shaped_results(rest: Rest) -> None:
    result = rest.ok(
        "batch",
        {
            "cmd": [
                "crm.item.payment.list?entityTypeId=2&entityId=1",
                {"method": "crm.deal.list", "params": {"select": ["ID"], "start": -1}},
            ]
        },
    )
    assert result["result"][0] == []
    assert len(result["result"][1]) == 50
    # start=-1: not counted, so total 0 as a single call answers (huge-data.md); only label 1
    # has a total, and PHP renders an array with the key 1 alone as an object
    assert result["result_total"] == {"1": 0}


def test_errors_go_to_result_error_and_halt_stops_the_chain(rest: Rest) -> None:
    cmd = {"bad": "crm.item.payment.get?id=999", "good": "crm.item.payment.list?entityTypeId=2&entityId=1"}
    carry_on = rest.ok("batch", {"halt": 0, "cmd": cmd})
    assert carry_on["result_error"] == {"bad": {"error": "0", "error_description": "Payment has not been found"}}
    assert carry_on["result"] == {"good": []}
    assert list(carry_on["result_time"]) == ["good"]  # failed commands have no time (batch.md's examples)
    halted = rest.ok("batch", {"halt": 1, "cmd": cmd})
    assert list(halted["result_error"]) == ["bad"]
    assert halted["result"] == []
    assert halted["result_time"] == []


def test_more_than_50_commands_is_error_batch_length_exceeded(rest: Rest) -> None:
    cmd = {f"c{i}": "crm.deal.list?start=-1" for i in range(51)}
    response = rest.post("batch", {"cmd": cmd})
    assert (response.status_code, response.json()["error"]) == (400, "ERROR_BATCH_LENGTH_EXCEEDED")
    assert rest.ok("batch", {"cmd": dict(list(cmd.items())[:50])})["result_error"] == []


def test_batch_inside_batch_is_not_allowed(rest: Rest) -> None:
    result = rest.ok("batch", {"cmd": {"inner": "batch?cmd[0]=crm.deal.list", "ok": "crm.deal.list?start=-1"}})
    assert result["result_error"]["inner"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED"
    assert "ok" in result["result"]


def test_unknown_method_in_batch_fails_alone(rest: Rest) -> None:
    result = rest.ok("batch", {"cmd": {"x": "no.such.method", "ok": "crm.deal.list?start=-1"}})
    assert result["result_error"]["x"]["error"] == "ERROR_METHOD_NOT_FOUND"


def test_form_encoded_batch_with_double_encoding(b24_emulator: Emulator) -> None:
    # data-encoding.md: the command's own query is encoded, then the whole command again.
    command = "crm.deal.list?" + encode_php_query({"filter": {">ID": 118}, "select": ["ID"]})
    response = requests.post(
        b24_emulator.webhook_url + "batch",
        data=encode_php_query({"cmd": {"a": command}}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=5,
    )
    assert response.json()["result"]["result"]["a"] == [{"ID": "119"}, {"ID": "120"}]


def test_sub_calls_are_logged_and_counted_per_method(rest: Rest, b24_emulator: Emulator) -> None:
    rest.ok("batch", {"cmd": ["crm.deal.list?start=-1", "crm.deal.list?start=-1"]})
    record = b24_emulator.log[-1]
    assert record.method == "batch"
    assert [sub.method for sub in record.batch] == ["crm.deal.list", "crm.deal.list"]
    counts = b24_emulator.counters["methods"]
    assert counts["crm.deal.list"]["calls"] == 2 and counts["crm.deal.list"]["in_batch"] == 2
    assert counts["batch"]["calls"] == 1


def test_batch_is_one_request_for_the_bucket_but_each_command_costs_operating_time() -> None:
    config = EmulatorConfig(limits_enabled=True, rate_limit=2, operating_limit_seconds=1.0, costs=CostModel(call_seconds=0.4))
    with Emulator(config) as portal:
        rest = Rest(portal)
        result = rest.ok("batch", {"cmd": ["crm.item.payment.list?entityTypeId=2&entityId=1"] * 5})
        assert len(result["result"]) == 3  # 0.4 + 0.4 + 0.4 > 1.0: the fourth is blocked
        assert {e["error"] for e in result["result_error"].values()} == {"OPERATION_TIME_LIMIT"}
        assert rest.post("crm.deal.list", {}).status_code == 200  # second request: bucket of 2 not exceeded
        assert rest.post("crm.deal.list", {}).status_code == 503
        assert portal.counters["operation_time_limit"] == 2
