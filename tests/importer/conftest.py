"""Fixtures for the importer tests: the fixture docs checkout and a scratch spec tree."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_DOCS = Path(__file__).resolve().parent / "fixtures"


def make_spec_root(target: Path) -> Path:
    """A spec folder with the real format, type registry and system errors, and no methods."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("types.yaml", "system-errors.yaml"):
        shutil.copyfile(REPO / "spec" / name, target / name)
    shutil.copytree(REPO / "spec" / "format", target / "format")
    (target / "methods").mkdir()
    (target / "overrides").mkdir()
    return target


@pytest.fixture
def spec_root(tmp_path: Path) -> Path:
    return make_spec_root(tmp_path / "spec")


@pytest.fixture
def docs_copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture docs checkout."""
    return Path(shutil.copytree(FIXTURE_DOCS, tmp_path / "docs"))
