"""Every error-table layout the docs use reads into the same normalised entries."""

from __future__ import annotations

import re

import pytest

from codegen.importer import errors_table, statusline, yfm
from codegen.naming import is_identifier


def read(section: str) -> list[dict[str, object]]:
    raw, listed = errors_table.read_section(yfm.parse(section))
    return errors_table.normalise(raw, listed)


def test_code_description_status() -> None:
    section = "#|\n|| **Code** | **Description** | **Status** ||\n|| `E_ONE` | Prose | 404 ||\n|| `E_TWO` | Prose | 400 ||\n|#\n"
    assert read(section) == [{"code": "E_ONE", "status": 404}, {"code": "E_TWO", "status": 400}]


def test_code_description_takes_the_status_line() -> None:
    section = (
        "HTTP status: **400**, **403**\n\n#|\n|| **Code** | **Description** ||\n"
        "|| `E_ONE` | Prose ||\n|| `ACCESS_DENIED` | Prose ||\n|#\n"
    )
    assert read(section) == [{"code": "E_ONE", "status": 400}, {"code": "ACCESS_DENIED", "status": 403}]


def test_code_description_value_uses_the_description_as_message() -> None:
    section = (
        "HTTP code: **400**\n\n#|\n|| **Code** | **Description** | **Value** ||\n"
        "|| `0` | Store document was not found | Prose ||\n|| `0` | Access denied | Prose ||\n|#\n"
    )
    assert read(section) == [
        {"code": "0", "status": 400, "match": "Store document was not found", "class": "Code0StoreDocumentWasNotFound"},
        {"code": "0", "status": 400, "match": "Access denied", "class": "Code0AccessDenied"},
    ]


def test_status_code_description_value_with_empty_code_and_placeholders() -> None:
    section = (
        "#|\n|| **Status** | **Code** | **Description** | **Value** ||\n"
        "|| `400` | `0` | Invalid value {`...`} for {id} | Prose ||\n"
        "|| `400` | `0` | Field `#FIELD#` (x) is bad | Prose ||\n"
        "|| `403` | Empty value | Access denied | Prose ||\n|#\n"
    )
    entries = read(section)
    assert [(e["code"], e["status"]) for e in entries] == [("0", 400), ("0", 400), ("", 403)]
    assert entries[0]["match"] == "Invalid value .* for .*"
    assert re.search(str(entries[1]["match"]), "Field NAME (x) is bad")
    assert entries[2]["class"] == "CodeEmpty" and "match" not in entries[2]


def test_code_error_message_description() -> None:
    section = (
        "#|\n|| **Code** | **Error Message** | **Description** ||\n"
        "|| Empty string | Target is not set. | Prose ||\n|| Empty string | Target is not found. | Prose ||\n"
        "|| `ACCESS_DENIED` | Access denied! | Prose ||\n|#\n"
    )
    entries = read(section)
    assert [e["code"] for e in entries] == ["", "", "ACCESS_DENIED"]
    assert [e.get("match") for e in entries] == ["Target is not set\\.", "Target is not found\\.", None]
    assert entries[0]["status"] == 400


def test_system_errors_layout_code_and_message_in_one_cell() -> None:
    section = (
        "#|\n|| **Status** | **Code**\n**Error Message** | **Description** ||\n"
        "|| `503` | `QUERY_LIMIT_EXCEEDED`\nToo many | Prose ||\n|#\n"
    )
    assert read(section) == [{"code": "QUERY_LIMIT_EXCEEDED", "status": 503}]


def test_rest_v3_field_tables_take_the_code_line_above() -> None:
    section = (
        "HTTP status: **400**\n\n#### Access\n\nError code: `V3_DENIED`\n\n"
        "#|\n|| **Field** | **Error description** | **How to fix** ||\n|| `-` | Access denied | Prose ||\n|#\n\n"
        "Error Code: `V3_INVALID`\n\n#|\n|| **Field** | **Error description** | **How to Fix** ||\n"
        "|| `id` | Missing `id` | Prose ||\n|| `select` | Unknown `#FIELD#` | Prose ||\n|#\n"
    )
    assert read(section) == [{"code": "V3_DENIED", "status": 400}, {"code": "V3_INVALID", "status": 400}]


def test_repeated_usable_code_is_one_entry_and_numeric_codes_get_classes() -> None:
    section = "#|\n|| **Code** | **Description** ||\n|| `E_X` | a\n||\n|| `E_X` | b\n||\n|| `100` | c\n||\n|#\n"
    entries = read(section)
    assert entries == [{"code": "E_X", "status": 400}, {"code": "100", "status": 400, "class": "Code100"}]
    assert all(is_identifier(str(e.get("class", "X"))) for e in entries)


def test_message_only_table_takes_the_code_of_the_example_answer() -> None:
    section = (
        'HTTP status: **40x**\n\n```json\n{"error": "", "error_description": "Access denied."}\n```\n\n'
        "#|\n|| **Error text** | **Description** ||\n|| `Access denied` | Prose ||\n|| `Not found` | Prose ||\n|#\n"
    )
    entries = read(section)
    assert [(e["code"], e["status"], e.get("match")) for e in entries] == [("", 400, "Access denied"), ("", 400, "Not found")]


def test_message_only_table_without_an_example_is_not_read() -> None:
    assert read("#|\n|| **Error text** | **Description** ||\n|| `Access denied` | Prose ||\n|#\n") == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [("HTTP Status: **400**", [400]), ("HTTP status: **400**, **403**", [400, 403]), ("HTTP Code: **200**", [200]),
     ("HTTP status: **40x**, **50x**", [400, 500]), ("HTTP Status: **400 Bad Request**", [400]), ("Status quo", [])],
)
def test_status_lines(line: str, expected: list[int]) -> None:
    assert statusline.statuses(line) == expected
