"""The OpenAPI 3.1 export (codegen/openapi.py): valid, complete, and saying what the validator says."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import b24client
from b24client.runtime.validate import check
from codegen.openapi import KIND_SCHEMAS, REF, SchemaBuilder, constraint_schema
from codegen.openapi_check import problems, sample
from codegen.typeexpr import TypeRegistry

from .conftest import path_of

# Methods whose bodies use every construct: rules between parameters, nesting, enums, v3.
SAMPLE_METHODS = [
    "sale.paysystem.pay.invoice",
    "sale.paysystem.handler.add",
    "sale.paysystem.add",
    "crm.deal.list",
    "crm.item.list",
    "crm.item.payment.product.setQuantity",
    "salescenter.payment.getPublicUrl",
]


def _pointer(path: str) -> str:
    """JSON pointer of an operation's request schema, so its "#/components/..." refs resolve in the document."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"/paths/{escaped}/post/requestBody/content/application~1json/schema"


def test_every_method_is_an_operation(document):
    methods = {
        (op["x-b24-method"] + ("@v3" if op["x-b24-api-version"] == 3 else ""))
        for op in (item["post"] for item in document["paths"].values())
    }
    assert methods == set(b24client.methods())
    assert document["openapi"] == "3.1.0"


def test_a_sample_validates_with_openapi_spec_validator_and_the_meta_schema(document):
    paths = [path_of(document, method) for method in SAMPLE_METHODS]
    paths += sorted(document["paths"])[::100]  # and a spread over the whole API
    assert problems(sample(document, paths)) == []


def test_the_validation_can_fail(document):
    broken = copy.deepcopy(sample(document, [path_of(document, "crm.deal.list")]))
    operation = next(iter(broken["paths"].values()))["post"]
    operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["start"] = {"type": "strnig"}
    del operation["responses"]["200"]["description"]
    found = problems(broken)
    assert any("strnig" in problem for problem in found)
    assert any(problem.startswith("openapi:") for problem in found)


def test_paths_auth_and_envelopes(document):
    v2 = document["paths"][path_of(document, "crm.deal.list")]["post"]
    assert path_of(document, "crm.deal.list") == "/rest/{user_id}/{webhook_token}/crm.deal.list"
    assert v2["x-b24-oauth-path"] == "/rest/crm.deal.list"
    assert {"accessToken", "oauth2"} <= set(document["components"]["securitySchemes"])
    assert v2["security"][0] == {} and {"oauth2": ["crm"]} in v2["security"]
    envelope = v2["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(envelope["properties"]) == {"result", "time", "total", "next"}
    assert v2["tags"] == ["crm"]
    v3 = next(item["post"] for path, item in document["paths"].items() if path.startswith("/rest/api/"))
    assert v3["x-b24-api-version"] == 3
    assert any(r.get("$ref", "").startswith("#/components/responses/b24.system.v3.") for r in v3["responses"].values())


def test_errors_are_listed_per_status(document):
    operation = document["paths"][path_of(document, "sale.paysystem.pay.invoice")]["post"]
    codes = {entry["code"] for entry in operation["responses"]["400"]["x-b24-errors"]}
    assert {"ERROR_CHECK_FAILURE", "ERROR_INTERNAL_INVOICE_NOT_FOUND"} <= codes
    assert operation["responses"]["403"]["x-b24-errors"][0]["code"] == "ACCESS_DENIED"
    assert operation["responses"]["503"] == {"$ref": "#/components/responses/b24.system.503"}


def test_every_docs_example_request_fits_its_schema(document):
    """The examples validate clean with the client (make check), so the schemas must take them."""
    registry = Registry().with_resource("urn:b24", Resource.from_contents(document, default_specification=DRAFT202012))
    misfits = []
    for path, item in document["paths"].items():
        content = item["post"]["requestBody"]["content"]["application/json"]
        validator = Draft202012Validator({"$ref": "urn:b24#" + _pointer(path)}, registry=registry)
        for name, example in content.get("examples", {}).items():
            errors = list(validator.iter_errors(example["value"]))
            if errors:
                misfits.append(f"{path} {name}: {errors[0].message[:120]}")
    assert misfits == []


# -- the rules between parameters, checked against the runtime's own validator -------------------

REGISTRY = TypeRegistry({})
PARAMS = {"A": {"type": "string"}, "B": {"type": "string"}, "C": {"type": "integer"}}


def _spec(rule: dict[str, Any]) -> dict[str, Any]:
    compiled = {name: {"types": [[param["type"], 0]]} for name, param in PARAMS.items()}
    return {"method": "t.m", "params": compiled, "constraints": [rule], "open_params": False}


RULES = [
    {"rule": "at_least_one_of", "params": ["A", "B"]},
    {"rule": "exactly_one_of", "params": ["A", "B"]},
    {"rule": "mutually_exclusive", "params": ["A", "B", "C"]},
    {"rule": "required_if", "params": ["B"], "when": {"param": "A", "equals": "x"}},
    {"rule": "required_if", "params": ["B"], "when": {"param": "C", "in": [1, 2]}},
    {"rule": "forbidden_if", "params": ["B"], "when": {"param": "A", "present": True}},
]
BODIES = [
    {},
    {"A": "x"},
    {"B": "y"},
    {"A": "x", "B": "y"},
    {"A": "z"},
    {"C": 1},
    {"C": "2", "B": "y"},
    {"A": "x", "C": 5},
    {"A": "x", "B": "y", "C": 1},
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule["rule"])
def test_rules_in_json_schema_agree_with_the_validator(rule):
    builder = SchemaBuilder(REGISTRY)
    schema = builder.object_schema({"params": PARAMS, "constraints": [rule]}, top_level=True)
    rooted = _inline_kinds(schema)
    for body in BODIES:
        by_schema = Draft202012Validator(rooted).is_valid(body)
        by_client = not check(_spec(rule), body).problems
        assert by_schema == by_client, (rule, body)
    assert constraint_schema({"rule": "precedence", "params": ["A", "B"]}) is None


def _inline_kinds(schema: Any) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref", "")
        if ref.startswith(REF + "b24."):
            return KIND_SCHEMAS[ref[len(REF) + 4 :]]
        return {key: _inline_kinds(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_inline_kinds(item) for item in schema]
    return schema
