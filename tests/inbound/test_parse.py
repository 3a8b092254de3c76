"""Decoding and verifying event bodies: PHP forms and JSON, tokens, typed payloads."""

from __future__ import annotations

import datetime as dt
import json
from typing import NotRequired, TypedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b24client.runtime import phpquery
from b24client.runtime.inbound import (
    EventAuthError,
    ForgedEventError,
    InboundFormatError,
    MemoryTokenStore,
    PortalTokens,
    UnknownPortalError,
    application_token_lookup,
    parse,
)
from tests.inbound.conftest import DOMAIN, FORM, MEMBER, TOKEN, event_fields, php_form


def test_php_form_with_nested_keys_and_lists_decodes_to_an_event():
    fields = event_fields(data={"FIELDS": {"ID": "42", "TAGS": ["a", "b"]}})
    body = php_form(fields) + b"&data%5BAPPENDED%5D%5B%5D=x&data%5BAPPENDED%5D%5B%5D=y"
    event = parse(body, FORM, application_token=TOKEN)
    assert event.name == "ONCRMDEALADD"
    assert event.handler_id == 7
    assert event.data == {"FIELDS": {"ID": "42", "TAGS": ["a", "b"]}, "APPENDED": ["x", "y"]}
    assert event.ts == dt.datetime(2023, 10, 5, 17, 30, tzinfo=dt.UTC)
    assert (event.auth.member_id, event.auth.domain, event.auth.expires_in) == (MEMBER, DOMAIN, 3600)
    assert event.verified


def test_unescaped_brackets_and_json_bodies_give_the_same_event():
    fields = event_fields()
    from_form = parse(php_form(fields, escape_brackets=False), FORM, application_token=TOKEN)
    from_json = parse(json.dumps(fields).encode(), "application/json; charset=utf-8", application_token=TOKEN)
    assert from_form.data == from_json.data == {"FIELDS": {"ID": "42"}}
    assert from_form.ts == from_json.ts and from_form.auth == from_json.auth


def test_decoder_inverts_the_encoder():
    params = {"filter": {">ID": "5", "@STAGE": ["A", "B"]}, "select": ["ID", "TITLE"], "name": "a&b=c d+e%"}
    assert phpquery.decode(phpquery.encode(params)) == params


_names = st.text(st.characters(categories=["L"]), min_size=1, max_size=5)
_values = st.text(max_size=8)
_params = st.recursive(
    _values,
    lambda inner: st.lists(inner, min_size=1, max_size=3) | st.dictionaries(_names, inner, min_size=1, max_size=3),
    max_leaves=12,
)


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(st.dictionaries(_names, _params, max_size=4))
def test_decoding_what_was_encoded_gives_it_back(params):
    """Any nesting of non-empty dicts and lists of text survives PHP encoding and decoding."""
    assert phpquery.decode(phpquery.encode(params)) == params


def test_decoder_refuses_absurd_nesting():
    with pytest.raises(phpquery.PhpQueryError, match="nested deeper than 3"):
        phpquery.decode("a[b][c][d]=1", max_depth=3)


def test_a_forged_token_is_refused_with_403_and_never_shown():
    body = php_form(event_fields(token="0" * 32))
    with pytest.raises(ForgedEventError) as caught:
        parse(body, FORM, application_token=TOKEN)
    assert caught.value.status == 403
    assert TOKEN not in str(caught.value) and "0" * 32 not in str(caught.value)


def test_a_missing_token_is_refused_with_401():
    with pytest.raises(EventAuthError) as caught:
        parse(php_form(event_fields(token=None)), FORM, application_token=TOKEN)
    assert caught.value.status == 401
    assert "application_token" in str(caught.value)


def test_tokens_are_looked_up_per_portal_by_member_id():
    store = MemoryTokenStore()
    store.save(PortalTokens(member_id=MEMBER, domain=DOMAIN, access_token="a", application_token=TOKEN))
    store.save(PortalTokens(member_id="other", domain="other.bitrix24.com", access_token="b", application_token="f" * 32))
    lookup = application_token_lookup(store)
    assert parse(php_form(event_fields()), FORM, application_token=lookup).auth.member_id == MEMBER
    # The other portal's token does not open this portal's events, and vice versa.
    with pytest.raises(ForgedEventError):
        parse(php_form(event_fields(token="f" * 32)), FORM, application_token=lookup)
    with pytest.raises(UnknownPortalError) as caught:
        parse(php_form(event_fields(member_id="never-installed")), FORM, application_token=lookup)
    assert caught.value.status == 403


def test_every_problem_of_a_broken_body_is_reported_at_once():
    body = b"event_handler_id=x&ts=yesterday&auth%5Bapplication_token%5D=t"
    with pytest.raises(InboundFormatError) as caught:
        parse(body, FORM, application_token=TOKEN)
    text = str(caught.value)
    for expected in (
        "event: missing",
        "ts: missing or not a Unix time",
        "event_handler_id: not an integer",
        "needs member_id or domain",
    ):
        assert expected in text
    assert len(caught.value.problems) == 4


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"\xff\xfe", FORM, "not UTF-8"),
        (b"{not json", "application/json", "not valid JSON"),
        (b"[1, 2]", "application/json", "must be an object"),
        (b"<xml/>", "text/xml", "unsupported Content-Type"),
    ],
)
def test_unreadable_bodies_are_format_errors(body, content_type, message):
    with pytest.raises(InboundFormatError, match=message):
        parse(body, content_type, application_token=TOKEN)


def test_no_secret_in_the_repr_of_an_event():
    event = parse(php_form(event_fields(refresh_token="r" * 32)), FORM, application_token=TOKEN)
    shown = repr(event) + repr(event.auth)
    for secret in (TOKEN, "s6p6eclrvim6da22ft9ch94ekreb52lv", "r" * 32):
        assert secret not in shown
    assert "member_id='a223c6b3710f85df22e9377d6c4f7553'" in shown


class DealFields(TypedDict):
    ID: str


class DealPayload(TypedDict):
    FIELDS: DealFields
    EXTRA: NotRequired[str]


def test_a_registry_types_the_payload_and_checks_required_keys():
    registry = {"ONCRMDEALADD": DealPayload}
    event = parse(php_form(event_fields()), FORM, application_token=TOKEN, registry=registry)
    assert event.data["FIELDS"]["ID"] == "42"
    with pytest.raises(InboundFormatError) as caught:
        parse(php_form(event_fields(data={"FIELDS": {"TITLE": "no id"}})), FORM, application_token=TOKEN, registry=registry)
    assert "data[FIELDS][ID]: required by DealFields, missing" in str(caught.value)


def test_a_registry_may_hold_a_constructor():
    def deal_id(data):
        return int(data["FIELDS"]["ID"])

    event = parse(php_form(event_fields()), FORM, application_token=TOKEN, registry={"ONCRMDEALADD": deal_id})
    assert event.data == 42
    with pytest.raises(InboundFormatError, match="does not fit deal_id"):
        parse(
            php_form(event_fields(data={"FIELDS": {"ID": "x"}})),
            FORM,
            application_token=TOKEN,
            registry={"ONCRMDEALADD": deal_id},
        )


def test_the_token_is_checked_before_the_payload_is_looked_at():
    """A forged event with a broken payload is a forgery (403), not a format error."""
    body = php_form(event_fields(token="0" * 32, data={"FIELDS": {}}))
    with pytest.raises(ForgedEventError):
        parse(body, FORM, application_token=TOKEN, registry={"ONCRMDEALADD": DealPayload})


def test_appending_follows_the_largest_integer_key_as_php_does():
    assert phpquery.decode("a[5]=x&a[]=y") == {"a": {"5": "x", "6": "y"}}
    assert phpquery.decode("a[0]=x&a[2]=y&a[]=z") == {"a": {"0": "x", "2": "y", "3": "z"}}  # a[2] kept
    assert phpquery.decode("a[]=1&a[05]=2&a[]=3") == {"a": {"0": "1", "05": "2", "1": "3"}}


def test_many_appends_decode_in_one_pass():
    # counting the keys on every append made this quadratic: 40,000 appends took about a minute
    decoded = phpquery.decode("&".join(["a[]=1"] * 200_000))
    assert len(decoded["a"]) == 200_000
