"""Every Python example of the README and docs/ runs as written and passes mypy --strict,
in a fresh virtualenv holding the wheel (plus pytest for the pytest example, and the
requests stubs a strict user installs).

Examples that talk to a portal use the placeholder webhook `https://example.bitrix24.com/
rest/1/<code>/`; to run, that one literal is swapped for a local emulator's webhook (seeded
with 10 deals, as the README's own example seeds it). Type checking reads the text untouched.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import ROOT, run

# A block right after `<!-- fragment: ... -->` shows a piece of a larger program (framework
# objects, a portal started elsewhere): it is not run. tests count them so none goes unseen.
FENCE = re.compile(r"^(<!-- fragment:[^\n]*-->\n)?```python\n(.*?)^```", re.S | re.M)
PLACEHOLDER = re.compile(r'"https://example\.bitrix24\.com/rest/1/[^"]*/"')
PRELUDE = """\
from b24client.emulator import Emulator as _Emulator, EmulatorConfig as _EmulatorConfig
_portal = _Emulator(_EmulatorConfig(deals=10)).start()
"""
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def _examples(doc: Path) -> list[str]:
    return [block for marker, block in FENCE.findall(doc.read_text(encoding="utf-8")) if not marker]


def _fragments(doc: Path) -> int:
    return sum(1 for marker, _ in FENCE.findall(doc.read_text(encoding="utf-8")) if marker)


@pytest.fixture(scope="module")
def python(new_venv: Callable[..., Path]) -> Path:
    return new_venv("pytest", "types-requests")


def test_the_docs_have_examples() -> None:
    counts = {doc.name: len(_examples(doc)) for doc in DOCS}
    assert counts["README.md"] >= 1 and counts["bulk.md"] >= 3 and counts["emulator.md"] >= 2, counts
    # the pieces not run, by page: a new one must be a runnable example or be counted here
    assert {doc.name: _fragments(doc) for doc in DOCS if _fragments(doc)} == {"emulator.md": 4, "inbound.md": 4}


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_the_examples_of_a_page_run_and_type_check(doc: Path, python: Path, tmp_path: Path) -> None:
    blocks = _examples(doc)
    if not blocks:
        pytest.skip(f"{doc.name} has no Python example")
    tests = [block for block in blocks if re.search(r"^def test_", block, re.M)]
    scripts = [block for block in blocks if block not in tests]
    checked: list[Path] = []
    if scripts:  # one page's blocks go on from each other (`b24` of the first is used later)
        text = "\n".join(scripts)
        script = tmp_path / "example.py"
        script.write_text(PRELUDE + PLACEHOLDER.sub("_portal.webhook_url", text))
        ran = run(python, script, cwd=tmp_path)
        assert ran.returncode == 0, f"{doc.name}: the examples failed\n{ran.stdout}\n{ran.stderr}"
        as_written = tmp_path / "example_as_written.py"
        as_written.write_text(text)
        checked.append(as_written)
    for index, block in enumerate(tests):
        module = tmp_path / f"test_example_{index}.py"
        module.write_text(block)
        ran = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", module, cwd=tmp_path)
        assert ran.returncode == 0, f"{doc.name}: the pytest example failed\n{ran.stdout}\n{ran.stderr}"
        assert re.search(rf"\b{len(re.findall(r'^def test_', block, re.M))} passed", ran.stdout), ran.stdout
        checked.append(module)
    typed = run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        python,
        "--cache-dir",
        tmp_path / "cache",
        *checked,
        cwd=tmp_path,
    )
    assert typed.returncode == 0, f"{doc.name}: mypy --strict\n{typed.stdout}"
