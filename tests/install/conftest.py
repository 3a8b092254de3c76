"""A wheel of the work tree, and fresh virtualenvs that hold it, as a user installs it."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import venv
from collections.abc import Callable
from pathlib import Path

import pytest

from .support import ROOT


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per run: xdist workers share the folder above their own temp roots, and a
    lock keeps two builds from writing the source tree's build/ folder at the same time."""
    root = tmp_path_factory.getbasetemp()
    shared = (root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root) / "b24client-wheel"  # this run's only
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = sorted(shared.glob("b24client-*.whl"))
        if not built:
            subprocess.run(
                [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(shared), str(ROOT)],
                check=True,
                cwd=shared,
            )
            built = sorted(shared.glob("b24client-*.whl"))
    return built[0]


@pytest.fixture(scope="session")
def new_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """`new_venv(*packages)`: the python of a new virtualenv with the wheel, its declared
    requirements and the named packages only."""

    def make(*packages: str) -> Path:
        env_dir = tmp_path_factory.mktemp("venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
        python = env_dir / "bin" / "python"
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel), *packages],
            check=True,
            cwd=env_dir,
        )
        return python

    return make
