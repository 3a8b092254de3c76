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
        {"code": "0", "status": 400, "match": "Store document was not found", "class": "Code0StoreDocumentNotFound"},
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
    assert entries[0]["match"] == "Invalid value .+? for .+?"
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
    # 503 alone would say "server"; the system error's documented category is kept on the entry.
    assert read(section) == [{"code": "QUERY_LIMIT_EXCEEDED", "status": 503, "category": "rate_limit"}]


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
    [
        ("HTTP Status: **400**", [400]),
        ("HTTP status: **400**, **403**", [400, 403]),
        ("HTTP Code: **200**", [200]),
        ("HTTP status: **40x**, **50x**", [400, 500]),
        ("HTTP Status: **400 Bad Request**", [400]),
        ("Status quo", []),
    ],
)
def test_status_lines(line: str, expected: list[int]) -> None:
    assert statusline.statuses(line) == expected


def test_a_status_in_the_code_column_is_the_status_and_the_message_column_gives_the_match() -> None:
    section = (
        'HTTP status: **400**\n\n```json\n{"error": "Invalid id.", "error_description": "Prose"}\n```\n\n'
        "#|\n|| **Code** | **Description** | **Value** ||\n"
        "|| `400` | `Invalid id.` | Prose ||\n|| `403` | `Access denied.` | Prose ||\n"
        "|| `400` | `CRM_FEATURE_RESTRICTION_ERROR` | Prose ||\n|#\n"
    )
    entries = read(section)
    # The example's `error` is a message, not a code: such rows carry the empty code on the wire.
    assert [(e["code"], e["status"], e.get("match")) for e in entries] == [
        ("", 400, "Invalid id\\."),
        ("", 403, "Access denied\\."),
        ("CRM_FEATURE_RESTRICTION_ERROR", 400, None),
    ]
    assert errors_table.notes(yfm.parse(section))


def test_a_three_digit_number_among_numeric_codes_or_shown_by_the_example_stays_a_code() -> None:
    numeric = "#|\n|| **Code** | **Description** ||\n|| `100` | a\n||\n|| `400` | b\n||\n|#\n"
    assert [(e["code"], e["status"]) for e in read(numeric)] == [("100", 400), ("400", 400)]
    shown = (
        'HTTP status: **403**\n\n```json\n{"error": "403", "error_description": "Closed"}\n```\n\n'
        "#|\n|| **Code** | **Description** ||\n|| `403` | Prose ||\n|| `E_X` | Prose ||\n|#\n"
    )
    assert [(e["code"], e["status"]) for e in read(shown)] == [("403", 403), ("E_X", 403)]
    not_a_portal_status = "#|\n|| **Code** | **Description** ||\n|| `422` | Prose ||\n|| `E_X` | Prose ||\n|#\n"
    assert [e["code"] for e in read(not_a_portal_status)] == ["422", "E_X"]


def test_message_text_in_the_code_column_takes_the_example_code_or_the_empty_one() -> None:
    table = (
        "#|\n|| **Code** | **Description** ||\n|| `ACCESS_DENIED` | Prose ||\n|| `Item is not found` | Prose ||\n"
        "|| `Access denied! Admin only` | Prose ||\n|#\n"
    )
    generic = 'HTTP status: **400**\n\n```json\n{"error": 0, "error_description": "x"}\n```\n\n' + table
    assert [(e["code"], e.get("match")) for e in read(generic)] == [
        ("ACCESS_DENIED", None),
        ("0", "Item is not found"),
        ("0", "Access denied! Admin only"),
    ]
    specific = 'HTTP status: **400**\n\n```json\n{"error": "NOT_FOUND", "error_description": "x"}\n```\n\n' + table
    assert [e["code"] for e in read(specific)] == ["ACCESS_DENIED", "", ""]
    showing = 'HTTP status: **400**\n\n```json\n{"error": "E_GONE", "error_description": "Item is not found."}\n```\n\n'
    assert [e["code"] for e in read(showing + table)] == ["ACCESS_DENIED", "E_GONE", ""]


def test_prose_in_the_code_column_beside_a_message_column_is_no_error() -> None:
    section = (
        "#|\n|| **Code** | **Error Message** | **Description** ||\n|| `E_LOG` | Empty log! | Prose ||\n"
        "|| Depends on the process | Depends on the process | Prose ||\n|| ‘’ (empty error code) | Bad field | Prose ||\n|#\n"
    )
    assert [e["code"] for e in read(section)] == ["E_LOG", ""]


@pytest.mark.parametrize(
    ("message", "pattern", "wire"),
    [
        (
            "Section at index `i` has type `data[i].type`.",
            r"Section at index .+? has type .+?\.",
            "Section at index 0 has type x.",
        ),
        (
            "Section at index `#` does not have name",
            "Section at index .+? does not have name",
            "Section at index 3 does not have name",
        ),
        ("Error in “#document name”: “error text”", "Error in .+?: .+?", 'Error in "Incoming 33": stock'),
        ('Deleting document "#ID": not found', "Deleting document .+?: not found", 'Deleting document "12": not found'),
        (
            "The Preset with ID '347' is not found",
            r"The Preset with ID '\d+' is not found",
            "The Preset with ID '5' is not found",
        ),
        ("[Contact #2647] No access", r"\[Contact #\d+\] No access", "[Contact #1] No access"),
        ("The \\u0027NAME\\u0027 field", "The 'NAME' field", "The 'NAME' field"),
        ("Parameter \\{fileId\\} missing", "Parameter .+? missing", "Parameter {fileId} missing"),
        (
            "Element at index j in section at index i",
            r"Element at index \d+ in section at index \d+",
            "Element at index 2 in section at index 0",
        ),
    ],
)
def test_match_generalises_placeholders_and_literal_ids(message: str, pattern: str, wire: str) -> None:
    section = f"#|\n|| **Code** | **Description** | **Value** ||\n|| `0` | {message} | Prose ||\n|| `0` | Other | Prose ||\n|#\n"
    entry = read(section)[0]
    assert entry["match"] == pattern
    assert re.search(str(entry["match"]), wire)


def test_a_system_code_under_another_status_keeps_the_status_and_gets_the_documented_category() -> None:
    section = (
        "HTTP status: **400**\n\n#|\n|| **Code** | **Description** ||\n|| `ACCESS_DENIED` | Prose ||\n"
        "|| `insufficient_scope` | Prose ||\n|| `E_OWN` | Prose ||\n|#\n"
    )
    assert read(section) == [
        {"code": "ACCESS_DENIED", "status": 400, "category": "permission"},
        {"code": "insufficient_scope", "status": 400, "category": "permission"},
        {"code": "E_OWN", "status": 400},
    ]


def test_a_message_inside_a_siblings_longer_word_is_matched_from_a_word_start() -> None:
    section = (
        "#|\n|| **Code** | **Description** ||\n|| `TYPE_ID is not defined` | Prose ||\n"
        "|| `ENTITY_TYPE_ID is not defined` | Prose ||\n|#\n"
    )
    first, second = read(section)
    assert first["match"] == r"(?<!\w)TYPE_ID is not defined"
    assert not re.search(str(first["match"]), "ENTITY_TYPE_ID is not defined.")
    assert second["match"] == "ENTITY_TYPE_ID is not defined"


def test_a_class_named_from_a_message_keeps_its_meaningful_words() -> None:
    from codegen.importer.errors_table import _class_for

    taken: set[str] = set()
    first = _class_for("0", 'An error occurred while canceling the document "x": The document has not been processed', taken)
    second = _class_for("0", 'An error occurred while canceling the document "x": insufficient permissions', taken)
    assert first == "Code0CancelingDocumentXNotProcessed"
    assert second == "Code0CancelingDocumentXInsufficientPermissions"  # more words before any number
    assert _class_for("0", "Error 404 for the ID 24", taken) == "Code0ID"
