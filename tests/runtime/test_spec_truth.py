"""The calls of tools/spec_truth_probe.py, kept as a regression test: each documented-valid call
validates clean and each call the docs forbid is refused, through the public `b24client.validate`."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

import b24client

_PATH = Path(__file__).resolve().parents[2] / "tools" / "spec_truth_probe.py"
_SPEC = importlib.util.spec_from_file_location("spec_truth_probe", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
probe = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(probe)


@pytest.mark.parametrize("method, params, why", probe.VALID, ids=[f"{m}: {w}" for m, _, w in probe.VALID])
def test_a_call_the_docs_allow_validates_clean(method: str, params: dict[str, Any], why: str) -> None:
    assert b24client.validate(method, params) == []


@pytest.mark.parametrize("method, params, why", probe.INVALID, ids=[f"{m}: {w}" for m, _, w in probe.INVALID])
def test_a_call_the_docs_forbid_is_refused(method: str, params: dict[str, Any], why: str) -> None:
    assert b24client.validate(method, params) != []
