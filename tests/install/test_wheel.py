"""The package as a user gets it: a wheel in a fresh virtualenv, without the dev extras.

The dev venv holds every optional dependency, so a missing requirement or a missing
`py.typed` only shows in a clean install: an import fails there, or mypy sees every
result as Any and catches none of the app's mistakes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a new virtualenv holding the built wheel and its declared requirements only."""
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(wheels), str(ROOT)], check=True, cwd=work)
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    wheel = next(wheels.glob("b24client-*.whl"))
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                   check=True, cwd=work)
    return python


def _run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "MYPYPATH")}
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, check=False)


def test_the_wheel_ships_its_types_and_every_module_imports(installed: Path, tmp_path: Path) -> None:
    files = _run(installed, "-c", "import b24client, pathlib; print(pathlib.Path(b24client.__file__).parent)",
                 cwd=tmp_path)
    package = Path(files.stdout.strip())
    assert (package / "py.typed").exists(), "the wheel lacks the PEP 561 marker"
    assert ".venv" not in str(package) and str(ROOT) not in str(package), package
    imported = _run(installed, "-c", IMPORT_ALL, cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "all imported"


def test_mypy_strict_catches_each_mistake_of_an_app(installed: Path, tmp_path: Path) -> None:
    """mypy from the dev venv, resolving imports in the clean venv (`--python-executable`)."""
    app = tmp_path / "app.py"
    app.write_text(APP.read_text())
    checked = _run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-executable", installed,
                   "--cache-dir", tmp_path / "cache", app, cwd=tmp_path)
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
    assert len(mistakes) == 7
    missed = [what for n, what in mistakes.items() if n not in errors]
    assert not missed, f"mypy --strict did not catch: {missed}\n{checked.stdout}"
    unexpected = {n: texts for n, texts in errors.items() if n not in mistakes}
    assert not unexpected, f"errors on lines that are right: {unexpected}\n{checked.stdout}"
    assert len(revealed) == 2, revealed
    assert revealed[0].startswith('Revealed type is "TypedDict(b24client.models.crm.CrmDealGetResult, {'), revealed[0]
    assert revealed[1] == 'Revealed type is "int"', revealed[1]
