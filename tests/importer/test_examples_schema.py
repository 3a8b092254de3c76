"""Example payloads are read leniently, and inferred result schemas accept their example."""

from __future__ import annotations

from typing import Any

import pytest

from codegen.importer import examples, schema_infer, yfm


def test_loads_tolerates_comments_ellipses_and_trailing_commas() -> None:
    text = '{\n  "a": [1, 2, ...],\n  // note\n  "b": {"url": "http://x//y", "c": 1,},\n  "d": [\n    {"x": 1},\n    ...\n  ]\n}'
    assert examples.loads(text) == {"a": [1, 2], "b": {"url": "http://x//y", "c": 1}, "d": [{"x": 1}]}


def test_loads_gives_up_on_what_is_not_json() -> None:
    assert examples.loads("{ result: true }") is None


def test_webhook_request_prefers_the_webhook_tab_and_drops_auth() -> None:
    page = (
        '{% list tabs %}\n\n- cURL (OAuth)\n\n    ```bash\n    curl -d \'{"ID":1,"auth":"t"}\' '
        "https://x/rest/m.get\n    ```\n\n- cURL (Webhook)\n\n    ```bash\n    curl -d '{\"ID\":2}' "
        "https://x/rest/1/abc/m.get.json\n    ```\n\n{% endlist %}\n"
    )
    assert examples.webhook_request(yfm.parse(page), "m.get") == ({"ID": 2}, True)


def test_oauth_example_is_used_without_its_token_when_there_is_no_webhook_one() -> None:
    page = '```bash\ncurl -d \'{"ID":1,"auth":"**token**"}\' https://x/rest/m.get\n```\n'
    assert examples.webhook_request(yfm.parse(page), "m.get") == ({"ID": 1}, True)


def test_curl_calls_tell_rest_v3() -> None:
    page = "```curl\n-d '{}' https://**a**/rest/api/**u**/**w**/tasks.task.get\n```\n"
    assert examples.curl_calls(yfm.parse(page)) == [("tasks.task.get", True, "")]


@pytest.mark.parametrize(
    "value",
    [
        True,
        3,
        2.5,
        "x",
        None,
        [],
        {},
        [{"ID": "1", "N": None}, {"ID": "2", "N": "a", "EXTRA": [1, 2.5]}],
        {f"f{i}": {"type": "string", "isRequired": i % 2 == 0} for i in range(10)},
        [1, "a", True],
        [{"a": {"b": 1}}, {"a": 5}],
    ],
)
def test_inferred_schema_accepts_its_example(value: Any) -> None:
    assert schema_infer.valid(schema_infer.infer(value), value)


def test_many_object_members_become_a_map() -> None:
    value = {f"FIELD_{i}": {"type": "string"} for i in range(8)}
    assert schema_infer.infer(value) == {
        "type": "object",
        "additionalProperties": {"type": "object", "properties": {"type": {"type": "string"}}},
    }


def test_choose_prefers_the_example_unless_the_table_declares_a_union_it_fits() -> None:
    declared = {"type": "array", "items": {"type": "object"}}
    assert schema_infer.choose(declared, [{"ID": 1}], True)[1] == "example (table type agrees)"
    inferred = {"type": "object", "properties": {"ID": {"type": "integer"}}}
    assert schema_infer.choose({"type": "boolean"}, {"ID": 1}, True) == (inferred, "example (table type disagrees)")
    union = {"anyOf": [{"type": "integer"}, {"type": "boolean"}]}
    assert schema_infer.choose(union, 5, True) == (union, "table union")
    assert schema_infer.choose({"type": "boolean"}, None, False) == ({"type": "boolean"}, "table only")
    assert schema_infer.choose(None, None, False) == ({}, "none")
