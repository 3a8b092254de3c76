"""The checks behind the generated per-method tests (tests/generated/).

The generated files are data tables; the logic lives here once, so a fix to a check is
a hand-written change reviewed as such, not a regeneration.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
import pytest

import b24client
from b24client import errors
from b24client.runtime import specs


def _spec(method_id: str) -> dict[str, Any]:
    spec = specs.get(method_id)
    assert spec is not None, f"{method_id} has no compiled spec"
    return spec


def _calls_of(portal: Any, method: str) -> list[Any]:
    return [record for record in portal.log if record.method == method]


def _call_generic(client: Any, method_id: str, params: dict[str, Any]) -> Any:
    spec = _spec(method_id)
    return client.call(spec["method"], params, api_version=spec["api_version"])


def example_validates(method_id: str, request: dict[str, Any]) -> None:
    spec = _spec(method_id)
    assert b24client.validate(spec["method"], request, api_version=spec["api_version"]) == []


def required_missing(portal: Any, client: Any, method_id: str, params: dict[str, Any], missing: str) -> None:
    spec = _spec(method_id)
    problems = b24client.validate(spec["method"], params, api_version=spec["api_version"])
    assert [(p.path, p.rule) for p in problems] == [(missing, "required")]
    with pytest.raises(errors.ValidationError) as raised:
        _call_generic(client, method_id, params)
    assert raised.value.method == spec["method"]
    assert missing in str(raised.value)
    assert _calls_of(portal, method_id) == [], "a request was sent despite invalid parameters"


def constraint_broken(portal: Any, client: Any, method_id: str, params: dict[str, Any], rule: str) -> None:
    spec = _spec(method_id)
    problems = b24client.validate(spec["method"], params, api_version=spec["api_version"])
    assert rule in {p.rule for p in problems}
    with pytest.raises(errors.ValidationError) as raised:
        _call_generic(client, method_id, params)
    assert rule in {p.rule for p in raised.value.problems}
    assert _calls_of(portal, method_id) == [], "a request was sent despite invalid parameters"


def wire_body(
    portal: Any, client: Any, method_id: str, attr_path: list[str], kwargs: dict[str, Any], body: dict[str, Any]
) -> None:
    spec = _spec(method_id)
    function = functools.reduce(getattr, attr_path, client)
    try:
        result = function(**kwargs)
    except errors.ApiError as refused:
        # A stateful method may refuse the docs' example (it names records a fresh portal
        # lacks): a deliberate refusal, a documented code or a 4xx, and the body still counts.
        documented = {entry["code"] for entry in spec["errors"]} | set(errors.BY_CODE)
        assert refused.code in documented or 400 <= refused.status < 500, f"unexpected error {refused!r}"
    else:
        _PHP_JSON_VALIDATOR(_result_schema(method_id)).validate(result)
    sent = _calls_of(portal, method_id)
    assert len(sent) == 1
    assert json.loads(sent[0].raw_body) == body


def _is_object_or_empty_list(checker: Any, instance: Any) -> bool:
    # PHP's json_encode writes an empty associative array as [], so the portal sends [] for
    # an empty object; every Bitrix24 client has to accept that.
    return isinstance(instance, dict) or instance == []


_PHP_JSON_VALIDATOR = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("object", _is_object_or_empty_list),
)


@functools.cache
def _result_schema(method_id: str) -> dict[str, Any]:
    """The spec file is the reference for result shapes, independent of the generated code.

    Only this method's files are read (curated, or imported with its override, by the same
    layering rule as the whole tree): a worker runs a few methods' cases, and parsing all
    1,692 spec files took each xdist worker about 6 s before its first test.
    """
    from codegen.load import SPEC_ROOT, layered, read_yaml, with_list_params

    def own(folder: str) -> dict[str, Any]:
        path = SPEC_ROOT / folder / f"{method_id}.yaml"
        return {method_id: path} if path.exists() else {}

    specs, problems = layered(own("methods"), own("imported"), own("overrides"), read_yaml, with_list_params)
    assert not problems, problems
    return dict(specs[method_id].data["result"]["schema"])


class BaseMismatch(AssertionError):
    """The raised class is right but sits under another category base than its entry documents.

    Generated cases where the generator already knows of such a disagreement (a class shared by
    entries of several categories) expect exactly this failure, strictly: once the base is
    right, they pass and the strict xfail turns them into failures to update.
    """


def error_reply(
    portal: Any,
    client: Any,
    method_id: str,
    params: dict[str, Any],
    status: int,
    body: dict[str, Any],
    class_name: str,
    base_name: str,
) -> None:
    """Replay a documented error reply over HTTP and check what the client raises for it.

    `class_name` and `base_name` are the documented facts (the entry's class, the base of its
    category or status), not a re-run of the runtime's lookup.
    """
    spec = _spec(method_id)
    portal.respond_once(method_id, status, body)
    expected = getattr(errors, class_name)
    with pytest.raises(errors.ApiError) as raised:
        client.call(spec["method"], params, api_version=spec["api_version"])
    assert type(raised.value) is expected, f"raised {type(raised.value).__name__}, documented {class_name}"
    assert raised.value.code == str(body["error"])
    assert raised.value.status == status
    assert raised.value.method == spec["method"]
    assert raised.value.description == str(body.get("error_description") or "")
    base = getattr(errors, base_name)
    if not isinstance(raised.value, base):
        raise BaseMismatch(f"{class_name} is not a {base_name}; its bases: {[c.__name__ for c in expected.__mro__]}")
