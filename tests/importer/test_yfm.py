"""The YFM reader splits pages the way the diplodoc renderer does."""

from __future__ import annotations

from codegen.importer import yfm


def tables(text: str) -> list[yfm.Table]:
    return [block for block in yfm.parse(text) if isinstance(block, yfm.Table)]


def test_rows_and_cells() -> None:
    [table] = tables("#|\n|| **A** | one ||\n|| **B**\n`integer` | two\n||\n|#\n")
    assert table.rows == (("**A**", "one"), ("**B**\n`integer`", "two"))


def test_escaped_pipe_is_not_a_cell_separator() -> None:
    [table] = tables("#|\n|| `string`\\|`object` | text ||\n|#\n")
    assert table.rows == (("`string`\\|`object`", "text"),)


def test_row_closed_on_the_next_line_and_next_row_opened_after_it() -> None:
    [table] = tables("#|\n|| `1` | first\n|| \n|| `2` | second\n|| \n|#\n")
    assert [row[0] for row in table.rows] == ["`1`", "`2`"]


def test_nested_table_stays_inside_its_cell() -> None:
    text = "#|\n|| **OPTIONS** | Fields:\n\n#|\n|| **X** | inner ||\n|#\n||\n|| **NEXT** | after ||\n|#\n"
    [outer] = tables(text)
    assert [row[0] for row in outer.rows] == ["**OPTIONS**", "**NEXT**"]
    [inner] = tables(outer.rows[0][1])
    assert inner.rows == (("**X**", "inner"),)


def test_fenced_code_in_a_cell_hides_its_pipes() -> None:
    [table] = tables("#|\n|| **V** | text\n```\na | b || c\n```\n||\n|#\n")
    assert len(table.rows) == 1 and "a | b || c" in table.rows[0][1]


def test_unclosed_table_is_text() -> None:
    blocks = yfm.parse("#|\n|| a | b ||\n")
    assert not any(isinstance(block, yfm.Table) for block in blocks)


def test_table_inside_a_fence_is_not_a_table() -> None:
    blocks = yfm.parse("```\n#|\n|| a | b ||\n|#\n```\n")
    assert [type(block) for block in blocks] == [yfm.Code]


def test_headings_anchors_and_code_tabs() -> None:
    text = (
        "# Title m.x\n\n### Parameter fields {#fields}\n\n{% list tabs %}\n\n- cURL (Webhook)\n\n"
        "    ```bash\n    curl -d '{}' x\n    ```\n\n{% endlist %}\n\n```json\n{}\n```\n"
    )
    blocks = yfm.parse(text)
    headings = [b for b in blocks if isinstance(b, yfm.Heading)]
    assert [(h.level, h.text, h.anchor) for h in headings] == [(1, "Title m.x", None), (3, "Parameter fields", "fields")]
    codes = [b for b in blocks if isinstance(b, yfm.Code)]
    assert [(c.lang, c.tab, c.text) for c in codes] == [("bash", "cURL (Webhook)", "curl -d '{}' x"), ("json", "", "{}")]


def test_text_after_a_table_is_kept() -> None:
    blocks = yfm.parse("#|\n|| a | b ||\n|#\n## Next\n")
    assert isinstance(blocks[-1], yfm.Heading) and blocks[-1].text == "Next"


def test_plain_drops_markup() -> None:
    assert yfm.plain("[`crm.item.add`](../x.md) **bold** `code` \\| x {#anchor}") == "crm.item.add bold code | x"
