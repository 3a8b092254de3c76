"""Conditional requirements read from a row's own description (codegen/importer/conditions.py)."""

from __future__ import annotations

from b24client.runtime.validate import check_params
from codegen.importer import conditions, params, yfm


def derive(rows: str) -> tuple[dict[str, object], list[dict[str, object]], conditions.Conditions]:
    blocks = yfm.parse("#|\n|| **Name**\n`type` | **Description** ||\n" + rows + "|#\n")
    [table] = [b for b in blocks if isinstance(b, yfm.Table)]
    tree, _ = params.table_params(table, params.TableStats())
    found = conditions.derive(blocks, tree)
    return tree, conditions.attach(tree, found), found


def test_required_unless_another_is_given_becomes_one_either_or_group() -> None:
    tree, top, found = derive(
        "|| **MESSAGE***\n`string` | Text. Required if `ATTACH` is not provided. ||\n"
        "|| **ATTACH**\n`object` | Blocks. Required if `MESSAGE` is not provided. ||\n"
        "|| **DIALOG_ID***\n`string` | Target. ||\n"
    )
    assert top == [{"rule": "at_least_one_of", "params": ["MESSAGE", "ATTACH"]}]
    assert "required" not in tree["MESSAGE"] and tree["DIALOG_ID"] == {"type": "string", "required": True}
    assert found.relaxed == ["MESSAGE"]


def test_both_absent_names_three_alternatives() -> None:
    _, top, _ = derive(
        "|| **DIALOG_ID**\n`string` | This parameter is required if both `FROM_USER_ID` and `TO_USER_ID` "
        "are not provided. ||\n|| **FROM_USER_ID**\n`integer` | x ||\n|| **TO_USER_ID**\n`integer` | x ||\n"
    )
    assert top == [{"rule": "at_least_one_of", "params": ["DIALOG_ID", "FROM_USER_ID", "TO_USER_ID"]}]


def test_required_when_present_or_equal_becomes_required_if() -> None:
    _, top, _ = derive(
        "|| **USE_PLACEMENT**\n`char` | x ||\n"
        "|| **PLACEMENT_HANDLER***\n`string` | URL. Required if `USE_PLACEMENT = 'Y'` ||\n"
        "|| **cursor**\n`object` | x ||\n|| **limit***\n`integer` | Required if `cursor` is specified ||\n"
    )
    assert top == [
        {"rule": "required_if", "params": ["PLACEMENT_HANDLER"], "when": {"param": "USE_PLACEMENT", "equals": "Y"}},
        {"rule": "required_if", "params": ["limit"], "when": {"param": "cursor", "present": True}},
    ]


def test_names_of_other_objects_and_vague_phrasings_are_left_for_curation() -> None:
    tree, top, found = derive(
        "|| **section***\n`integer` | Required if `auto_detect_section` is passed and not equal to `Y` ||\n"
        "|| **CHAT_ID***\n`integer` | Required if `NOT_A_PARAM` is not provided ||\n"
    )
    assert top == [] and found.relaxed == []
    assert tree["section"]["required"] and tree["CHAT_ID"]["required"]


def test_the_docs_example_that_was_refused_now_validates() -> None:
    # im.disk.folder.get's page calls it with DIALOG_ID only; both ids were read as required.
    tree, top, _ = derive(
        "|| **CHAT_ID***\n`integer` | Chat. Required if `DIALOG_ID` is not provided ||\n"
        "|| **DIALOG_ID***\n`string` | Dialog. Required if `CHAT_ID` is not provided ||\n"
    )
    compiled = {
        "method": "im.disk.folder.get",
        "constraints": top,
        "params": {
            name: {"types": [[p["type"], 0]], **({"required": True} if p.get("required") else {})} for name, p in tree.items()
        },
    }
    assert check_params(compiled, {"DIALOG_ID": "chat1489"}) == []
    assert [p.rule for p in check_params(compiled, {})] == ["at_least_one_of"]
