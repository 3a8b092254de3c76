"""Read spec/events/ into effective event specs, layered the way method specs are.

spec/events/shared.yaml holds what every event request shares (the envelope and the `auth`
block), defined once; the specs under curated/, imported/ and overrides/ hold one event
each, keyed by the event code as the portal sends it (`ONCRMDEALADD.yaml`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..load import SpecFile, layered, read_yaml, yaml_files

EVENTS_FOLDER = "events"
SHARED_FILE = "shared.yaml"


@dataclass
class EventTree:
    """The effective event specs and the shared definitions they rely on."""

    root: Path
    shared: dict[str, Any]
    specs: dict[str, SpecFile] = field(default_factory=dict)
    load_errors: list[str] = field(default_factory=list)


def load_events(spec_root: Path, read: Callable[[Path], Any] = read_yaml) -> EventTree | None:
    """The event specs under `spec_root/events`, or None when the tree has no events at all."""
    root = spec_root / EVENTS_FOLDER
    if not (root / SHARED_FILE).exists():
        return None
    tree = EventTree(root, read(root / SHARED_FILE))
    tree.specs, tree.load_errors = layered(
        yaml_files(root / "curated"), yaml_files(root / "imported"), yaml_files(root / "overrides"), read
    )
    return tree
