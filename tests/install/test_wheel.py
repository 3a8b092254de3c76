"""The package as a user gets it: a wheel in a fresh virtualenv, without the dev extras.

The dev venv holds every optional dependency, so a missing requirement or a missing
`py.typed` only shows in a clean install: an import fails there, or mypy sees every
result as Any and catches none of the app's mistakes.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import ROOT, run

APP = Path(__file__).with_name("user_app.py.txt")

# Every module of the installed package; the emulator and the CLI included, as users run them.
IMPORT_ALL = """
import importlib, pkgutil, b24client
failed = []
for module in pkgutil.walk_packages(b24client.__path__, "b24client."):
    if module.name.endswith(".__main__"):  # entry points run on import; `python -m` runs them
        continue
    if module.name == "b24client.emulator.pytest_plugin":  # only pytest loads it, so pytest is there
        continue
    try:
        importlib.import_module(module.name)
    except Exception as exc:
        failed.append(f"{module.name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed) or "all imported")
"""


@pytest.fixture(scope="module")
def installed(new_venv: Callable[..., Path]) -> Path:
    """The python of a new virtualenv holding the built wheel and its declared requirements only."""
    return new_venv()


def test_the_wheel_ships_its_types_and_every_module_imports(installed: Path, tmp_path: Path) -> None:
    files = run(installed, "-c", "import b24client, pathlib; print(pathlib.Path(b24client.__file__).parent)", cwd=tmp_path)
    package = Path(files.stdout.strip())
    assert (package / "py.typed").exists(), "the wheel lacks the PEP 561 marker"
    # package data, not modules: the emulator's and `b24 describe`'s example replies
    shown = "from b24client.runtime import specs; print(specs.example('crm.deal.get')['name'])"
    example = run(installed, "-c", shown, cwd=tmp_path)
    assert example.stdout.strip() == "success", example.stderr
    assert ".venv" not in str(package) and str(ROOT) not in str(package), package
    imported = run(installed, "-c", IMPORT_ALL, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    # The async client's modules need httpx, an extra this install lacks: they, and only they,
    # fail, and the error names the extra to install.
    extra = "ModuleNotFoundError: AsyncBitrix24 needs httpx: pip install 'b24client[async]'"
    assert imported.stdout.strip().splitlines() == [
        f"b24client.async_client: {extra}",
        f"b24client.runtime.async_client: {extra}",
        f"b24client.runtime.async_transport: {extra}",
    ]
    lazy = run(installed, "-c", "from b24client import AsyncBitrix24", cwd=tmp_path)
    assert lazy.returncode == 1 and extra in lazy.stderr, lazy.stderr


def test_mypy_strict_catches_each_mistake_of_an_app(installed: Path, tmp_path: Path) -> None:
    """mypy from the dev venv, resolving imports in the clean venv (`--python-executable`)."""
    app = tmp_path / "app.py"
    app.write_text(APP.read_text())
    checked = run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--python-executable",
        installed,
        "--cache-dir",
        tmp_path / "cache",
        app,
        cwd=tmp_path,
    )
    lines = app.read_text().splitlines()
    errors: dict[int, list[str]] = {}
    revealed: list[str] = []
    for line in checked.stdout.splitlines():
        found = re.match(r"app\.py:(\d+): (error|note): (.*)", line)
        if not found:
            continue
        number, kind, text = int(found[1]), found[2], found[3]
        if kind == "note" and text.startswith("Revealed type is"):
            revealed.append(text)
        elif kind == "error":
            errors.setdefault(number, []).append(text)
    mistakes = {n: line.split("# mistake: ")[1] for n, line in enumerate(lines, 1) if "# mistake: " in line}
    assert len(mistakes) == 9
    missed = [what for n, what in mistakes.items() if n not in errors]
    assert not missed, f"mypy --strict did not catch: {missed}\n{checked.stdout}"
    unexpected = {n: texts for n, texts in errors.items() if n not in mistakes}
    assert not unexpected, f"errors on lines that are right: {unexpected}\n{checked.stdout}"
    assert len(revealed) == 3, revealed
    assert revealed[0].startswith('Revealed type is "TypedDict(b24client.models.crm.CrmDealGetResult, {'), revealed[0]
    assert revealed[1] == 'Revealed type is "int"', revealed[1]
    assert revealed[2] == revealed[0], "the async client's awaited result is typed as the sync one"


def test_pyright_basic_finds_no_error_inside_the_installed_package(installed: Path, tmp_path: Path) -> None:
    """What IDE users see: Pylance runs pyright over the package it resolves imports into.

    Left out: the pytest plugin, which imports pytest, a package the user has whenever pytest
    loads the plugin but that a clean venv lacks (pyright would report the import only)."""
    site = Path(
        run(installed, "-c", "import b24client, os; print(os.path.dirname(b24client.__file__))", cwd=tmp_path).stdout.strip()
    )
    package = os.path.relpath(site, tmp_path)  # pyright ignores include paths that are not relative
    config = tmp_path / "pyrightconfig.json"
    config.write_text(
        json.dumps(
            {
                "typeCheckingMode": "basic",
                "pythonVersion": "3.11",
                "include": [package],
                "exclude": [f"{package}/emulator/pytest_plugin.py"],
            }
        )
    )
    pyright = Path(sys.executable).with_name("pyright")
    checked = run(pyright, "--pythonpath", installed, "--outputjson", "-p", config, cwd=tmp_path)
    report = json.loads(checked.stdout)
    errors = [
        f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}"
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    ]
    assert errors == []
    assert report["summary"]["filesAnalyzed"] > 1000  # the whole package was read, not an empty include
