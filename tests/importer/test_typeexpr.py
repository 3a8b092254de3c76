"""Docs type cells become `typeExpr` expressions, or `any` when they cannot."""

from __future__ import annotations

import pytest

from codegen.importer import typeexpr


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("[`string`](../data-types.md)", "string"),
        ("`string`\\|`object`", "string|object"),
        ("`string|null`", "string|null"),
        ("[`integer[]`](x.md)", "integer[]"),
        ("`array<object>`", "object[]"),
        ("`sale_paysystem.ID`", "sale_paysystem.ID"),
        ("`sale_paysystem.id`", "sale_paysystem.id"),
        ("`int`", "integer"),
        ("`Y/N`", "char"),
        ("`integer` or `string`", "integer|string"),
        ("`integer`\\|`integer`", "integer"),
    ],
)
def test_normalize(cell: str, expected: str) -> None:
    expression, understood = typeexpr.normalize(cell)
    assert (expression, understood) == (expected, True)
    assert typeexpr.TYPE_EXPR.match(expression)


@pytest.mark.parametrize("cell", ["", "no backticks", "`a b c`", "`#$%`"])
def test_unreadable_types_fall_back_to_any(cell: str) -> None:
    assert typeexpr.normalize(cell) == ("any", False)


def test_guessed_bases() -> None:
    assert typeexpr.guessed_base("crm_thing.id") == "integer"
    assert typeexpr.guessed_base("crm_thing.ID") == "integer"
    assert typeexpr.guessed_base("crm_thing.CODE") == "string"
    assert typeexpr.guessed_base("crm_thing") == "object"
