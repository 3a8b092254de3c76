"""Check specs against the format schema and against each other, reporting every problem.

A problem reads `<file>: <path inside the spec>: <what is wrong>` so that a reviewer can
go straight to the line. Nothing is fixed silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator, Draft202012Validator

from . import errorcodes
from .load import SPEC_ROOT, SpecFile, SpecTree
from .naming import is_identifier, pascal, python_name
from .typeexpr import TypeRegistry

FORMAT_SCHEMA_PATH = SPEC_ROOT / "format" / "method.schema.json"
# Names a generated method already binds: `def get(self, **params)` cannot take `self=`.
RESERVED_KWARGS = frozenset({"self"})
# Checking 1,700 specs must take well under a second, so the yes/no answers come from
# schemas compiled to Python by fastjsonschema; jsonschema is used only to explain a "no"
# with every error and its path. Result schemas are checked against the draft-07
# metaschema, which catches misspelt types and shapes without 2020-12's slow dynamic refs.
# use_default=False: fastjsonschema would otherwise write schema defaults into the data.
_is_valid_result_schema = fastjsonschema.compile(Draft7Validator.META_SCHEMA, use_default=False)


def _compiled(schema: dict[str, Any]) -> Any:
    return fastjsonschema.compile({**schema, "$schema": "http://json-schema.org/draft-07/schema#"}, use_default=False)


class FormatValidator:
    def __init__(self, schema: dict[str, Any]) -> None:
        Draft202012Validator.check_schema(schema)
        self.explain = Draft202012Validator(schema)
        self._fast = _compiled(schema)

    def is_valid(self, data: Any) -> bool:
        try:
            self._fast(data)
        except fastjsonschema.JsonSchemaException:
            return False
        return True


def format_validator(path: Path = FORMAT_SCHEMA_PATH) -> FormatValidator:
    return FormatValidator(json.loads(path.read_text(encoding="utf-8")))


def _pointer(parts: Any) -> str:
    return "/" + "/".join(str(part) for part in parts) if parts else "(top level)"


def schema_problems(spec: SpecFile, validator: FormatValidator) -> list[str]:
    if validator.is_valid(spec.data):
        return []
    errors = sorted(validator.explain.iter_errors(spec.data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    return [f"{spec.source_label}: {_pointer(e.absolute_path)}: {e.message} (rule: {e.validator})" for e in errors]


def _walk_params(params: dict[str, Any], path: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name, param in params.items():
        here = f"{path}/{name}"
        yield here, name, param
        for key in ("values", "items"):
            if key in param:
                yield from _walk_params({key: param[key]}, here)
        if "properties" in param:
            yield from _walk_params(param["properties"], f"{here}/properties")


def _constraint_problems(where: str, constraints: list[dict[str, Any]], siblings: dict[str, Any]) -> Iterator[str]:
    for index, rule in enumerate(constraints):
        names = list(rule["params"]) + ([rule["when"]["param"]] if "when" in rule else [])
        for name in names:
            if name not in siblings:
                yield f"{where}/constraints/{index}: names {name!r}, which is not a parameter here"


def _unwritable_text(data: Any) -> Iterator[str]:
    """Text that cannot go into generated Python: a NUL byte (source code cannot hold one,
    so the package would not import) or a lone surrogate (not UTF-8, the generator's write
    fails). Keys are text too."""
    pending: list[tuple[str, Any]] = [("", data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                here = f"{path}/{key}"
                if isinstance(key, str) and _bad_text(key):
                    yield f"{here}: the key {_bad_text(key)}"
                pending.append((here, item))
        elif isinstance(value, list):
            pending += [(f"{path}/{index}", item) for index, item in enumerate(value)]
        elif isinstance(value, str) and _bad_text(value):
            yield f"{path or '/'}: the text {_bad_text(value)}"


def _bad_text(text: str) -> str | None:
    if "\0" in text:
        return "contains a NUL byte, which generated Python cannot hold"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate, which is not UTF-8"
    return None


def _foreign_refs(schema: Any, path: str) -> Iterator[str]:
    """`$ref`s that leave the spec: a file or URL ref would be read (or fetched) by the model
    generator at build time; only `#/...` pointers into the spec itself are allowed."""
    pending: list[tuple[str, Any]] = [(path, schema)]
    while pending:
        here, value = pending.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
                yield f"{here}/$ref: {str(ref)[:80]!r} points outside the spec; only local refs (#/$defs/...) are allowed"
            pending += [(f"{here}/{key}", item) for key, item in value.items() if key != "$ref"]
        elif isinstance(value, list):
            pending += [(f"{here}/{index}", item) for index, item in enumerate(value)]


def _method_id_problems(data: dict[str, Any], method_id: str) -> Iterator[str]:
    """The file name is how the tree finds a spec, so it must say what the spec says."""
    expected_id = data["method"] + ("@v3" if data.get("api_version", 2) == 3 else "")
    if expected_id != method_id:
        yield f"/method: file name says {method_id!r} but the spec says {expected_id!r}"


def _kwarg_problems(params: dict[str, Any]) -> Iterator[str]:
    """Each top-level parameter becomes a keyword argument of the generated method, which must be
    a legal, free and unambiguous Python name."""
    kwarg_owner: dict[str, str] = {}
    for name in params:
        kwarg = python_name(name)
        if not is_identifier(kwarg):
            yield f"/params/{name}: cannot become a Python keyword argument ({kwarg!r})"
        elif kwarg in RESERVED_KWARGS:
            yield (
                f"/params/{name}: keyword argument {kwarg!r} is the generated method's own "
                "first argument, so the method could not be called with it"
            )
        elif kwarg in kwarg_owner:
            yield f"/params/{name}: keyword argument {kwarg!r} clashes with {kwarg_owner[kwarg]!r}"
        kwarg_owner.setdefault(kwarg, name)


def _param_problems(params: dict[str, Any], registry: TypeRegistry) -> Iterator[str]:
    """Every parameter's type must be one the registry knows (codegen maps it to a Python hint),
    and its own constraints must name its members."""
    for path, _name, param in _walk_params(params, "/params"):
        try:
            registry.resolve(param["type"])
        except KeyError as exc:
            yield f"{path}/type: {exc.args[0]} (add it to spec/types.yaml)"
        if "constraints" in param:
            yield from _constraint_problems(path, param["constraints"], param.get("properties", {}))


def _result_schema_problems(schema: Any) -> Iterator[str]:
    """The result schema is compiled into the runtime's validator, so it must be JSON Schema."""
    try:
        _is_valid_result_schema(schema)
    except fastjsonschema.JsonSchemaException as exc:
        yield f"/result/schema: not a valid JSON Schema: {exc}"


def _error_problems(data: dict[str, Any]) -> Iterator[str]:
    """Each error entry becomes an exception class matched by the reply's `error` code (and
    `match`), so codes must be codes, cases distinct, class names usable, patterns valid."""
    status_codes = set(errorcodes.status_as_code(data))
    seen_cases: set[tuple[str, str]] = set()
    for index, error in enumerate(data["errors"]):
        if index in status_codes:
            yield (
                f"/errors/{index}/code: {error['code']!r} is an HTTP status, not a code "
                "(put it in `status`; the code is what the reply's `error` carries)"
            )
        if errorcodes.is_message(error["code"]):
            yield (
                f"/errors/{index}/code: {error['code']!r} is message text, not a code "
                "(use the code the reply carries and put the message in `match`)"
            )
        case = (error["code"], error.get("match", ""))
        if case in seen_cases:
            yield f"/errors/{index}: code {error['code']!r} is listed twice without a distinguishing `match`"
        seen_cases.add(case)
        if "class" not in error and not is_identifier(pascal(error["code"]) or "0"):
            yield f"/errors/{index}: code {error['code']!r} is not a usable class name; set `class`"
        if "match" in error:
            yield from _pattern_problems(f"/errors/{index}/match", error["match"])


def _pattern_problems(path: str, pattern: str) -> Iterator[str]:
    """A `match` is compiled by the runtime when it maps a reply to a class."""
    try:
        re.compile(pattern)
    except re.error as exc:
        yield f"{path}: bad regular expression: {exc}"


def _example_name_problems(data: dict[str, Any]) -> Iterator[str]:
    """Example names become test names, so two of one name would hide one of them."""
    names = [example["name"] for example in data.get("examples", [])]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        yield f"/examples: name {duplicate!r} is used twice"


def _spec_problems(spec: SpecFile, registry: TypeRegistry) -> Iterator[str]:
    """The checks of a writable spec, in the order a reader meets the parts they look at."""
    data = spec.data
    yield from _foreign_refs(data["result"]["schema"], "/result/schema")
    yield from _method_id_problems(data, spec.method_id)
    yield from _kwarg_problems(data["params"])
    yield from _constraint_problems("", data.get("constraints", []), data["params"])
    yield from _param_problems(data["params"], registry)
    yield from _result_schema_problems(data["result"]["schema"])
    yield from _error_problems(data)
    yield from _example_name_problems(data)


def semantic_problems(spec: SpecFile, registry: TypeRegistry) -> list[str]:
    """What the format schema cannot say: names codegen must turn into Python, types the registry
    must know, schemas and patterns that must compile. Each problem is prefixed with the file."""
    label = spec.source_label
    unwritable = list(_unwritable_text(spec.data))
    if unwritable:  # nothing else is worth checking in a spec that cannot be written out
        return [f"{label}: {problem}" for problem in unwritable]
    return [f"{label}: {problem}" for problem in _spec_problems(spec, registry)]


def problems_by_method(tree: SpecTree) -> tuple[list[str], dict[str, list[str]]]:
    """Problems of the tree as a whole, and each method's own problems."""
    validator = format_validator()
    registry = TypeRegistry(tree.types)
    per_method = {}
    for method_id, spec in tree.specs.items():
        found = schema_problems(spec, validator) or semantic_problems(spec, registry)
        if found:
            per_method[method_id] = found
    shared = [
        f"spec/{name}: {problem}"
        for name, data in (
            ("system-errors.yaml", tree.system_errors),
            ("error-classes.yaml", tree.error_catalogue),
            ("types.yaml", tree.types),
        )
        for problem in _unwritable_text(data)
    ]
    return list(tree.load_errors) + registry.problems() + shared + shared_error_problems(tree), per_method


def shared_error_problems(tree: SpecTree, path: Path = FORMAT_SCHEMA_PATH) -> list[str]:
    """The shared error tables against the entry shapes of the format schema, and catalogue
    codes listed twice (which of two entries would name the class?)."""
    definitions = json.loads(path.read_text(encoding="utf-8"))["$defs"]
    found = []
    for name, key, entries in (
        ("system-errors.yaml", "error", tree.system_errors),
        ("error-classes.yaml", "error_class", tree.error_catalogue),
    ):
        validator = Draft202012Validator({"$ref": f"#/$defs/{key}", "$defs": definitions})
        for index, entry in enumerate(entries):
            found += [
                f"spec/{name}: /{index}{_pointer(e.absolute_path) if e.absolute_path else ''}: {e.message} (rule: {e.validator})"
                for e in validator.iter_errors(entry)
            ]
    codes = [entry.get("code") for entry in tree.error_catalogue if isinstance(entry, dict)]
    found += [
        f"spec/error-classes.yaml: code {code!r} is listed more than once"
        for code in sorted({c for c in codes if codes.count(c) > 1}, key=str)
    ]
    return found


def check_tree(tree: SpecTree) -> list[str]:
    shared, per_method = problems_by_method(tree)
    return shared + [problem for method_id in sorted(per_method) for problem in per_method[method_id]]


def drop_failing_drafts(tree: SpecTree) -> tuple[list[str], list[str]]:
    """Leave out imported drafts that fail the checks; curated specs must pass.

    Returns (problems that stop generation, method ids left out). A left-out draft is a
    coverage gap reported by the importer, not a broken build.
    """
    shared, per_method = problems_by_method(tree)
    return drop_failing(tree.specs, shared, per_method)


def drop_failing(specs: dict[str, SpecFile], shared: list[str], per_spec: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """Remove the imported specs that have problems from `specs`; (blocking problems, ids removed)."""
    blocking = list(shared)
    dropped = []
    for spec_id in sorted(per_spec):
        if specs[spec_id].origin == "imported":
            dropped.append(spec_id)
            del specs[spec_id]
        else:
            blocking += per_spec[spec_id]
    return blocking, dropped
