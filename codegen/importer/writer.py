"""Write draft specs so that a re-import changes exactly the files whose pages changed.

One file per method, keys in one fixed order, one YAML style (PyYAML's safe dumper,
block style, width 100, Unicode kept), no timestamps. Files are rewritten only when their
text differs, and files for methods that disappeared from the docs are deleted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TOP_ORDER = (
    "method",
    "api_version",
    "title",
    "summary",
    "docs",
    "scope",
    "access",
    "deprecated",
    "idempotent",
    "batchable",
    "open_params",
    "params",
    "constraints",
    "pagination",
    "result",
    "errors",
    "examples",
    "notes",
)
PARAM_ORDER = (
    "type",
    "required",
    "nullable",
    "summary",
    "deprecated",
    "default",
    "enum",
    "minimum",
    "maximum",
    "max_length",
    "max_items",
    "open",
    "properties",
    "values",
    "items",
    "constraints",
)
ERROR_ORDER = ("code", "status", "match", "class", "category", "summary")
PAGINATION_ORDER = ("style", "page_size", "no_count", "items", "id_field", "order_param", "filter_param", "select_param")


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = {key: data[key] for key in order if key in data}
    return known | {key: data[key] for key in data if key not in known}


def _param(param: dict[str, Any]) -> dict[str, Any]:
    result = _ordered(param, PARAM_ORDER)
    if "properties" in result:
        result["properties"] = {name: _param(child) for name, child in result["properties"].items()}
    for key in ("values", "items"):
        if key in result:
            result[key] = _param(result[key])
    return result


def canonical(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with every mapping the format defines in its fixed key order."""
    result = _ordered(spec, TOP_ORDER)
    result["params"] = {name: _param(param) for name, param in result["params"].items()}
    if "pagination" in result:
        result["pagination"] = _ordered(result["pagination"], PAGINATION_ORDER)
    result["errors"] = [_ordered(error, ERROR_ORDER) for error in result["errors"]]
    if "examples" in result:
        result["examples"] = [
            _ordered(example, ("name", "request", "response")) | {"response": _ordered(example["response"], ("status", "body"))}
            for example in result["examples"]
        ]
    return result


EVENT_ORDER = (
    "event",
    "type_name",
    "title",
    "summary",
    "docs",
    "scope",
    "deprecated",
    "auth",
    "envelope",
    "data",
    "examples",
    "notes",
)


def canonical_event(spec: dict[str, Any]) -> dict[str, Any]:
    """An event draft with its mappings in the event format's fixed key order."""
    result = _ordered(spec, EVENT_ORDER)
    result["data"] = _param(result["data"])
    if "envelope" in result:
        result["envelope"] = {name: _param(param) for name, param in result["envelope"].items()}
    return result


class _Dumper(yaml.SafeDumper):
    """yaml.safe_dump's dumper without the search for shared objects (drafts share none)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any) -> str:
    """Text identical to `yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)`."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def write_texts(folder: Path, texts: dict[str, str]) -> tuple[int, int]:
    """Write `<method_id>.yaml` for every dumped spec and delete the others; (written, deleted)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = sum(write_if_changed(folder / f"{method_id}.yaml", text) for method_id, text in texts.items())
    deleted = 0
    for stale in sorted(folder.glob("*.yaml")):
        if stale.name[: -len(".yaml")] not in texts:
            stale.unlink()
            deleted += 1
    return written, deleted
