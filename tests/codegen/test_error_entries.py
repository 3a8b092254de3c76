"""Error entries must carry codes: codegen.spec_checks refuses statuses and messages in `code`, and the
generated documented-error cases take their expectations from the entries, not from the runtime."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from codegen.load import SpecFile, load_tree
from codegen.spec_checks import semantic_problems
from codegen.testcases import ErrorFacts, error_cases, sample_message
from codegen.typeexpr import TypeRegistry

FIXTURE_SPECS = Path(__file__).parent / "fixtures" / "spec"


@pytest.fixture(scope="module")
def registry() -> TypeRegistry:
    return TypeRegistry(load_tree(FIXTURE_SPECS).types)


def spec_with(errors: list[dict[str, Any]], examples: list[dict[str, Any]] | None = None) -> SpecFile:
    data = copy.deepcopy(load_tree(FIXTURE_SPECS).specs["demo.widget.list"].data)
    data["errors"] = errors
    data["examples"] = examples or []
    return SpecFile("demo.widget.list", data, (), "curated")


def error_problems(spec: SpecFile, registry: TypeRegistry) -> list[str]:
    return [problem for problem in semantic_problems(spec, registry) if "/errors/" in problem]


def reply(code: Any) -> dict[str, Any]:
    return {"name": "failure", "response": {"status": 400, "body": {"error": code, "error_description": "x"}}}


def test_a_status_as_code_is_refused(registry: TypeRegistry) -> None:
    errors = [{"code": "400", "status": 400, "class": "Failed"}, {"code": "E_X", "status": 400}]
    problems = error_problems(spec_with(errors), registry)
    assert len(problems) == 1 and "/errors/0/code: '400' is an HTTP status" in problems[0]


def test_message_text_as_code_is_refused(registry: TypeRegistry) -> None:
    problems = error_problems(spec_with([{"code": "Access denied", "status": 400, "class": "Denied"}]), registry)
    assert len(problems) == 1 and "is message text" in problems[0]


@pytest.mark.parametrize(
    ("errors", "examples"),
    [
        ([{"code": "403", "status": 403, "class": "Closed"}], [reply("403")]),  # the portal's reply sends it
        ([{"code": "400", "status": 400, "class": "Failed"}, {"code": "100", "status": 400, "class": "Missing"}], []),
        ([{"code": "422", "status": 400, "class": "BadPeriod"}], []),  # not a status the portal answers with
        ([{"code": "", "status": 403, "match": "Access denied", "class": "Denied"}], []),
    ],
)
def test_numbers_the_portal_sends_as_codes_pass(
    registry: TypeRegistry, errors: list[dict[str, Any]], examples: list[dict[str, Any]]
) -> None:
    assert error_problems(spec_with(errors, examples), registry) == []


def test_every_spec_of_the_tree_passes_the_error_code_rules() -> None:
    tree = load_tree()
    registry = TypeRegistry(tree.types)
    found = [
        p
        for spec in tree.specs.values()
        for p in error_problems(spec, registry)
        if "is an HTTP status" in p or "is message text" in p
    ]
    assert found == []


FACTS = ErrorFacts(
    {"ACCESS_DENIED": {"code": "ACCESS_DENIED", "status": 403, "category": "permission"}},
    {"Denied": "permission", "CodeEmptyGone": "invalid"},
)


def test_entry_cases_expect_the_entry_class_and_the_base_of_its_category_or_status() -> None:
    data = spec_with(
        [
            {"code": "", "status": 403, "match": r"Access denied\.", "class": "Denied"},
            {"code": "", "status": 404, "match": r"Item '\d+' is gone", "class": "CodeEmptyGone"},
            {"code": "ACCESS_DENIED", "status": 400, "category": "permission"},
        ]
    ).data
    cases = error_cases(data, FACTS, [])
    assert [(c.body["error"], c.status, c.class_name, c.base_name, c.known_base) for c in cases] == [
        ("", 403, "Denied", "PermissionDeniedError", None),
        # only a status, while the class is shared: the class's stronger word settles the base
        ("", 404, "CodeEmptyGone", "InvalidRequestError", None),
        ("ACCESS_DENIED", 400, "AccessDenied", "PermissionDeniedError", None),
    ]
    assert all(
        re.search(entry["match"], case.body["error_description"]) for entry, case in zip(data["errors"][:2], cases, strict=False)
    )


def test_an_example_reply_expects_the_entry_it_documents_or_its_status_base_when_unknown() -> None:
    data = spec_with(
        [{"code": "0", "status": 400, "match": "denied", "class": "Denied"}],
        [
            {"name": "denied", "response": {"status": 403, "body": {"error": 0, "error_description": "denied"}}},
            {"name": "other", "response": {"status": 404, "body": {"error": "E_NEW", "error_description": "?"}}},
        ],
    ).data
    cases = error_cases(data, FACTS, [])
    assert [(c.name, c.status, c.class_name, c.base_name) for c in cases] == [
        ("denied", 403, "Denied", "PermissionDeniedError"),  # a status is no stated category: the class's base
        ("other", 404, "NotFoundError", "NotFoundError"),
    ]


@pytest.mark.parametrize(
    "pattern",
    [
        r"Section at index .+? has type .+?\.",
        r"(?i)payment (has )?(not been found|not found)",
        r"(?i)(product|basket) (item|row)s?\b.*not (been )?found",
        r"The Preset with ID '\d+' is not found",
    ],
)
def test_a_description_is_built_that_the_match_accepts(pattern: str) -> None:
    sample = sample_message(pattern)
    assert sample is not None and re.search(pattern, sample)
