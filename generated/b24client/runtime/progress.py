"""A progress bar for long exports, through tqdm when it is installed (extra `progress`).

On by default only when stderr is a terminal: a bar in a log file or a CI transcript is
noise. tqdm is imported lazily, so the runtime keeps `requests` as its only dependency;
asking for a bar without tqdm logs one warning and carries on without it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any, Protocol

log = logging.getLogger("b24client")


class Progress(Protocol):
    def update(self, n: int) -> Any: ...
    def close(self) -> Any: ...


class _Silent:
    def update(self, n: int) -> None:
        return None

    def close(self) -> None:
        return None


def _on_terminal() -> bool:
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def make(enabled: bool | None, description: str, total: int | None = None) -> Progress:
    """A bar counting records; `enabled=None` means "only on a terminal"."""
    if enabled is False or (enabled is None and not _on_terminal()):
        return _Silent()
    try:
        tqdm = importlib.import_module("tqdm").tqdm
    except ImportError:
        if enabled:
            log.warning("progress bar requested but tqdm is not installed: pip install 'b24client[progress]'")
        return _Silent()
    bar: Progress = tqdm(total=total, desc=description, unit=" records", unit_scale=True, leave=False)
    return bar
