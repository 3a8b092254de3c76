"""Tree-wide: for every method, dropping what the docs require from a valid request is caught.

One pass over every compiled spec of the generated package (a test per method would cost
minutes of collection) with codegen/importer/drop_figures.py: each required member at any
depth, each either-or group and each active `required_if` member is dropped in turn from a
valid request, and the validator must name the dropped path and the rule every time.
"""

from __future__ import annotations

import b24client
from b24client.runtime import specs
from codegen.importer import drop_figures
from codegen.importer.drop_figures import drops, replace_at


def test_dropping_anything_the_docs_require_is_caught_for_every_method() -> None:
    compiled = {method_id: specs.get(method_id) for method_id in specs.method_ids()}
    figures = drop_figures.measure({key: spec for key, spec in compiled.items() if spec is not None})
    assert figures.failures == []
    assert figures.methods == len(compiled) > 1600
    # every required flag and every either-or group of the tree was reached by some drop
    assert figures.count(("required ",)) == figures.flags > 2000
    assert figures.count(("at_least_one_of ", "exactly_one_of ")) == figures.groups > 50
    assert any("[0]." in label for label in figures.checked)  # inside arrays of records
    assert any(".key1." in label for label in figures.checked)  # inside keyed maps


def test_the_sample_request_is_what_the_public_validator_accepts() -> None:
    spec = specs.get("sign.b2e.document.send")
    assert spec is not None
    request = drop_figures.request(spec)
    assert b24client.validate("sign.b2e.document.send", request) == []
    members = request["fields"]["members"]
    without = {**request, "fields": {**request["fields"], "members": {"role": members["role"]}}}
    rules = {(p.path, p.rule) for p in b24client.validate("sign.b2e.document.send", without)}
    assert ("fields.members", "at_least_one_of") in rules


def test_drops_and_their_requests_are_what_they_claim() -> None:
    """The helpers drop one name (or one whole group) and put the changed object back in place."""
    properties = {
        "TITLE": {"types": [["string", 0]], "required": True},
        "A": {"types": [["integer", 0]]},
        "B": {"types": [["integer", 0]]},
    }
    group = [{"rule": "at_least_one_of", "params": ["A", "B"]}]
    found = drops({"TITLE": "x", "A": 1, "B": 2}, properties, group, "fields.rows[1]")
    assert found == [
        ("fields.rows[1].TITLE", {"A": 1, "B": 2}, "fields.rows[1].TITLE", "required"),
        ("fields.rows[1]: A|B", {"TITLE": "x"}, "fields.rows[1]", "at_least_one_of"),
    ]
    whole = {"fields": {"rows": [{"x": 1}, {"y": 2}], "other": {"z": {"w": 1}}}, "top": 1}
    assert replace_at(whole, "fields.rows[1]", {"new": 1}) == {
        "fields": {"rows": [{"x": 1}, {"new": 1}], "other": {"z": {"w": 1}}},
        "top": 1,
    }
    assert replace_at(whole, "fields.other.z", {}) == {"fields": {"rows": [{"x": 1}, {"y": 2}], "other": {"z": {}}}, "top": 1}
    assert whole["fields"]["rows"][1] == {"y": 2}  # copies, the base request is left alone
