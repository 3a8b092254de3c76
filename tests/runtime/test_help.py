"""help() and IDE hovers: a generated function takes `**params: Unpack[...]`, which names no
argument, so its docstring must list every keyword argument with its type."""

from __future__ import annotations

import pydoc

from b24client import Bitrix24, methods
from b24client.runtime import specs
from codegen.naming import python_name


def _function(b24: Bitrix24, method_id: str) -> object:
    name, _, version = method_id.partition("@")
    target: object = b24.v3 if version else b24
    for segment in name.split("."):
        target = getattr(target, python_name(segment))
    return target


def test_help_of_a_curated_method_lists_each_argument_with_type_and_summary() -> None:
    text = pydoc.render_doc(_function(Bitrix24(webhook="http://127.0.0.1:9/rest/1/x/"), "crm.item.payment.add"))
    assert "entity_id (int | str, required, sent as entityId): Id of the CRM object the payment belongs to." in text
    assert "entity_type_id (int | str, required, sent as entityTypeId): CRM object type id" in text
    assert "Returns: Id of the new payment." in text


def test_help_of_every_method_names_every_keyword_argument() -> None:
    b24 = Bitrix24(webhook="http://127.0.0.1:9/rest/1/x/")
    missing = []
    for method_id in methods():
        function = _function(b24, method_id)
        # a name that is also a namespace (calendar.event.get.nearest) is called through __call__
        doc = (function.__doc__ if hasattr(function, "__func__") else type(function).__call__.__doc__) or ""
        spec = specs.get(method_id)
        assert spec is not None, method_id
        missing += [
            f"{method_id}: {kwarg}"
            for kwarg, wire in spec["kwargs"].items()
            if f"    {kwarg} (" not in doc or (kwarg != wire and f"sent as {wire}" not in doc)
        ]
    assert missing == []
