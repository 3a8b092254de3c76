"""Command-line words to call parameters (runtime/cli/params.py)."""

from __future__ import annotations

import pytest

from b24client.runtime.cli.params import ParamError, parse_words


def test_brackets_build_nested_objects_and_lists():
    params = parse_words(["filter[>ID]=10", "filter[STAGE_ID]=NEW", "select[]=ID", "select[]=TITLE", "id=5"])
    assert params == {"filter": {">ID": "10", "STAGE_ID": "NEW"}, "select": ["ID", "TITLE"], "id": "5"}


def test_json_values_and_merging_over_a_base():
    params = parse_words(["fields[OPPORTUNITY]:=1500", "fields[OPENED]:=true", 'rows:=[{"A": 1}]'], {"fields": {"TITLE": "x"}})
    assert params == {"fields": {"TITLE": "x", "OPPORTUNITY": 1500, "OPENED": True}, "rows": [{"A": 1}]}


def test_values_may_contain_equals_and_brackets():
    assert parse_words(["COMMENTS=a=b [c]"]) == {"COMMENTS": "a=b [c]"}


def test_lists_of_objects():
    assert parse_words(["rows[][ID]=1"]) == {"rows": [{"ID": "1"}]}


@pytest.mark.parametrize("word", ["novalue", "=5", "x:=not json"])
def test_bad_words_are_refused(word):
    with pytest.raises(ParamError):
        parse_words([word])


def test_a_key_cannot_be_both_object_and_list():
    with pytest.raises(ParamError, match="appends to a list"):
        parse_words(["a[K]=1", "a[]=2"])
