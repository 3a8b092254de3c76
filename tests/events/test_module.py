"""The generated module b24client.events against the spec tree it was generated from."""

from __future__ import annotations

import subprocess
import sys
import typing

from b24client import events as module
from codegen.events.load import load_events
from codegen.events.spec_checks import event_problems, method_scopes, scopes_of
from codegen.load import SPEC_ROOT, load_tree
from codegen.naming import docs_url
from codegen.typeexpr import TypeRegistry


def test_every_committed_event_spec_passes_the_checks() -> None:
    tree = load_tree()
    events = load_events(SPEC_ROOT)
    assert events is not None and events.specs
    shared, per_event = event_problems(events, TypeRegistry(tree.types), method_scopes(tree.specs.values()))
    assert shared == []
    assert per_event == {}


def test_the_registry_the_name_literal_and_the_union_list_every_spec_once() -> None:
    events = load_events(SPEC_ROOT)
    assert events is not None
    codes = sorted(events.specs)
    assert sorted(module.EVENTS) == codes
    assert sorted(typing.get_args(module.EventName)) == codes
    assert sorted(t.__name__ for t in typing.get_args(module.AnyEvent)) == sorted(
        info.event_type.__name__ for info in module.EVENTS.values()
    )


def test_each_registry_entry_carries_its_specs_types_scope_and_docs() -> None:
    events = load_events(SPEC_ROOT)
    assert events is not None
    for code, info in module.EVENTS.items():
        spec = events.specs[code].data
        assert info.event_type.__name__ == spec["type_name"] + "Event"
        assert info.scope == tuple(scopes_of(spec))
        assert info.docs == docs_url(spec["docs"])
        hints = typing.get_type_hints(info.event_type, include_extras=True)
        assert hints["event"] == typing.Required[typing.Literal[code]], code
        assert hints["data"] == typing.Required[info.data_type], code
        assert ("auth" in hints) == (spec.get("auth", "shared") == "shared"), code


def test_a_deal_payload_is_typed_from_its_tables() -> None:
    data = typing.get_type_hints(module.OnCrmDealAddData)
    fields = typing.get_type_hints(data["FIELDS"])
    assert fields == {"ID": int | str}  # an integer, which the form-encoded request delivers as text


def test_importing_the_package_does_not_load_the_events_module() -> None:
    code = "import sys, b24client; print('b24client.events' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert shown == "False"
