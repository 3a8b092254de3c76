"""Read the spec tree into plain dicts, layering curated files over imported drafts.

Everything downstream (checks, rendering, the importer's drift report) works on the
dicts this module returns, so the layering rule lives in exactly one place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SPEC_ROOT = Path(__file__).resolve().parent.parent / "spec"


_FastSafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present


class _UniqueKeyLoader(_FastSafeLoader):  # type: ignore[valid-type,misc]
    """Safe loader that refuses duplicate keys, which YAML would silently collapse."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=deep)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - SafeLoader subclass


def merge_override(base: Any, override: Any) -> Any:
    """Mappings merge key by key, anything else replaces; None deletes the key."""
    if not isinstance(base, dict) or not isinstance(override, dict):
        return copy.deepcopy(override)
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif key in merged:
            merged[key] = merge_override(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# What every offset-paged list method takes, whether or not its page's table lists it (the
# portal's list API is shared: select, filter, order and start behave the same everywhere).
# pagination.<key> renames one where a method spells it differently.
LIST_PARAMS: dict[str, tuple[str, dict[str, Any]]] = {
    "select_param": ("select", {"type": "string[]", "summary": "Fields to return; the page lists them."}),
    "filter_param": (
        "filter",
        {"type": "object", "summary": "Field conditions, with optional prefixes such as >, <, =, !, % and @ on the field names."},
    ),
    "order_param": ("order", {"type": "object", "summary": "Sort order: field name to asc or desc."}),
    "start_param": ("start", {"type": "integer", "summary": "Offset of the page: 0, 50, 100, ...; -1 skips counting the total."}),
}


def with_list_params(data: dict[str, Any]) -> dict[str, Any]:
    """The spec with the common list parameters added where an offset-paged method lacks them.

    Names the spec already has (in any case, as REST v2 reads them) keep their own entry.
    """
    pagination = data.get("pagination") or {}
    if pagination.get("style") != "offset":
        return data
    known = {name.lower() for name in data["params"]}
    implied = {}
    for key, (default, param) in LIST_PARAMS.items():
        name = pagination.get(key, default)
        if name.lower() not in known:
            implied[name] = dict(param)
    return {**data, "params": {**data["params"], **implied}} if implied else data


@dataclass(frozen=True)
class SpecFile:
    """One method's (or event's) effective spec and the files it was built from."""

    method_id: str
    data: dict[str, Any]
    sources: tuple[Path, ...]
    origin: str  # "curated", "imported" or "imported+override"

    @property
    def source_label(self) -> str:
        return ", ".join(_relative(path) for path in self.sources)


@dataclass
class SpecTree:
    root: Path
    specs: dict[str, SpecFile] = field(default_factory=dict)
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    system_errors: list[dict[str, Any]] = field(default_factory=list)
    #: spec/error-classes.yaml: class name, category and summary per shared code.
    error_catalogue: list[dict[str, Any]] = field(default_factory=list)
    load_errors: list[str] = field(default_factory=list)


def _relative(path: Path) -> str:
    try:
        return path.resolve().relative_to(SPEC_ROOT.parent).as_posix()
    except ValueError:
        return path.as_posix()


def method_id_of(path: Path) -> str:
    """`crm.item.list.yaml` → `crm.item.list`; `tasks.task.list@v3.yaml` → `tasks.task.list@v3`."""
    return path.name[: -len(".yaml")]


def shared_error_facts(tree: SpecTree) -> dict[str, dict[str, Any]]:
    """Code → what every entry of it inherits: the catalogue's class and category, else the
    system errors' category. A code means the same on every page that lists it, whatever
    HTTP status that page gives it (505 pages list ACCESS_DENIED with 400)."""
    facts = {str(error["code"]): {"category": error["category"]} for error in tree.system_errors if "category" in error}
    for entry in tree.error_catalogue:
        facts[entry["code"]] = {key: entry[key] for key in ("class", "category") if key in entry}
    return facts


def with_shared_error_facts(spec: SpecFile, shared: dict[str, dict[str, Any]]) -> SpecFile:
    errors = spec.data.get("errors")
    if not isinstance(errors, list) or not any(isinstance(e, dict) and str(e.get("code")) in shared for e in errors):
        return spec
    inherited = [shared.get(str(error.get("code")), {}) | error if isinstance(error, dict) else error for error in errors]
    return SpecFile(spec.method_id, {**spec.data, "errors": inherited}, spec.sources, spec.origin)


def load_tree(root: Path = SPEC_ROOT, read: Callable[[Path], Any] = read_yaml) -> SpecTree:
    """The effective specs under `root`. `read` parses one file (a caching reader lets two
    trees that share most files parse each distinct file once)."""
    tree = SpecTree(root=root)
    proposed = root / "imported-types.yaml"  # written by the importer; curated entries win
    tree.types = {**(read(proposed)["types"] if proposed.exists() else {}), **read(root / "types.yaml")["types"]}
    tree.system_errors = read(root / "system-errors.yaml")["errors"]
    catalogue = root / "error-classes.yaml"
    tree.error_catalogue = read(catalogue)["classes"] if catalogue.exists() else []

    def files(folder: str) -> dict[str, Path]:
        return yaml_files(root / folder)

    tree.specs, tree.load_errors = layered(files("methods"), files("imported"), files("overrides"), read, with_list_params)
    shared = shared_error_facts(tree)
    tree.specs = {method_id: with_shared_error_facts(spec, shared) for method_id, spec in tree.specs.items()}
    return tree


def yaml_files(folder: Path) -> dict[str, Path]:
    """Spec id (file name without `.yaml`) → path, for every spec file in `folder`."""
    return {method_id_of(p): p for p in sorted(folder.glob("*.yaml"))}


def layered(
    curated: dict[str, Path],
    imported: dict[str, Path],
    overrides: dict[str, Path],
    read: Callable[[Path], Any],
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda data: data,
) -> tuple[dict[str, SpecFile], list[str]]:
    """The layering rule, for method and event specs alike: a curated file wins outright;
    otherwise the imported draft with its override merged on top. Returns (specs, load errors)."""
    specs: dict[str, SpecFile] = {}
    errors: list[str] = []
    for spec_id in sorted(set(curated) | set(imported)):
        try:
            if spec_id in curated:
                path = curated[spec_id]
                specs[spec_id] = SpecFile(spec_id, prepare(read(path)), (path,), "curated")
                continue
            data = read(imported[spec_id])
            sources: tuple[Path, ...] = (imported[spec_id],)
            origin = "imported"
            if spec_id in overrides:
                data = merge_override(data, read(overrides[spec_id]))
                sources += (overrides[spec_id],)
                origin = "imported+override"
            specs[spec_id] = SpecFile(spec_id, prepare(data), sources, origin)
        except yaml.YAMLError as exc:
            errors.append(f"{spec_id}: YAML error: {exc}")
    for spec_id in sorted(set(overrides) - set(imported) - set(curated)):
        errors.append(f"{_relative(overrides[spec_id])}: override for a spec with no imported draft")
    return specs, errors
