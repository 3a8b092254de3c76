"""The validation policy for names a spec does not document (spec/README.md, "Validation policy").

The portal ignores parameters it does not know and the docs' tables are incomplete, so an
undocumented name is sent with a warning; a near-miss of a documented name, which the
portal would silently drop, is refused before anything is sent; strict mode refuses all.
"""

from __future__ import annotations

import json
import warnings

import pytest

import b24client
from b24client import Bitrix24, errors
from b24client.runtime.retry import NO_RETRY


def rules(problems: list[b24client.Problem]) -> list[tuple[str, str]]:
    return sorted((p.path, p.rule) for p in problems)


def test_an_undocumented_name_passes_unless_strict() -> None:
    params = {"INVOICE_ID": 2, "PAY_SYSTEM_ID": 31, "bx24_request_id": "r1"}
    assert b24client.validate("sale.paysystem.pay.invoice", params) == []
    strict = b24client.validate("sale.paysystem.pay.invoice", params, strict=True)
    assert rules(strict) == [("bx24_request_id", "unknown")]


def test_a_near_miss_of_a_documented_name_is_refused_with_the_right_spelling() -> None:
    problems = b24client.validate("sale.paysystem.pay.invoice", {"INVOICE_ID": 2, "PAY_SYSTEM_IDD": 31})
    assert rules(problems) == [("", "at_least_one_of"), ("PAY_SYSTEM_IDD", "unknown")]
    assert "did you mean 'PAY_SYSTEM_ID'" in next(p.message for p in problems if p.rule == "unknown")


def test_nested_names_follow_the_same_policy() -> None:
    base = {"ID": 1, "FIELDS": {"NAME": "Card"}}
    assert b24client.validate("sale.paysystem.update", {**base, "FIELDS": {"NAME": "Card", "X_CUSTOM": 1}}) == []
    typo = b24client.validate("sale.paysystem.update", {**base, "FIELDS": {"NAMEE": "Card"}})
    assert ("FIELDS.NAMEE", "unknown") in rules(typo)


def test_list_methods_take_the_common_list_parameters_whatever_their_table_lists() -> None:
    # crm.timeline.bindings.list's table lists neither select nor order; the format implies
    # them for every offset-paged method, and still checks their types.
    page = {"filter": {"OWNER_ID": 1, "OWNER_TYPE_ID": 2}, "select": ["ENTITY_ID"], "order": {"ENTITY_ID": "asc"}}
    assert b24client.validate("crm.timeline.bindings.list", page, strict=True) == []
    assert rules(b24client.validate("crm.timeline.bindings.list", {**page, "select": 5, "start": "first"})) == [
        ("select", "type"),
        ("start", "type"),
    ]


def test_the_client_sends_an_undocumented_name_and_says_so(portal: object, client: Bitrix24) -> None:
    with pytest.warns(errors.UnknownParameterWarning, match="bx24_request_id"):
        client.call("sale.paysystem.handler.list", {"bx24_request_id": "r1"})
    sent = [r for r in portal.log if r.method == "sale.paysystem.handler.list"]  # type: ignore[attr-defined]
    assert json.loads(sent[-1].raw_body) == {"bx24_request_id": "r1"}


def test_a_strict_client_refuses_it_before_sending(portal: object) -> None:
    portal.reset()  # type: ignore[attr-defined]
    with Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False, strict=True) as b24:  # type: ignore[attr-defined]
        with pytest.raises(errors.ValidationError) as raised:
            b24.call("sale.paysystem.handler.list", {"bx24_request_id": "r1"})
    assert [(p.path, p.rule) for p in raised.value.problems] == [("bx24_request_id", "unknown")]
    assert portal.log == []  # type: ignore[attr-defined]


def test_a_typo_is_refused_before_sending_even_when_lenient(portal: object, client: Bitrix24) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: a refused call announces nothing
        with pytest.raises(errors.ValidationError, match="did you mean 'INVOICE_ID'"):
            client.call("sale.paysystem.pay.invoice", {"INVOICE_IDD": 2, "PAY_SYSTEM_ID": 31})
    assert portal.log == []  # type: ignore[attr-defined]


def test_underscore_prefixed_names_are_client_markers_not_typos() -> None:
    # fast_bitrix24 adds `__order` to each batch command; difflib finds it as close to
    # `order` (0.83) as `ordr` is, but only the latter is a slip of the documented name.
    page = {"select": ["ID"], "__order": "order0000000000"}
    assert b24client.validate("crm.deal.list", page) == []
    assert rules(b24client.validate("crm.deal.list", page, strict=True)) == [("__order", "unknown")]
    assert rules(b24client.validate("crm.deal.list", {"ordr": {"ID": "ASC"}})) == [("ordr", "unknown")]
