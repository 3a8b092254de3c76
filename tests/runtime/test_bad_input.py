"""Bad input is a ValidationError, raised before anything is sent, whatever the input is.

The first tests pin the inputs that used to escape as other exceptions (TypeError from
difflib on non-string keys, RecursionError for deep nesting, ValueError for huge ints, the
JSON encoder's TypeError / UnicodeEncodeError) or to go out as non-standard JSON (NaN).
The property tests then throw generated inputs at `validate` and at the call path over
the emulator, for the curated family (spec/methods/) and a fixed sample of imported
methods: every input validates or is refused, and nothing invalid reaches the wire.

The default run is short and derandomized (profile "default"); `make fuzz` runs the same
properties with many more examples (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from b24client import Bitrix24, errors
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime import specs
from b24client.runtime.retry import NO_RETRY
from b24client.runtime.validate import Problem, validate

settings.register_profile(
    "default",
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=4000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

FAMILY = sorted(path.stem for path in (Path(__file__).parents[2] / "spec" / "methods").glob("*.yaml"))
IMPORTED = [m for m in sorted(specs.method_ids()) if "@" not in m and m not in FAMILY][::80]
METHODS = FAMILY + IMPORTED


def _deep(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


@pytest.fixture(scope="module")
def portal() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(limits_enabled=False)) as running:
        yield running


@pytest.fixture(scope="module")
def client(portal: Emulator) -> Iterator[Bitrix24]:
    with Bitrix24(webhook=portal.webhook_url, retry=NO_RETRY, rate_limit=False) as b24:
        yield b24


# -- the inputs that escaped before ---------------------------------------------------------------

ESCAPED = {
    "non-string key": {1: "x", (1, 2): "y"},
    "1000-deep nesting": {"id": _deep(1000)},
    "huge int": {"id": 10**5000},
    "object": {"id": object()},
    "bytes": {"id": b"1"},
    "lone surrogate": {"id": "\ud800"},
    "NaN": {"id": math.nan},
    "Infinity": {"id": -math.inf},
    "deep inside an open field": {"id": 1, "fields": _deep(300)},
}


@pytest.mark.parametrize("case", ESCAPED)
def test_inputs_that_used_to_escape_are_validation_errors_and_never_sent(case: str, client: Bitrix24, portal: Emulator) -> None:
    params = ESCAPED[case]
    problems = validate("crm.item.payment.get", params)
    assert all(isinstance(problem, Problem) for problem in problems)
    before = len(portal.log)
    with pytest.raises(errors.ValidationError) as raised:
        client.call("crm.item.payment.get", params)
    assert raised.value.method == "crm.item.payment.get" and raised.value.problems
    with pytest.raises(errors.ValidationError):
        client.call("no.such.method", params)  # no spec: still nothing unsendable goes out
    with pytest.raises(errors.ValidationError):
        client.batch([("crm.item.payment.get", params)])
    assert len(portal.log) == before


def test_the_problem_names_the_parameter_and_the_rule(client: Bitrix24) -> None:
    with pytest.raises(errors.ValidationError) as raised:
        client.call("crm.item.payment.add", {"entityTypeId": 2, "entityId": math.nan})
    assert ("entityId", "type") in {(problem.path, problem.rule) for problem in raised.value.problems}
    with pytest.raises(errors.ValidationError) as raised:
        client.call("no.such.method", {"fields": {"TITLE": b"raw"}})
    assert [(problem.path, problem.rule) for problem in raised.value.problems] == [("fields.TITLE", "json")]


def test_params_that_are_not_a_mapping_are_a_validation_error(client: Bitrix24) -> None:
    with pytest.raises(errors.ValidationError):
        client.call("crm.item.payment.get", [("id", 1)])  # type: ignore[arg-type]


# -- properties -----------------------------------------------------------------------------------


class _Huge(int):
    """10**5000, shown short: Hypothesis reprs what it draws, and Python refuses to print it."""

    def __repr__(self) -> str:
        return "10**5000"


ODD = st.sampled_from(
    [
        object(),
        b"bytes",
        bytearray(b"x"),
        10**30,
        -(2**70),
        _Huge(10**5000),
        Decimal("NaN"),
        Decimal("1.5"),
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        {1, 2},
        (1, "2"),
        "\udcff",
        "Y",
        "N",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.text(st.characters(blacklist_categories=()), max_size=4),
    ODD,
)
KEYS = st.one_of(st.text(max_size=8), st.integers(), st.sampled_from(["ID", "id", "fields", "filter", "select"]))
VALUES = st.one_of(
    st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3), max_leaves=8),
    st.integers(90, 1100).map(_deep),
)


@st.composite
def calls(draw: st.DrawFn) -> tuple[str, dict[Any, Any]]:
    method = draw(st.sampled_from(METHODS))
    spec = specs.get(method) or {}
    example = dict(((specs.example(method) or {}).get("request")) or {})
    names = list(spec.get("params", {})) or ["id"]
    shape = draw(st.sampled_from(["example", "example with one value changed", "anything"]))
    if shape != "anything" and example:  # near a valid call, so that some calls do go out
        if shape != "example":
            example[draw(st.sampled_from(sorted(example)))] = draw(st.one_of(SCALARS, VALUES))
        return method, example
    keys = st.one_of(st.sampled_from(names), KEYS)
    return method, draw(st.dictionaries(keys, VALUES, max_size=4))


@given(calls())
def test_validate_returns_problems_for_any_input(case: tuple[str, dict[Any, Any]]) -> None:
    method, params = case
    problems = validate(method, params)
    assert isinstance(problems, list) and all(isinstance(problem, Problem) for problem in problems)


def _strict_json(raw: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} went out on the wire")

    return json.loads(raw, parse_constant=refuse)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=calls())
def test_the_call_path_refuses_or_sends_only_valid_standard_json(
    case: tuple[str, dict[Any, Any]], client: Bitrix24, portal: Emulator
) -> None:
    method, params = case
    before = len(portal.log)
    try:
        client.call(method, params)
    except errors.ValidationError:
        assert len(portal.log) == before, "a refused call must not reach the portal"
        event("refused before sending")
        return
    except errors.Bitrix24Error:
        event("sent, refused by the portal")  # a missing record, a reference: typed, and allowed
    else:
        event("sent, succeeded")
    sent = portal.log[before:]
    assert len(sent) == 1
    assert validate(method, params) == []  # only what passes validation goes out
    body = _strict_json(sent[0].raw_body)
    assert validate(method, body) == []  # and what arrived is still valid
