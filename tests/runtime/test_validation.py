"""The validator: every problem at once, each naming the method, the parameter and the rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import b24client
from b24client import Bitrix24, errors


def rules(problems: list[b24client.Problem]) -> list[tuple[str, str]]:
    return sorted((p.path, p.rule) for p in problems)


def test_pay_invoice_without_a_pay_system_names_both_alternatives() -> None:
    problems = b24client.validate("sale.paysystem.pay.invoice", {"INVOICE_ID": 2})
    assert rules(problems) == [("", "at_least_one_of")]
    assert "PAY_SYSTEM_ID" in problems[0].message and "BX_REST_HANDLER" in problems[0].message
    assert problems[0].method == "sale.paysystem.pay.invoice"


def test_valid_call_has_no_problems_and_ids_may_be_digit_strings() -> None:
    assert b24client.validate("sale.paysystem.pay.invoice", {"INVOICE_ID": "2", "PAY_SYSTEM_ID": 31}) == []


def test_all_problems_are_reported_together_including_nested_ones() -> None:
    params = {
        "NAME": 5.5j,
        "SETTINGS": {"CODES": {"X": {"SORT": "ten", "DEFAULT": {"PROVIDER_KEY": "NOPE"}}}, "CLIENT_TYPE": "b2x"},
        "SORTT": 1,
    }
    problems = b24client.validate("sale.paysystem.handler.add", params)
    found = rules(problems)
    assert ("CODE", "required") in found
    assert ("NAME", "type") in found
    assert ("SETTINGS", "at_least_one_of") in found
    assert ("SETTINGS.CLIENT_TYPE", "enum") in found
    assert ("SETTINGS.CODES.X.SORT", "type") in found
    assert ("SETTINGS.CODES.X.DEFAULT.PROVIDER_KEY", "enum") in found
    assert ("SORTT", "unknown") in found
    unknown = next(p for p in problems if p.rule == "unknown")
    assert "did you mean 'SORT'" in unknown.message


def test_validation_error_message_lists_method_parameter_and_rule() -> None:
    client = Bitrix24(webhook="http://127.0.0.1:9/rest/1/sekret-token/")
    with pytest.raises(errors.ValidationError) as raised:
        client.sale.paysystem.pay.invoice(pay_system_id="abc")  # type: ignore[call-arg]
    text = str(raised.value)
    assert text.startswith("sale.paysystem.pay.invoice: 2 invalid parameters")
    assert "invoice_id (INVOICE_ID): is required but missing [rule: required]" in text
    assert "pay_system_id (PAY_SYSTEM_ID): must be integer, got str 'abc' [rule: type]" in text
    assert "sekret-token" not in text


def test_unknown_keyword_argument_is_a_problem_not_a_silent_drop() -> None:
    client = Bitrix24(webhook="http://127.0.0.1:9/rest/1/token/")
    with pytest.raises(errors.ValidationError) as raised:
        client.sale.paysystem.pay.invoice(invoice_id=1, pay_system_id=2, paysystem=3)  # type: ignore[call-arg]
    assert [(p.path, p.rule) for p in raised.value.problems] == [("paysystem", "unknown")]


def test_null_char_enum_and_date_rules() -> None:
    assert rules(b24client.validate("sale.paysystem.pay.invoice", {"INVOICE_ID": None, "PAY_SYSTEM_ID": 1})) == [
        ("INVOICE_ID", "not_null")
    ]
    product_list = {"paymentId": 1, "filter": {}, "order": {"id": "up"}}
    assert ("order.id", "enum") in rules(b24client.validate("crm.item.payment.product.list", product_list))
    add = {"NAME": "n", "BX_REST_HANDLER": "h", "ENTITY_REGISTRY_TYPE": "ORDER", "PERSON_TYPE_ID": 1, "ACTIVE": True}
    assert ("ACTIVE", "type") in rules(b24client.validate("sale.paysystem.add", add))
    add["ACTIVE"] = "X"
    assert ("ACTIVE", "enum") in rules(b24client.validate("sale.paysystem.add", add))
    add["ACTIVE"] = "Y"
    assert ("ACTIVE", "enum") not in rules(b24client.validate("sale.paysystem.add", add))


def test_dates_may_be_python_dates_and_are_sent_as_iso_text() -> None:
    from b24client.runtime.encoding import encode_json

    assert encode_json({"D": dt.date(2024, 5, 1), "T": dt.datetime(2024, 5, 1, 12, 0)}) == (
        b'{"D":"2024-05-01","T":"2024-05-01T12:00:00"}'
    )


def test_method_without_spec_cannot_be_validated() -> None:
    problems = b24client.validate("no.such.method", {})
    assert rules(problems) == [("", "unknown_method")]


def test_methods_lists_the_family() -> None:
    names = b24client.methods()
    assert "sale.paysystem.pay.invoice" in names
    assert "crm.item.payment.product.setQuantity" in names
    assert names == sorted(names)


def test_rest_v2_names_match_without_regard_to_case_but_exact_wins() -> None:
    assert b24client.validate("crm.item.payment.get", {"ID": 5}) == []
    assert b24client.validate("crm.item.payment.get", {"Id": 5}) == []
    both = b24client.validate("crm.item.payment.get", {"id": 5, "ID": 6})
    assert rules(both) == [("ID", "unknown")]
    still_checked = b24client.validate("crm.item.payment.get", {"ID": "five"})
    assert rules(still_checked) == [("id", "type")]


def test_char_is_one_character() -> None:
    from b24client.runtime.validate import check_params

    spec = {"method": "demo.flag.set", "params": {"FLAG": {"types": [["char", 0]]}}}
    assert check_params(spec, {"FLAG": "Y"}) == []
    assert check_params(spec, {"FLAG": "A"}) == []
    assert rules(check_params(spec, {"FLAG": "YES"})) == [("FLAG", "type")]
    assert rules(check_params(spec, {"FLAG": True})) == [("FLAG", "type")]


def test_open_methods_take_free_form_fields_as_keyword_arguments(portal: object, client: Bitrix24) -> None:
    section = client.entity.section.add(entity="dish", name="Soups")
    client.entity.section.update(entity="dish", id=section, UF_COLOR="red")  # type: ignore[call-arg]
    sent = [r for r in portal.log if r.method == "entity.section.update"]  # type: ignore[attr-defined]
    assert json.loads(sent[-1].raw_body) == {"ENTITY": "dish", "ID": section, "UF_COLOR": "red"}
    with pytest.raises(errors.ValidationError):
        client.sale.paysystem.pay.invoice(invoice_id=1, pay_system_id=2, UF_COLOR="red")  # type: ignore[call-arg]
