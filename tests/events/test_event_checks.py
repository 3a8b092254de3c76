"""codegen's event checks on a small spec tree: what passes, and each rule failing for its own reason.

The tree is a copy of the golden fixture (tests/codegen/fixtures/spec), changed one rule at a
time, so every test shows the check catching exactly the mistake it makes.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.__main__ import _render_into
from codegen.events.load import load_events
from codegen.events.spec_checks import event_problems, method_scopes
from codegen.load import load_tree
from codegen.typeexpr import TypeRegistry

FIXTURE = Path(__file__).resolve().parents[1] / "codegen" / "fixtures" / "spec"
DRAFT = "events/imported/ONDEMOWIDGETADD.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "spec"))


def edit(root: Path, relative: str, change: Any) -> None:
    path = root / relative
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems(root: Path) -> tuple[list[str], dict[str, list[str]]]:
    tree = load_tree(root)
    events = load_events(root)
    assert events is not None
    return event_problems(events, TypeRegistry(tree.types), method_scopes(tree.specs.values()))


def test_the_fixture_tree_passes_and_the_override_is_merged(root: Path) -> None:
    assert problems(root) == ([], {})
    events = load_events(root)
    assert events is not None
    spec = events.specs["ONDEMOWIDGETADD"]
    assert spec.origin == "imported+override"
    assert spec.data["data"]["properties"]["FIELDS"]["required"] is True  # from the override
    assert spec.data["data"]["properties"]["FIELDS"]["properties"]["ID"] == {"type": "widget.ID"}  # from the draft
    assert events.specs["DEMO.WIDGET.ON.DELETE"].origin == "curated"


def test_an_example_the_payload_schema_refuses_is_reported_with_its_path(root: Path) -> None:
    edit(root, DRAFT, lambda d: d["examples"][0]["body"]["data"]["FIELDS"].update(ID="twelve"))
    _, per_event = problems(root)
    assert list(per_event) == ["ONDEMOWIDGETADD"]
    [problem] = per_event["ONDEMOWIDGETADD"]
    assert "/examples/0/body data.FIELDS.ID:" in problem and "[rule: type]" in problem


def test_every_problem_of_an_example_is_reported_at_once_strictly(root: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        body = data["examples"][0]["body"]
        body["data"]["UNDOCUMENTED"] = 1  # strict: a member the spec does not list
        body["data"]["KIND-OF"] = "X"  # one character, as `char` wants, but outside the override's enum
        del body["auth"]["domain"]  # the shared auth block requires it
        body["event"] = "ONDEMOWIDGETUPDATE"

    edit(root, DRAFT, change)
    found = problems(root)[1]["ONDEMOWIDGETADD"]
    rules = sorted(problem.rsplit("[rule: ", 1)[-1].rstrip("]") if "[rule: " in problem else "event" for problem in found)
    assert rules == ["enum", "event", "required", "unknown"], found
    assert any("auth.domain" in problem for problem in found)


def test_unknown_scope_type_and_mismatched_file_name_are_each_reported(root: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["scope"] = "no_such_scope"
        data["data"]["properties"]["FIELDS"]["properties"]["ID"]["type"] = "no_such_type"
        data["event"] = "ONDEMOWIDGETADDED"

    edit(root, DRAFT, change)
    found = problems(root)[1]["ONDEMOWIDGETADD"]
    assert any("/scope: 'no_such_scope' is no method's scope" in p for p in found), found
    assert any("/data/properties/FIELDS/properties/ID/type: unknown type 'no_such_type'" in p for p in found), found
    assert any("/event: file name says 'ONDEMOWIDGETADD'" in p for p in found), found


def test_known_scopes_of_the_shared_file_admit_a_scope_no_method_has(root: Path) -> None:
    assert "DEMO.WIDGET.ON.DELETE" not in problems(root)[1]  # its scope demo_events is listed there
    edit(root, "events/shared.yaml", lambda d: d.update(known_scopes=[]))
    [problem] = problems(root)[1]["DEMO.WIDGET.ON.DELETE"]
    assert problem.endswith("/scope: 'demo_events' is no method's scope and not in spec/events/shared.yaml known_scopes")


def test_format_schema_problems_name_the_rule(root: Path) -> None:
    edit(root, "events/curated/DEMO.WIDGET.ON.DELETE.yaml", lambda d: d.pop("data"))
    found = problems(root)[1]["DEMO.WIDGET.ON.DELETE"]
    assert any("'data' is a required property (rule: required)" in p for p in found), found


def test_two_events_generating_one_python_name_are_refused(root: Path) -> None:
    path = root / "events/curated/DEMO.WIDGET.ON.DELETE.yaml"
    path.write_text(path.read_text().replace("type_name: DemoWidgetOnDelete", "type_name: OnDemoWidgetAdd"))
    found = [p for ps in problems(root)[1].values() for p in ps]
    assert any("'OnDemoWidgetAddData' is also generated for" in p for p in found), found


def test_an_event_code_not_in_upper_case_is_refused(root: Path) -> None:
    """The portal sends codes upper-cased; the docs' examples sometimes write onCrmXxx."""
    copy = (
        (root / DRAFT)
        .read_text()
        .replace("ONDEMOWIDGETADD", "OnDemoWidgetAdd")
        .replace("type_name: OnDemoWidgetAdd", "type_name: OnDemoWidgetAddCopy")
    )
    (root / "events/curated/OnDemoWidgetAdd.yaml").write_text(copy)
    [problem] = problems(root)[1]["OnDemoWidgetAdd"]
    assert problem.endswith("/event: 'OnDemoWidgetAdd' does not match '^[A-Z][A-Z0-9_.]*$' (rule: pattern)")


def test_a_failing_draft_is_left_out_but_a_failing_curated_spec_stops_generation(root: Path, tmp_path: Path) -> None:
    edit(root, DRAFT, lambda d: d["examples"][0]["body"]["data"]["FIELDS"].update(ID="twelve"))
    (root / "events/overrides/ONDEMOWIDGETADD.yaml").unlink()  # now a plain imported draft
    blocking, _ = _render_into(tmp_path / "out", root)
    assert blocking == []
    module = (tmp_path / "out" / "generated" / "b24client" / "events.py").read_text()
    assert "ONDEMOWIDGETADD" not in module and "DEMO.WIDGET.ON.DELETE" in module

    edit(root, "events/curated/DEMO.WIDGET.ON.DELETE.yaml", lambda d: d["examples"][0]["body"].update(data="x"))
    blocking, _ = _render_into(tmp_path / "out2", root)
    assert any("DEMO.WIDGET.ON.DELETE.yaml: /examples/0/body data:" in p for p in blocking), blocking


def test_an_override_without_a_draft_is_a_load_error(root: Path) -> None:
    (root / "events/overrides/ONNOSUCHEVENT.yaml").write_text("data: {type: object}\n")
    shared, _ = problems(root)
    assert any("ONNOSUCHEVENT.yaml: override for a spec with no imported draft" in p for p in shared), shared
