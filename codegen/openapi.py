"""One OpenAPI 3.1 document for every method with a spec, REST v2 and v3 alike.

Bitrix publishes OpenAPI only for REST v3, per portal; the specs know the v2 methods too,
so the document is built from them: each method is a POST at its webhook path with its
request body (types through the registry's primitive kinds, enums, bounds, nesting and,
as far as JSON Schema can say it, the rules between parameters), its result inside the
Bitrix24 envelope, its documented errors by HTTP status, and the docs' examples.

What JSON Schema cannot say is kept in `x-b24-*` members: the either-or rules verbatim,
`precedence`, paging, idempotency. The webhook token lives in the URL path, which no
OpenAPI security scheme type can describe, so it is a path parameter, and the operation's
security lists it as the empty requirement `{}` next to the OAuth forms (see
`x-b24-auth`). Output is JSON with sorted keys: the same specs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .load import SPEC_ROOT, SpecFile, SpecTree, load_tree
from .naming import docs_url, method_pascal
from .spec_checks import drop_failing_drafts
from .typeexpr import TypeRegistry

DOCUMENT_PATH = "openapi/b24.openapi.json"
REF = "#/components/schemas/"
_BOOLEAN_WORDS = ["0", "1", "N", "Y", "false", "n", "true", "y"]  # b24client.runtime.validate._BOOLEAN_WORDS

# The value shapes the validator accepts for each primitive kind (b24client.runtime.validate
# _kind_matches), so a document-driven check and the client agree on what is valid.
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": ["string", "number"], "description": "Text; numbers are sent as their digits."},
    "integer": {
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": r"^-?\d+$"}],
        "description": "Whole number, or its digits as a string (the portal returns ids as strings).",
    },
    "number": {
        "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"}],
        "description": "Number, or a string holding one.",
    },
    "boolean": {
        "anyOf": [{"type": "boolean"}, {"enum": _BOOLEAN_WORDS}, {"enum": [0, 1]}],
        "description": "true/false, Y/N or 0/1.",
    },
    "char": {"type": "string", "minLength": 1, "maxLength": 1, "description": "One character, CHAR(1)."},
    "date": {"type": "string", "format": "date", "description": "Date, ISO 8601."},
    "datetime": {"type": "string", "format": "date-time", "description": "Date and time, ISO 8601."},
    "object": {"type": "object"},
    "array": {"type": ["array", "object"], "description": 'List; PHP-style keyed arrays ({"0": ...}) pass too.'},
    "file": {
        "type": ["string", "array", "object"],
        "description": "File: base64 content, [name, base64] or the portal's file object.",
    },
    "any": {},
    "null": {"type": "null"},
}
_SHARED_KINDS = ("string", "integer", "number", "boolean", "char", "date", "datetime", "array", "file")
_NUMERIC = ("integer", "number")


def _component(kind: str) -> str:
    return "b24." + kind


def _enum(values: list[Any]) -> list[Any]:
    """The spec's values in both spellings the validator accepts: it compares `str(value)`, so
    a number matches its text and a numeric text (`'3'`) matches the number the portal also takes."""
    options: list[Any] = []
    for item in values:
        value = item["value"] if isinstance(item, dict) else item
        for option in _spellings(value):
            if option not in options:
                options.append(option)
    return options


def _spellings(value: Any) -> tuple[Any, ...]:
    if isinstance(value, bool):
        return (value,)
    if isinstance(value, int | float):
        return (value, str(value))
    if isinstance(value, str) and value.lstrip("-").isdigit() and str(int(value)) == value:
        return (value, int(value))
    return (value,)


class SchemaBuilder:
    """Spec parameters → JSON Schema (draft 2020-12, as OpenAPI 3.1 uses it)."""

    def __init__(self, registry: TypeRegistry) -> None:
        self.registry = registry

    def kind_schema(self, kind: str, param: dict[str, Any]) -> dict[str, Any]:
        bounded = {key: param[key] for key in ("minimum", "maximum") if key in param and kind in _NUMERIC}
        if kind == "object":
            return self.object_schema(param)
        if "max_length" in param and kind in ("string", "char"):
            return {**KIND_SCHEMAS[kind], "maxLength": param["max_length"]}
        if bounded:  # the numeric branch carries the bounds; digits in a string are checked by the client
            return {"anyOf": [{"type": kind, **bounded}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]}
        if kind in _SHARED_KINDS:
            return {"$ref": REF + _component(kind)}
        return dict(KIND_SCHEMAS[kind])

    def param_schema(self, param: dict[str, Any]) -> dict[str, Any]:
        """As b24client.runtime.validate reads a parameter: bounds and nesting apply to a plain value,
        `items` (or `enum`) to the elements of a list, `max_items` to the list itself."""
        kinds = self.registry.resolve(param["type"])
        alternatives = []
        for kind, depth in kinds:
            if depth == 0:
                schema = {"enum": _enum(param["enum"])} if "enum" in param else self.kind_schema(kind, param)
            elif "items" in param:
                schema = self.param_schema(param["items"])
            elif "enum" in param and depth == 1:
                schema = {"enum": _enum(param["enum"])}
            else:
                schema = self.kind_schema(kind, {})
            for _ in range(depth):
                schema = {"type": "array", "items": schema}
            if depth and "max_items" in param:
                schema["maxItems"] = param["max_items"]
            alternatives.append(schema)
        if param.get("nullable") and not any(kind in ("null", "any") for kind, _ in kinds):
            alternatives.append({"type": "null"})
        schema = alternatives[0] if len(alternatives) == 1 else {"anyOf": alternatives}
        notes = {"description": param["summary"]} if param.get("summary") else {}
        if "default" in param:
            notes["default"] = param["default"]
        if param.get("deprecated"):
            notes["deprecated"] = True
        if not notes:
            return schema
        if "$ref" in schema:  # 3.1 allows siblings of $ref; keep the shared kind and add the words
            return {**schema, **notes}
        return {**schema, **notes} if "description" not in schema else {"allOf": [schema], **notes}

    def object_schema(self, param: dict[str, Any], top_level: bool = False, case_insensitive: bool = False) -> dict[str, Any]:
        """An object parameter, or the whole request body when `top_level`."""
        properties = param.get("properties") if not top_level else param["params"]
        schema: dict[str, Any] = {"type": "object"}
        rules: list[dict[str, Any]] = []
        if properties:
            schema["properties"] = {name: self.param_schema(child) for name, child in properties.items()}
            required = sorted(name for name, child in properties.items() if child.get("required"))
            # REST v2 reads top-level names without regard to case (`ID` is `id`): JSON Schema
            # cannot match names case-insensitively, so a required name may come in its
            # documented, upper or lower case spelling.
            spelt = {name: sorted({name, name.upper(), name.lower()}) if case_insensitive else [name] for name in required}
            if [name for name in required if len(spelt[name]) == 1]:
                schema["required"] = [name for name in required if len(spelt[name]) == 1]
            rules += [
                {"anyOf": [{"required": [variant]} for variant in spelt[name]]} for name in required if len(spelt[name]) > 1
            ]
        if "values" in param:
            schema["additionalProperties"] = self.param_schema(param["values"])
        # Undocumented names are sent as given (spec/README.md, validation policy), so no
        # additionalProperties: false; `x-b24-strict` says what strict mode refuses.
        elif properties and not param.get("open") and not (top_level and param.get("open_params")):
            schema["x-b24-strict"] = "strict mode refuses names not listed in properties"
        rules += [rule for rule in (constraint_schema(c) for c in param.get("constraints", [])) if rule]
        if rules:
            schema["allOf"] = rules
        if param.get("constraints"):
            schema["x-b24-constraints"] = param["constraints"]
        return schema


def _present(names: list[str]) -> list[dict[str, Any]]:
    return [{"required": [name]} for name in names]


def _condition(when: dict[str, Any]) -> dict[str, Any]:
    name = when["param"]
    if "present" in when:
        return {"required": [name]} if when["present"] else {"not": {"required": [name]}}
    values = [when["equals"]] if "equals" in when else list(when["in"])
    return {"required": [name], "properties": {name: {"enum": _enum(values)}}}


def constraint_schema(constraint: dict[str, Any]) -> dict[str, Any] | None:
    """One rule between sibling parameters in JSON Schema; None for `precedence` (never an error)."""
    names, rule = list(constraint["params"]), constraint["rule"]
    if rule == "at_least_one_of":
        return {"anyOf": _present(names)}
    if rule == "exactly_one_of":
        return {"oneOf": _present(names)}
    if rule == "mutually_exclusive":
        pairs = [{"required": [first, second]} for index, first in enumerate(names) for second in names[index + 1 :]]
        return {"not": {"anyOf": pairs}}
    if rule == "required_if":
        return {"if": _condition(constraint["when"]), "then": {"required": names}}
    if rule == "forbidden_if":
        return {"if": _condition(constraint["when"]), "then": {"properties": {name: False for name in names}}}
    return None


def _hoist_defs(schema: Any, prefix: str, components: dict[str, Any]) -> Any:
    """Move a result schema's `$defs` into components, rewriting `#/$defs/...` references."""

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: (
                    REF + prefix + value[len("#/$defs/") :]
                    if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                    else rewrite(value)
                )
                for key, value in node.items()
                if key != "$defs"
            }
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    if isinstance(schema, dict):
        for name, definition in schema.get("$defs", {}).items():
            components[prefix + name] = rewrite(definition)
    return rewrite(schema)


def _scopes(data: dict[str, Any]) -> list[str]:
    scope = data["scope"]
    return [scope] if isinstance(scope, str) else list(scope)


def _entry(error: dict[str, Any]) -> dict[str, Any]:
    return {key: error[key] for key in ("code", "match", "summary", "category", "class") if key in error}


def _error_response(entries: list[dict[str, Any]], description: str, version: int) -> dict[str, Any]:
    envelope = "b24.ErrorEnvelopeV3" if version == 3 else "b24.ErrorEnvelope"
    return {
        "description": description,
        "x-b24-errors": entries,
        "content": {"application/json": {"schema": {"$ref": REF + envelope}}},
    }


def _system_name(status: int, version: int) -> str:
    return f"b24.system{'.v3' if version == 3 else ''}.{status}"


def system_responses(system: list[dict[str, Any]]) -> dict[str, Any]:
    """components/responses: the errors any method can return, per status and envelope (v2, v3)."""
    by_status: dict[int, list[dict[str, Any]]] = {}
    for error in system:
        by_status.setdefault(int(error["status"]), []).append(_entry(error))
    return {
        _system_name(status, version): _error_response(
            entries, "Errors any method can return: " + ", ".join(entry["code"] for entry in entries), version
        )
        for status, entries in sorted(by_status.items())
        for version in (2, 3)
    }


def _error_responses(
    errors: list[dict[str, Any]], system_statuses: set[int], examples: list[dict[str, Any]], version: int
) -> dict[str, Any]:
    """The method's own errors by status; a status only system errors use refers to components."""
    by_status: dict[int, list[dict[str, Any]]] = {}
    for error in errors:
        by_status.setdefault(int(error["status"]), []).append(_entry(error))
    responses: dict[str, Any] = {
        str(status): {"$ref": "#/components/responses/" + _system_name(status, version)}
        for status in sorted(system_statuses - set(by_status))
    }
    for status, entries in sorted(by_status.items()):
        codes = ", ".join(sorted({entry["code"] or '""' for entry in entries}))
        response = _error_response(entries, f"Error{'s' if len(entries) > 1 else ''} {codes}", version)
        if status in system_statuses:
            response["x-b24-system-errors"] = "#/components/responses/" + _system_name(status, version)
        found = {
            example["name"]: {"value": example["response"]["body"]}
            for example in examples
            if example["response"]["status"] == status
        }
        if found:
            response["content"]["application/json"]["examples"] = found
        responses[str(status)] = response
    return responses


def _result_schema(result: Any, summary: str) -> Any:
    """The documented result; where it is an object, also `[]`: PHP encodes an empty map as an empty list."""
    if not isinstance(result, dict):
        return result
    types = result.get("type")
    if types == "object" or (isinstance(types, list) and "object" in types and "array" not in types):
        return {"anyOf": [result, {"type": "array", "maxItems": 0}], "description": summary}
    return {**result, "description": summary}


def _with_success(ok: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """Status 200 with the result, and with errors where the docs give some a 200 (biconnector.*, sign.b2e.*)."""
    refused = errors.pop("200", None)
    if refused is None:
        return {"200": ok, **errors}
    media = ok["content"]["application/json"]
    media["schema"] = {"anyOf": [media["schema"], refused["content"]["application/json"]["schema"]]}
    media.setdefault("examples", {}).update(refused["content"]["application/json"].get("examples", {}))
    return {"200": {**ok, "x-b24-errors": refused["x-b24-errors"]}, **errors}


def operation(
    spec: SpecFile, builder: SchemaBuilder, system_statuses: set[int], components: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    data = spec.data
    method_id = spec.method_id
    version = data.get("api_version", 2)
    body = builder.object_schema(data, top_level=True, case_insensitive=version == 2)
    if version == 2:
        body["x-b24-case-insensitive-names"] = True  # REST v2 reads top-level names without regard to case
    examples = data.get("examples", [])
    successes = [
        example for example in examples if example["response"]["status"] == 200 and "error" not in example["response"]["body"]
    ]
    request: dict[str, Any] = {"schema": body}
    shown = [example for example in successes if "request" in example]  # some pages show only the reply
    if shown:
        request["examples"] = {example["name"]: {"value": example["request"]} for example in shown}
    result = _hoist_defs(data["result"]["schema"], method_pascal(method_id) + ".", components)
    envelope = {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": _result_schema(result, data["result"].get("summary", "")),
            "time": {"$ref": REF + "b24.Time"},
            "total": {"type": "integer"},
            "next": {"type": "integer"},
        },
    }
    ok: dict[str, Any] = {
        "description": data["result"].get("summary") or "Success",
        "content": {"application/json": {"schema": envelope}},
    }
    if successes:
        ok["content"]["application/json"]["examples"] = {
            example["name"]: {"value": example["response"]["body"]} for example in successes
        }
    scopes = _scopes(data)
    described = [data["title"]] + ([f"Access: {data['access']}"] if data.get("access") else [])
    if "deprecated" in data:
        replacement = data["deprecated"].get("replacement")
        described.append("Deprecated" + (f", use {replacement}" if replacement else "") + f": {data['deprecated']['reason']}")
    op: dict[str, Any] = {
        "operationId": method_id.replace("@", "."),
        "summary": data.get("summary") or data["title"],
        "description": "\n\n".join(described),
        "tags": scopes,
        "externalDocs": {"url": docs_url(data["docs"])},
        "parameters": [{"$ref": "#/components/parameters/userId"}, {"$ref": "#/components/parameters/webhookToken"}],
        "requestBody": {"required": bool(body.get("required") or body.get("allOf")), "content": {"application/json": request}},
        "responses": _with_success(ok, _error_responses(data["errors"], system_statuses, examples, version)),
        "security": [{}, {"accessToken": []}, {"oauth2": scopes}],
        "x-b24-method": data["method"],
        "x-b24-api-version": version,
        "x-b24-idempotent": data["idempotent"],
        "x-b24-batchable": data.get("batchable", True),
        "x-b24-oauth-path": f"/rest/{'api/' if version == 3 else ''}{data['method']}",
        "x-b24-spec": spec.source_label,
    }
    if data.get("pagination", {}).get("style", "none") != "none":
        op["x-b24-pagination"] = data["pagination"]
    if "deprecated" in data:
        op["deprecated"] = True
    path = f"/rest/{'api/' if version == 3 else ''}{{user_id}}/{{webhook_token}}/{data['method']}"
    return path, op


def _shared_components() -> dict[str, Any]:
    schemas: dict[str, Any] = {_component(kind): KIND_SCHEMAS[kind] for kind in _SHARED_KINDS}
    schemas["b24.ErrorEnvelope"] = {
        "type": "object",
        "required": ["error"],
        "description": "A REST v2 error reply.",
        "properties": {
            "error": {"type": ["string", "integer"], "description": "Error code; numeric codes are numbers."},
            "error_description": {"type": "string"},
        },
    }
    schemas["b24.ErrorEnvelopeV3"] = {
        "type": "object",
        "required": ["error"],
        "description": "A REST v3 error reply.",
        "properties": {
            "error": {
                "type": "object",
                "required": ["code"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    }
    schemas["b24.Time"] = {
        "type": "object",
        "description": "Timing of the call; `operating` counts against the method's time budget.",
        "properties": {
            name: {"type": "number"} for name in ("start", "finish", "duration", "processing", "operating", "operating_reset_at")
        }
        | {"date_start": {"type": "string"}, "date_finish": {"type": "string"}},
    }
    return schemas


def build_document(tree: SpecTree) -> dict[str, Any]:
    registry = TypeRegistry(tree.types)
    builder = SchemaBuilder(registry)
    components = _shared_components()
    paths: dict[str, Any] = {}
    scopes: set[str] = set()
    system_statuses = {int(error["status"]) for error in tree.system_errors}
    for method_id in sorted(tree.specs):
        spec = tree.specs[method_id]
        path, op = operation(spec, builder, system_statuses, components)
        paths[path] = {"post": op}
        scopes.update(_scopes(spec.data))
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://spec.openapis.org/oas/3.1/dialect/base",
        "info": {
            "title": "Bitrix24 REST API (from the b24client specs)",
            "version": "0.1.0",
            "summary": f"{len(paths)} methods, REST v2 and v3, built from the specs of b24client.",
            "description": "Each method is a POST at its inbound-webhook path. Applications call the same method "
            "at `x-b24-oauth-path` with the OAuth access token as `auth` (see `x-b24-auth`).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [
            {
                "url": "https://{portal}",
                "variables": {"portal": {"default": "example.bitrix24.com", "description": "The portal's domain."}},
            }
        ],
        "tags": [{"name": scope, "description": f"Methods of the `{scope}` scope."} for scope in sorted(scopes)],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": system_responses(tree.system_errors),
            "parameters": {
                "userId": {
                    "name": "user_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer"},
                    "description": "Id of the user the inbound webhook acts as.",
                },
                "webhookToken": {
                    "name": "webhook_token",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "format": "password"},
                    "description": "The inbound webhook's secret code; it authenticates the call.",
                },
            },
            "securitySchemes": {
                "accessToken": {
                    "type": "apiKey",
                    "in": "query",
                    "name": "auth",
                    "description": "An application's OAuth 2.0 access token (the portal also reads "
                    "`auth` from the body), at the method's `x-b24-oauth-path`.",
                },
                "oauth2": {
                    "type": "oauth2",
                    "description": "How an application obtains the access token.",
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": "https://example.bitrix24.com/oauth/authorize/",
                            "tokenUrl": "https://oauth.bitrix.info/oauth/token/",
                            "refreshUrl": "https://oauth.bitrix.info/oauth/token/",
                            "scopes": {scope: f"The `{scope}` scope." for scope in sorted(scopes)},
                        }
                    },
                },
            },
        },
        "x-generated-by": "codegen/openapi.py from the specs under spec/. Do not edit: run `make generate`.",
        "x-b24-auth": {
            "webhook": "POST https://{portal}/rest/{user_id}/{webhook_token}/{method} (REST v3: /rest/api/{user_id}/"
            "{webhook_token}/{method}); the token in the path authenticates, so the operation's "
            "security requirement is {}",
            "oauth": "POST https://{portal}/rest/{method} (REST v3: /rest/api/{method}) with auth=<access token>",
        },
    }


def render_document(tree: SpecTree) -> str:
    return json.dumps(build_document(tree), indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen.openapi", description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=SPEC_ROOT)
    parser.add_argument("--out", type=Path, default=SPEC_ROOT.parent / DOCUMENT_PATH)
    parser.add_argument(
        "--validate", action="store_true", help="then check the whole document (needs the dev extra: openapi-spec-validator)"
    )
    args = parser.parse_args(argv)
    tree = load_tree(args.spec)
    problems, _ = drop_failing_drafts(tree)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = render_document(tree)
    changed = not args.out.exists() or args.out.read_text(encoding="utf-8") != text
    if changed:
        args.out.write_text(text, encoding="utf-8")
    print(
        f"{args.out.relative_to(SPEC_ROOT.parent) if args.out.is_relative_to(SPEC_ROOT.parent) else args.out}: "
        f"{len(tree.specs)} methods{'' if changed else ', unchanged'}"
    )
    if args.validate:
        from .openapi_check import problems as document_problems

        found = document_problems(json.loads(text))
        print(
            "\n".join(found) or "valid OpenAPI 3.1; every schema valid JSON Schema 2020-12",
            file=sys.stderr if found else sys.stdout,
        )
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
