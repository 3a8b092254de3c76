"""The import as a whole: read every page, build drafts, settle duplicates, write, report.

Pages are independent, so they are read in a small process pool; everything after that
(choosing between pages that claim one method, types, files, reports) runs in one
process over results sorted by path, which keeps the output the same on every run.
"""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..load import merge_override, read_yaml
from . import checking, curation, identify, page, report, writer, yfm
from .registry import ImportRegistry

_METHOD_HEADER = re.compile(r"^method", re.IGNORECASE)
_LISTED_NAME = re.compile(r"\[?`?([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)`?\]?")

_registry: ImportRegistry | None = None
_overrides: dict[str, dict[str, Any]] = {}


@dataclass
class PageOutcome:
    """What one page gave: a method draft, or the page's kind and the methods it lists."""

    docs: str
    kind: str
    result: page.PageResult | None = None
    text: str = ""  # the draft as written to spec/imported/
    problems: list[str] = field(default_factory=list)  # codegen.check on draft + override
    listed: list[str] = field(default_factory=list)
    error: str | None = None


def _init_worker(types: dict[str, dict[str, Any]], overrides: dict[str, dict[str, Any]]) -> None:
    global _registry, _overrides
    _registry = ImportRegistry(types)
    _overrides = overrides


def _listed_methods(blocks: list[yfm.Block]) -> list[str]:
    """Method names in the first column of "Method | Description" overview tables."""
    names: list[str] = []
    for block in blocks:
        if isinstance(block, yfm.Table) and block.rows and _METHOD_HEADER.match(yfm.plain(block.rows[0][0])):
            for cells in block.rows[1:]:
                found = _LISTED_NAME.match(yfm.plain(cells[0]).split(" ")[0])
                if found:
                    names.append(found.group(1))
    return names


def process(args: tuple[str, str]) -> PageOutcome:
    """Read one page (`docs` is its path inside the checkout)."""
    path, docs = args
    assert _registry is not None
    try:
        blocks = yfm.parse(Path(path).read_text(encoding="utf-8"))
        identity = identify.identify(docs, blocks)
        if identity.kind != "method":
            return PageOutcome(docs, identity.kind, listed=_listed_methods(blocks))
        assert identity.method is not None
        method_id = identity.method + ("@v3" if identity.api_version == 3 else "")
        override = _overrides.get(method_id)
        result = page.build(identity, docs, blocks, _registry, override)
        assert result.spec is not None
        effective = merge_override(result.spec, override) if override else result.spec
        origin = "imported+override" if override else "imported"
        return PageOutcome(docs, "method", result, writer.dump(writer.canonical(result.spec)),
                           checking.problems(method_id, effective, _registry, origin))
    except Exception as exc:  # one broken page must not stop the import; it is reported
        return PageOutcome(docs, "failed", error=f"{type(exc).__name__}: {exc}")


def pages(docs_root: Path) -> list[tuple[str, str]]:
    """(file path, path inside the checkout) of every page under api-reference/, includes left out."""
    base = docs_root / "api-reference"
    found = []
    for path in sorted(base.rglob("*.md")):
        relative = path.relative_to(docs_root).as_posix()
        if "/_includes/" in relative:
            continue
        found.append((str(path), relative))
    return found


def method_id(result: page.PageResult) -> str:
    assert result.identity.method is not None
    return result.identity.method + ("@v3" if result.identity.api_version == 3 else "")


def _preference(docs: str) -> tuple[int, int, str]:
    """Between pages claiming one method: current before outdated, then shorter path, then name."""
    outdated = bool(re.search(r"/(outdated|deprecated)/", docs))
    return (outdated, len(docs), docs)


def run(docs_root: Path, out: Path, reports: Path, jobs: int = 2) -> report.Summary:
    types = read_yaml(out / "types.yaml")["types"]
    overrides = {p.name[: -len(".yaml")]: read_yaml(p) for p in sorted((out / "overrides").glob("*.yaml"))}
    work = pages(docs_root)
    if jobs > 1:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(types, overrides)) as pool:
            outcomes = list(pool.map(process, work, chunksize=32))
    else:
        _init_worker(types, overrides)
        outcomes = [process(item) for item in work]

    claims: dict[str, list[PageOutcome]] = {}
    for outcome in outcomes:
        if outcome.result is not None:
            claims.setdefault(method_id(outcome.result), []).append(outcome)
    chosen: dict[str, PageOutcome] = {}
    duplicates: dict[str, list[str]] = {}
    for key in sorted(claims):
        ranked = sorted(claims[key], key=lambda o: _preference(o.docs))
        chosen[key] = ranked[0]
        if len(ranked) > 1:
            duplicates[key] = [o.docs for o in ranked]

    registry = ImportRegistry(types)
    used: set[str] = set()
    for outcome in chosen.values():
        assert outcome.result is not None
        used |= outcome.result.types
    proposed = registry.proposed(used)
    written, deleted = writer.write_texts(out / "imported", {key: o.text for key, o in chosen.items()})
    writer.write_if_changed(out / "imported-types.yaml", _types_text(proposed))

    curated = {p.name[: -len(".yaml")]: read_yaml(p) for p in sorted((out / "methods").glob("*.yaml"))}
    summary = report.Summary(
        pages=len(work),
        kinds=Counter(o.kind for o in outcomes),
        outcomes=outcomes,
        chosen={key: o.result for key, o in chosen.items() if o.result is not None},
        duplicates=duplicates,
        proposed_types=len(proposed),
        written=written,
        deleted=deleted,
    )
    for key, outcome in chosen.items():
        found = checking.problems(key, curated[key], registry, "methods") if key in curated else outcome.problems
        (summary.failing.__setitem__(key, found) if found else summary.passing.append(key))
    summary.curated = curated
    summary.overridden = set(overrides)
    summary.effective = {key: curated[key] if key in curated
                         else merge_override(o.result.spec, overrides[key]) if key in overrides else o.result.spec
                         for key, o in chosen.items() if o.result is not None and o.result.spec is not None}
    summary.decisions = curation.read_decisions(out)
    summary.types = {**proposed, **types}
    report.write_all(summary, reports)
    return summary


def _types_text(proposed: dict[str, dict[str, str]]) -> str:
    header = (
        "# Written by the docs importer (python -m codegen.importer): type names the docs use that\n"
        "# spec/types.yaml lacks, with a base guessed from the name (.id/.ID → integer, other dotted\n"
        "# names → string, anything else → object). types.yaml wins; move entries there to curate them.\n"
    )
    return header + writer.dump({"types": proposed})
