"""Validate the OpenAPI document: its structure, and every JSON Schema inside it.

openapi-spec-validator checks the OpenAPI 3.1 structure and references, but it does not
check the schemas of a 3.1 document against the JSON Schema meta-schema (a schema saying
`"type": "strnig"` passes it), so each schema is also checked with jsonschema's 2020-12
validator. The whole document takes about 40 CPU seconds; tests check a sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError


def sample(document: dict[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """The document with only `paths` (components kept whole, so every reference resolves)."""
    return {**document, "paths": {path: document["paths"][path] for path in paths}}


def schemas(document: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(where, schema) for every component schema, request body and response body."""
    for name, schema in document["components"]["schemas"].items():
        yield f"components/schemas/{name}", schema
    for name, response in document["components"].get("responses", {}).items():
        yield f"components/responses/{name}", response["content"]["application/json"]["schema"]
    for path, item in document["paths"].items():
        for verb, operation in item.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                yield f"{verb} {path} request {media}", content["schema"]
            for status, response in operation["responses"].items():
                for media, content in response.get("content", {}).items():
                    yield f"{verb} {path} {status} {media}", content["schema"]


def problems(document: dict[str, Any]) -> list[str]:
    from openapi_spec_validator import OpenAPIV31SpecValidator

    found = [f"openapi: {error.message}" for error in OpenAPIV31SpecValidator(document).iter_errors()]
    for where, schema in schemas(document):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            found.append(f"{where}: {exc.message}")
    return found
