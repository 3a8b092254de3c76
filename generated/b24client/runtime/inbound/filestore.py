"""A `TokenStore` in a directory, shared by the processes of one host.

Each portal is one JSON file written atomically (a temporary file in the same directory,
fsync, rename), so a reader sees the old pair or the new one, never half of either, and
needs no lock. The refresh lock is an `fcntl.flock` on a per-portal lock file: the kernel
releases it when a process dies, so a crash mid-refresh cannot wedge the portal. POSIX only;
for several hosts use the Redis store.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .tokens import DEFAULT_LOCK_SECONDS, PortalTokens, normalize_domain

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$")
_POLL_SECONDS = 0.01


def _file_name(key: str) -> str:
    """A member_id or domain as a file name; anything unusual is hashed (no path tricks)."""
    return key if _SAFE_NAME.match(key) else "h-" + hashlib.sha256(key.encode()).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that readers see all of it or none (mode 0600: tokens)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a crash
    finally:
        os.close(directory)


class FileTokenStore:
    """Tokens under `directory`: portals/<member_id>.json, domains/<domain>, locks/<member_id>.lock."""

    def __init__(self, directory: str | os.PathLike[str], *, lock_seconds: float = DEFAULT_LOCK_SECONDS) -> None:
        self.directory = Path(directory)
        self.lock_seconds = lock_seconds
        for part in ("portals", "domains", "locks"):
            (self.directory / part).mkdir(parents=True, exist_ok=True, mode=0o700)

    def __repr__(self) -> str:
        return f"FileTokenStore({str(self.directory)!r})"

    def _portal(self, member_id: str) -> Path:
        return self.directory / "portals" / f"{_file_name(member_id)}.json"

    def _domain(self, domain: str) -> Path:
        return self.directory / "domains" / _file_name(normalize_domain(domain))

    def get(self, member_id: str) -> PortalTokens | None:
        try:
            return PortalTokens.from_json(self._portal(member_id).read_bytes())
        except FileNotFoundError:
            return None

    def member_for_domain(self, domain: str) -> str | None:
        try:
            return self._domain(domain).read_text().strip() or None
        except FileNotFoundError:
            return None

    def save(self, tokens: PortalTokens) -> None:
        write_atomically(self._portal(tokens.member_id), tokens.to_json().encode())
        write_atomically(self._domain(tokens.domain), tokens.member_id.encode())

    def delete(self, member_id: str) -> None:
        tokens = self.get(member_id)
        with contextlib.suppress(FileNotFoundError):
            self._portal(member_id).unlink()
        if tokens is not None and self.member_for_domain(tokens.domain) == member_id:
            with contextlib.suppress(FileNotFoundError):
                self._domain(tokens.domain).unlink()

    @contextlib.contextmanager
    def lock(self, member_id: str) -> Iterator[None]:
        """Exclusive across processes (and threads: each holder opens its own descriptor)."""
        path = self.directory / "locks" / f"{_file_name(member_id)}.lock"
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + self.lock_seconds
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"the token lock of member_id={member_id!r} was not released in {self.lock_seconds:g}s"
                        ) from None
                    time.sleep(_POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)
