"""Tables shared by the runtime and codegen have one home, and every table keyed by one covers it.

The primitive kinds are the runtime validator's (`KIND_ACCEPTS`); codegen's hints, samples and
OpenAPI schemas are keyed by them. The runtime's error classes (`PUBLIC_ERRORS`,
`CATEGORY_BASES`) are what generated errors.py imports and what generated names must avoid.
"""

from __future__ import annotations

import pytest

from b24client import errors
from b24client.runtime.exceptions import CATEGORY_BASES, PUBLIC_ERRORS
from b24client.runtime.validate import KIND_ACCEPTS, PRIMITIVE_KINDS, _kind_matches
from codegen import openapi, pytypes, testcases
from codegen.compile import RUNTIME_BASE_NAMES
from codegen.typeexpr import per_kind


@pytest.mark.parametrize("table", [pytypes._KIND_HINTS, openapi.KIND_SCHEMAS], ids=["hints", "openapi"])
def test_every_table_keyed_by_kind_has_every_kind(table: dict[str, object]) -> None:
    assert sorted(table) == sorted(PRIMITIVE_KINDS)


def test_a_sample_of_every_kind_is_one_the_validator_accepts() -> None:
    for kind in PRIMITIVE_KINDS:
        sample = testcases.sample_value({"types": [[kind, 0]]})
        assert _kind_matches(kind, sample), (kind, sample)


def test_a_table_missing_a_kind_fails_when_it_is_built() -> None:
    full = dict.fromkeys(KIND_ACCEPTS, "x")
    assert per_kind(full) is full
    with pytest.raises(LookupError, match="lacks \\['char'\\]"):
        per_kind({kind: "x" for kind in KIND_ACCEPTS if kind != "char"})
    with pytest.raises(LookupError, match="unknown kinds \\['chars'\\]"):
        per_kind({**full, "chars": "x"})
    assert "char" not in per_kind({k: "x" for k in KIND_ACCEPTS if k != "char"}, built_elsewhere=["char"])


def test_generated_errors_re_export_the_runtimes_classes_themselves() -> None:
    for error in (*PUBLIC_ERRORS, *CATEGORY_BASES.values()):
        assert getattr(errors, error.__name__) is error
        assert error.__name__ in errors.__all__
    assert {error.__name__ for error in PUBLIC_ERRORS} == RUNTIME_BASE_NAMES
