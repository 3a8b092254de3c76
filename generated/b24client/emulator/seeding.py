"""Seed files: records per entity family, read from JSON or YAML (`--seed-from FILE`).

A test suite or a demo describes the portal it needs as data, the same mapping that
`EmulatorConfig.seed_records` takes:

    crm.company: [{TITLE: Acme}]
    crm.contact: [{ID: 7, NAME: Ann, COMPANY_ID: 1}]
    crm.item: [{entityTypeId: 1032, title: Spa item}]

The shape is checked here, every problem at once and each naming the file and the place,
before the portal starts; which families exist is checked by the portal's entity store.
YAML needs PyYAML (the package itself depends on nothing but the standard library and
requests), JSON needs nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

YAML_SUFFIXES = (".yaml", ".yml")


class SeedFileError(ValueError):
    """A seed file that cannot be read or does not have the records-per-family shape."""


def load_seed_file(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """The records per family in `path` (JSON, or YAML by suffix), shape-checked."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedFileError(f"seed file {path}: cannot be read ({exc.strerror})") from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise SeedFileError(f"seed file {path}: must map family names to lists of records, got {type(data).__name__}")
    problems: list[str] = []
    for family, records in data.items():
        if not isinstance(records, list):
            problems.append(f"{family}: must be a list of records, got {type(records).__name__}")
            continue
        problems += [
            f"{family}[{index}]: must be a record (a mapping), got {type(record).__name__}"
            for index, record in enumerate(records)
            if not isinstance(record, dict)
        ]
    if problems:
        raise SeedFileError(f"seed file {path}: " + "; ".join(problems))
    return {str(family): list(records) for family, records in data.items()}


def _parse(path: Path, text: str) -> Any:
    if path.suffix.lower() in YAML_SUFFIXES:
        try:
            import yaml
        except ImportError:
            raise SeedFileError(f"seed file {path}: YAML needs PyYAML (pip install pyyaml), or use JSON") from None
        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeedFileError(f"seed file {path}: not valid YAML ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedFileError(f"seed file {path}: not valid JSON ({exc})") from None
