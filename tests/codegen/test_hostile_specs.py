"""Specs that would generate a broken package are refused by the checks with a clear message.

Each used to pass the checks: a NUL byte in any text generated a module that does not
import, a result schema `$ref` to a file was read into the models (and an http one crashed
the generator), and a parameter named `self` generated a method that cannot be called.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codegen import load, spec_checks
from codegen.__main__ import _render_into

FIXTURE_SPECS = Path(__file__).parent / "fixtures" / "spec"
SPEC = "demo.widget.add.yaml"


def _tree_with(tmp_path: Path, edit: str, file: str = f"methods/{SPEC}") -> Path:
    root = tmp_path / "spec"
    shutil.copytree(FIXTURE_SPECS, root)
    target = root / file
    old, new = edit.split(" => ")
    text = target.read_text()
    assert old in text, old
    target.write_text(text.replace(old, new.replace("NUL", "\\0"), 1))
    return root


def test_the_fixture_tree_is_clean(tmp_path: Path) -> None:
    assert spec_checks.check_tree(load.load_tree(FIXTURE_SPECS)) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ('title: Add a Widget => title: "Add a NUL Widget"', "contains a NUL byte"),
        ("  schema: {type: integer} =>  schema: {$ref: 'file:///etc/hostname'}", "points outside the spec"),
        ("  schema: {type: integer} =>  schema: {$ref: 'http://127.0.0.1:9/schema.json'}", "points outside the spec"),
        ("class: {type: string => self: {type: string", "'self' is the generated method's own first argument"),
    ],
)
def test_a_hostile_method_spec_is_refused(tmp_path: Path, edit: str, expected: str) -> None:
    root = _tree_with(tmp_path, edit)
    problems = spec_checks.check_tree(load.load_tree(root))
    assert any(expected in problem and SPEC in problem for problem in problems), problems
    render_problems, _methods = _render_into(tmp_path / "out", root)
    assert render_problems  # generation stops with the same report instead of writing a broken package


def test_a_nul_byte_in_the_shared_error_summaries_is_refused(tmp_path: Path) -> None:
    root = _tree_with(tmp_path, 'summary: Too many requests. => summary: "Too NUL many requests."', "system-errors.yaml")
    problems = spec_checks.check_tree(load.load_tree(root))
    assert any(problem.startswith("spec/system-errors.yaml:") and "NUL byte" in problem for problem in problems)
