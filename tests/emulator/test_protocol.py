"""URL forms, PHP-style parameters and the time block, as pure functions."""

from __future__ import annotations

import pytest

from b24client.emulator.protocol import (
    RestTarget,
    decode_body,
    decode_query,
    encode_php_query,
    parse_rest_path,
    php_array,
    time_block,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/rest/1/abc/crm.deal.list", RestTarget("crm.deal.list", 2, "webhook", 1, "abc")),
        ("/rest/1/abc/crm.deal.list.json", RestTarget("crm.deal.list", 2, "webhook", 1, "abc")),
        ("/rest/crm.deal.list", RestTarget("crm.deal.list", 2, "oauth")),
        ("/rest/crm.deal.list.json", RestTarget("crm.deal.list", 2, "oauth")),
        ("/rest/api/7/tok/tasks.task.list", RestTarget("tasks.task.list", 3, "webhook", 7, "tok")),
        ("/rest/api/tasks.task.list", RestTarget("tasks.task.list", 3, "oauth")),
        ("/rest/1/abc/batch/", RestTarget("batch", 2, "webhook", 1, "abc")),
    ],
)
def test_rest_urls_are_parsed(path: str, expected: RestTarget) -> None:
    assert parse_rest_path(path) == expected


@pytest.mark.parametrize("path", ["/", "/rest/", "/rest/x/abc/crm.deal.list", "/rest/1/abc/def/ghi", "/other/crm.x"])
def test_non_rest_urls_are_refused(path: str) -> None:
    assert parse_rest_path(path) is None


def test_v3_method_ids_carry_the_suffix() -> None:
    target = parse_rest_path("/rest/api/tasks.task.list")
    assert target is not None and target.method_id == "tasks.task.list@v3"


def test_php_nested_keys_become_objects_and_lists() -> None:
    params = decode_query(
        "filter[>ID]=5&filter[%40STAGE_ID][]=NEW&filter[%40STAGE_ID][]=WON&select[0]=ID&select[1]=TITLE"
        "&start=-1&fields[PHONE][0][VALUE]=112233"
    )
    assert params == {
        "filter": {">ID": "5", "@STAGE_ID": ["NEW", "WON"]},
        "select": ["ID", "TITLE"],
        "start": "-1",
        "fields": {"PHONE": [{"VALUE": "112233"}]},
    }


def test_encoded_ampersand_stays_inside_the_value() -> None:
    assert decode_query("fields[TITLE]=John%26Martin") == {"fields": {"TITLE": "John&Martin"}}


def test_encoding_round_trips_through_decoding() -> None:
    params = {"filter": {">=ID": 10, "@ID": [1, 2]}, "select": ["ID", "TITLE"], "halt": True, "title": "a&b=c"}
    query = encode_php_query(params)
    assert "filter%5B%3E%3DID%5D=10" in query
    assert decode_query(query) == {
        "filter": {">=ID": "10", "@ID": ["1", "2"]},
        "select": ["ID", "TITLE"],
        "halt": "1",
        "title": "a&b=c",
    }


def test_json_form_and_multipart_bodies_decode_to_the_same_parameters() -> None:
    expected = {"fields": {"TITLE": "My company"}, "select": ["ID"]}
    assert decode_body(b'{"fields":{"TITLE":"My company"},"select":["ID"]}', "application/json") == expected
    form = b"fields%5BTITLE%5D=My+company&select%5B0%5D=ID"
    assert decode_body(form, "application/x-www-form-urlencoded") == expected
    multipart = (
        b'--B\r\nContent-Disposition: form-data; name="fields[TITLE]"\r\n\r\nMy company\r\n'
        b'--B\r\nContent-Disposition: form-data; name="select[0]"\r\n\r\nID\r\n--B--\r\n'
    )
    assert decode_body(multipart, "multipart/form-data; boundary=B") == expected


def test_broken_json_is_reported() -> None:
    with pytest.raises(ValueError, match="invalid JSON"):
        decode_body(b'{"a":', "application/json")


def test_time_block_has_every_documented_key() -> None:
    block = time_block(1000.0, 1000.5, 0.25, operating=3.5, operating_reset_at=1600)
    assert set(block) == {
        "start",
        "finish",
        "duration",
        "processing",
        "date_start",
        "date_finish",
        "operating",
        "operating_reset_at",
    }
    assert block["duration"] == 0.5
    assert block["date_start"][:4] == "1970"


def test_php_array_shapes() -> None:
    assert php_array({}) == []
    assert php_array({"0": "a", "1": "b"}) == ["a", "b"]
    assert php_array({"x": 1}) == {"x": 1}
