"""Result model class names depend only on the method and the path inside its result.

The generator left to itself names a nested object after its property and numbers clashes in
the order it meets them (`Item1`, `Item2`), so adding a method renamed other methods' classes.
"""

from __future__ import annotations

import re

from codegen.models import render_models

HEADER = "# test\n"


def _object(**properties: dict) -> dict:
    return {"type": "object", "properties": properties}


DEAL = _object(ID={"type": "string"}, item=_object(title={"type": "string"}))
ORDER = _object(item=_object(price={"type": "number"}), items={"type": "array", "items": _object(qty={"type": "integer"})})


def _classes(schemas: dict[str, dict]) -> dict[str, str]:
    code = render_models(schemas, header=HEADER, doc="models")
    return {name: body for name, body in re.findall(r"^class (\w+)\(TypedDict\):\n((?:    .*(?:\n|\Z))+)", code, re.M)}


def test_nested_objects_are_named_by_their_path() -> None:
    classes = _classes({"CrmDealGetResult": DEAL, "SaleOrderGetResult": ORDER})
    assert set(classes) == {
        "CrmDealGetResult",
        "CrmDealGetResultItem",
        "SaleOrderGetResult",
        "SaleOrderGetResultItem",
        "SaleOrderGetResultItemsItem",
    }
    assert "item: NotRequired[SaleOrderGetResultItem]" in classes["SaleOrderGetResult"]
    assert "items: NotRequired[list[SaleOrderGetResultItemsItem]]" in classes["SaleOrderGetResult"]


def test_adding_a_method_renames_no_other_class() -> None:
    alone = _classes({"SaleOrderGetResult": ORDER})
    # A method sorted first with the same nested property names used to take the plain names.
    together = _classes({"AaaGetResult": ORDER, "SaleOrderGetResult": ORDER})
    assert {name: body for name, body in together.items() if name.startswith("SaleOrder")} == alone
