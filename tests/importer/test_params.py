"""Parameter rows: names, required markers, placeholders and dotted paths."""

from __future__ import annotations

from codegen.importer import params, yfm


def read(rows: str) -> tuple[dict[str, object], bool, params.TableStats]:
    [table] = [b for b in yfm.parse("#|\n|| **Name**\n`type` | **Description** ||\n" + rows + "|#\n") if isinstance(b, yfm.Table)]
    stats = params.TableStats()
    tree, open_ = params.table_params(table, stats)
    return tree, open_, stats


def test_required_markers_inside_and_after_the_bold_name() -> None:
    rows = "|| **a***\n`string` | x ||\n|| **b**^*^\n`string` | x ||\n|| **c^*^**\n`string` | x ||\n"
    tree, _, _ = read(rows + "|| **d**\n`string` | x ||\n")
    assert {name: p.get("required", False) for name, p in tree.items()} == {"a": True, "b": True, "c": True, "d": False}


def test_placeholders_open_the_map_and_captions_are_skipped() -> None:
    tree, open_, stats = read(
        "|| **UF_CRM_...**\n`any` | x ||\n|| **<card selector>**\n`object` | x ||\n|| **propertyN**\n`any` | x ||\n"
        "|| **Settings for all**\n`object` | caption ||\n|| **gpsN**\n`double` | a real name ||\n"
    )
    assert open_ is True
    assert tree == {"gpsN": {"type": "double"}}
    assert stats.skipped_names == ["Settings for all"]


def test_dotted_names_nest_and_suffixes_are_dropped() -> None:
    rows = "|| **fields.CONTACT_ID***\n`integer` | x ||\n|| **TITLE (LANG)**\n`string` | x ||\n"
    tree, _, _ = read(rows + "|| **escaped\\_name**\n`string` | x ||\n")
    assert tree == {
        "fields": {"type": "object", "properties": {"CONTACT_ID": {"type": "integer", "required": True}}},
        "TITLE": {"type": "string"},
        "escaped_name": {"type": "string"},
    }


def test_marker_leftovers_before_the_type_and_descriptions_in_the_name_cell() -> None:
    rows = "|| **name***,**\n`string` | x ||\n|| **weight****\n`integer` | x ||\n"
    tree, _, stats = read(rows + "|| **order**\nPossible values for `order`:\n- `asc`\n||\n")
    assert tree == {
        "name": {"type": "string", "required": True},
        "weight": {"type": "integer", "required": True},
        "order": {"type": "any"},
    }
    assert stats.untyped == 1


def test_two_names_in_one_row() -> None:
    rows = "|| **REPORT_ID*** \\| **ID***\n`integer` | x ||\n|| **CALENDAR_EVENT**\\|**UF_CRM_CAL**\n`string` | x ||\n"
    tree, _, stats = read(rows + "|| **IS_ACTIVE**\n`string` with value `Y/N` | x ||\n")
    assert tree == {
        "REPORT_ID": {"type": "integer"},
        "ID": {"type": "integer"},
        "CALENDAR_EVENT|UF_CRM_CAL": {"type": "string"},
        "IS_ACTIVE": {"type": "string|char"},
    }
    assert stats.aliases == [("REPORT_ID", "ID")]


def test_a_missing_type_is_any_and_counted() -> None:
    tree, _, stats = read("|| **x** | no type here ||\n")
    assert tree == {"x": {"type": "any"}} and stats.untyped == 1


def test_a_type_column_is_used_when_there_is_one() -> None:
    text = "#|\n|| **Field** | **Type** | **Description** ||\n|| **x** | `integer` | y ||\n|#\n"
    [table] = [b for b in yfm.parse(text) if isinstance(b, yfm.Table)]
    assert params.table_params(table, params.TableStats())[0] == {"x": {"type": "integer"}}
