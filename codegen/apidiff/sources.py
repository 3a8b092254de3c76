"""Where the two sides of a diff come from: a spec folder, or a git revision of this repository.

A revision's `spec/` is unpacked from `git archive` into a temporary folder, so the work
tree is never checked out or touched. Both trees are then read with a shared cache keyed by
file content: a docs update changes a few hundred of 1,700 files, and each distinct file is
parsed once, which keeps a whole-repository diff within a few seconds.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from ..load import SPEC_ROOT, SpecTree, load_tree, read_yaml

REPO = SPEC_ROOT.parent


class SourceError(Exception):
    """An argument that is neither a spec folder nor a revision git knows."""


@dataclass(frozen=True)
class Side:
    label: str  # how the report names it: `spec/` path, or `main (95f9f25)`
    root: Path


def _git(*args: str, repo: Path = REPO) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)  # noqa: S603,S607


def spec_folder(path: Path) -> Path | None:
    """`path` itself when it holds a spec tree, or its `spec/` when it is a checkout."""
    for candidate in (path, path / "spec"):
        if (candidate / "types.yaml").is_file() and (candidate / "system-errors.yaml").is_file():
            return candidate
    return None


@contextmanager
def opened(argument: str | None, repo: Path = REPO) -> Iterator[Side]:
    """The spec tree an argument names; None is the work tree's spec/."""
    if argument is None:
        yield Side("work tree", repo / "spec")
        return
    folder = spec_folder(Path(argument))
    if folder is not None:
        yield Side(folder.as_posix(), folder)
        return
    resolved = _git("rev-parse", "--verify", "--quiet", f"{argument}^{{commit}}", repo=repo)
    if resolved.returncode != 0:
        raise SourceError(f"{argument!r} is neither a spec folder (with types.yaml) nor a git revision")
    commit = resolved.stdout.decode().strip()
    with TemporaryDirectory(prefix="b24apidiff-") as scratch:
        _unpack_spec(commit, Path(scratch), repo)
        label = argument if argument.startswith(commit[:7]) else f"{argument} ({commit[:7]})"
        yield Side(label, Path(scratch) / "spec")


def _unpack_spec(commit: str, into: Path, repo: Path) -> None:
    """`git archive <commit> spec | tar -x`: the system tar is several times faster than tarfile."""
    archive = subprocess.Popen(  # noqa: S603
        ["git", "-C", str(repo), "archive", "--format=tar", commit, "spec"],  # noqa: S607
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    unpack = subprocess.run(  # noqa: S603
        ["tar", "-x", "-C", str(into)],  # noqa: S607
        stdin=archive.stdout,
        capture_output=True,
        check=False,
    )
    assert archive.stdout is not None and archive.stderr is not None
    archive.stdout.close()
    problem = archive.stderr.read().decode().strip()
    if archive.wait() != 0 or unpack.returncode != 0:
        raise SourceError(f"revision {commit[:7]}: cannot unpack spec/: {problem or unpack.stderr.decode().strip()}")


class SharedReader:
    """Parses each distinct file content once, however many trees contain it.

    The parsed objects are shared between trees, so they must be read, never changed.
    """

    def __init__(self) -> None:
        self._parsed: dict[bytes, Any] = {}

    def __call__(self, path: Path) -> Any:
        content = path.read_bytes()
        if content not in self._parsed:
            self._parsed[content] = read_yaml(path)
        return self._parsed[content]


def load_pair(old: Path, new: Path) -> tuple[SpecTree, SpecTree]:
    read = SharedReader()
    return load_tree(old, read), load_tree(new, read)
