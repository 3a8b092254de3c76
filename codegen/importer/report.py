"""The importer's reports: coverage, either-or candidates, and drift against curated specs.

All three are Markdown written from sorted data and contain no times, so they change
only when the docs or the specs do. Coverage is measured with the project's own loader
and checker (codegen/load.py, codegen/spec_checks.py) over the written tree, not re-derived.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import curation, drop_figures, error_figures, errors_table, event_report, facts, page, shape_figures, writer

if TYPE_CHECKING:
    from .run import PageOutcome


@dataclass
class Summary:
    pages: int
    kinds: Counter[str]
    outcomes: list[PageOutcome]
    chosen: dict[str, page.PageResult]
    duplicates: dict[str, list[str]]
    proposed_types: int
    written: int
    deleted: int
    passing: list[str] = field(default_factory=list)
    failing: dict[str, list[str]] = field(default_factory=dict)
    curated: dict[str, dict[str, Any]] = field(default_factory=dict)
    overridden: set[str] = field(default_factory=set)
    effective: dict[str, dict[str, Any]] = field(default_factory=dict)  # method → curated, or draft + override
    decisions: dict[tuple[str, frozenset[str]], str] = field(default_factory=dict)  # dismissed candidates
    types: dict[str, dict[str, Any]] | None = None  # the type registry the drafts were checked with
    events: event_report.EventFigures | None = None  # the event drafts (pages of kind `event`)

    @property
    def percent(self) -> float:
        return 100.0 * len(self.passing) / len(self.chosen) if self.chosen else 0.0


def _reason(problems: list[str]) -> str:
    text = problems[0].split(": ", 1)[-1]
    return text if len(text) <= 160 else text[:157] + "..."


def _figures_section(summary: Summary) -> list[str]:
    """The headline table: pages read by kind, method names, v3, passing specs and the percentage."""
    v3 = sorted(key for key in summary.chosen if key.endswith("@v3"))
    both = sorted(key for key in v3 if key[: -len("@v3")] in summary.chosen)
    origins = Counter(
        "curated" if key in summary.curated else "imported+override" if key in summary.overridden else "imported"
        for key in summary.chosen
    )
    lines = [
        "# Docs import coverage",
        "",
        "Written by `python -m codegen.importer`; do not edit. Figures are for the docs checkout it read.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| pages read (api-reference, includes left out) | {summary.pages} |",
    ]
    for kind in ("method", "event", "overview", "js-sdk", "other", "failed"):
        lines.append(f"| pages of kind `{kind}` | {summary.kinds.get(kind, 0)} |")
    return [
        *lines,
        f"| documented method names (distinct names of method pages, v2 + v3) | {len(summary.chosen)} |",
        f"| REST v3 methods (files `<method>@v3.yaml`) | {len(v3)} |",
        f"| names documented in both v2 and v3 | {len(both)} |",
        f"| effective specs passing the format schema and codegen.spec_checks | {len(summary.passing)} |",
        f"| **coverage** | **{summary.percent:.1f}%** |",
        "| effective spec origin: " + ", ".join(f"{k} {v}" for k, v in sorted(origins.items())) + " | |",
        f"| type names proposed in spec/imported-types.yaml | {summary.proposed_types} |",
    ]


def _not_covered_section(summary: Summary) -> list[str]:
    """Each method name whose spec fails, with the first reason, then the pages that broke the importer."""
    lines = ["", "## Not covered", ""]
    if summary.failing:
        lines += ["| method | page | reason |", "| --- | --- | --- |"]
        for key, problems in sorted(summary.failing.items()):
            lines.append(f"| `{key}` | {summary.chosen[key].docs} | {_reason(problems)} |")
    else:
        lines.append("Every documented method name has a spec that passes.")
    failed = [o for o in summary.outcomes if o.kind == "failed"]
    if failed:
        lines += ["", "Pages the importer could not read (importer bugs, listed so they get fixed):", ""]
        lines += [f"- {o.docs}: {o.error}" for o in failed]
    return lines


def _import_figures_section(summary: Summary) -> list[str]:
    """The importer's own counters summed over the chosen pages, by name."""
    counts: Counter[str] = Counter()
    for result in summary.chosen.values():
        counts.update(result.counts)
    lines = ["", "## Import figures", "", "| what | count |", "| --- | --- |"]
    return lines + [f"| {name} | {value} |" for name, value in sorted(counts.items())]


def _claims_section(summary: Summary) -> list[str]:
    """Where several pages claim one method name, or one page names several methods: which was kept."""
    lines = ["", "## Pages that several pages claim", ""]
    lines += [f"- `{key}`: kept {paths[0]}; also {', '.join(paths[1:])}" for key, paths in sorted(summary.duplicates.items())]
    if not summary.duplicates:
        lines.append("None.")
    lines += ["", "## Pages whose title or examples name other methods too", ""]
    several = sorted(
        (r.docs, r.identity.method or "", r.identity.other_methods) for r in summary.chosen.values() if r.identity.other_methods
    )
    lines += [
        f"- {docs}: taken as `{method}`; also names {', '.join(f'`{m}`' for m in others)}" for docs, method, others in several
    ] or ["None."]
    return lines


def _listed_only_section(summary: Summary) -> list[str]:
    """Names overview tables list that no page documents: candidates for pages the docs lack."""
    lines = [
        "",
        "## Method names listed in overview tables without a page of their own",
        "",
        "Not counted as documented methods above (no page documents them); namespaces of documented",
        "methods (`crm.activity` for `crm.activity.add`) are left out.",
        "",
    ]
    known = {key.split("@")[0].lower() for key in summary.chosen}
    listed = sorted(
        {
            name
            for o in summary.outcomes
            for name in o.listed
            if name.lower() not in known and not any(k.startswith(name.lower() + ".") for k in known)
        }
    )
    lines.append(", ".join(f"`{name}`" for name in listed) if listed else "None.")
    return lines


def _rejected_types_section(summary: Summary) -> list[str]:
    """Declared types the docs' example values break, most often first: a registry base that
    does not fit how the docs use a name shows at the top."""
    rejected: Counter[str] = Counter()
    for result in summary.chosen.values():
        rejected.update(result.rejected_types)
    lines = [
        "",
        "## Declared types that reject the docs' own example values",
        "",
        "Example requests are dropped when the runtime validator rejects them. Where it is a value's type,",
        "the declared type is counted here: a registry base (spec/types.yaml) that does not fit how the",
        "docs use the name (ids written as `crm_company`, `user`) shows up at the top.",
        "",
        "| declared type | rejected values |",
        "| --- | --- |",
    ]
    return lines + [f"| `{name}` | {count} |" for name, count in sorted(rejected.items(), key=lambda kv: (-kv[1], kv[0]))]


def _anomalies_section(summary: Summary) -> list[str]:
    """Every finding of every chosen page, one line each, so none is lost in a figure."""
    lines = ["", "## Anomalies met while importing", ""]
    for key in sorted(summary.chosen):
        for finding in summary.chosen[key].findings:
            lines.append(f"- `{key}` ({summary.chosen[key].docs}): {finding}")
    return lines


def coverage(summary: Summary) -> str:
    """reports/coverage.md: what share of the documented methods has a passing spec, and every
    figure and finding behind it, section by section."""
    lines = _figures_section(summary)
    lines += _not_covered_section(summary)
    lines += _import_figures_section(summary)
    lines += _claims_section(summary)
    lines += _listed_only_section(summary)
    lines += _rejected_types_section(summary)
    lines += example_section(summary)
    lines += drop_section(summary)
    lines += shape_section(summary)
    lines += _anomalies_section(summary)
    effective = [(key, summary.curated.get(key) or result.spec or {}) for key, result in sorted(summary.chosen.items())]
    lines += ["", *error_figures.section(effective, errors_table.system_errors())]
    lines += event_report.section(summary.events, summary.outcomes)
    lines += ["", "## Rules the importer applies", "", *RULES]
    return "\n".join(lines) + "\n"


def drop_section(summary: Summary) -> list[str]:
    """Required members and either-or groups dropped from a valid request, over the effective specs."""
    from .registry import ImportRegistry
    from .validate_example import compiled

    registry = ImportRegistry(summary.types or {})
    figures = drop_figures.measure({key: compiled(spec, registry) for key, spec in sorted(summary.effective.items())})
    lines = [
        "",
        "## Required parameters dropped",
        "",
        "Measured by codegen/importer/drop_figures.py with the runtime validator over the effective specs: a",
        "valid request per method, then each required member (any depth, in arrays and maps too), each",
        "either-or group and each active `required_if` member dropped in turn.",
        "",
        "| figure | count |",
        "| --- | --- |",
        f"| methods | {figures.methods} |",
        f"| required flags declared | {figures.flags} |",
        f"| required members dropped | {figures.count(('required ',))} |",
        f"| either-or groups declared | {figures.groups} |",
        f"| either-or groups dropped | {figures.count(('at_least_one_of ', 'exactly_one_of '))} |",
        f"| required_if members dropped | {figures.count(('required_if ',))} |",
        f"| of those drops, not caught (or methods without a valid request) | {len(figures.failures)} |",
    ]
    lines += [f"- {failure}" for failure in figures.failures]
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def example_section(summary: Summary) -> list[str]:
    """Every page whose own request example the spec does not accept, with the reason."""
    refused = sorted((key, result.docs, *found) for key, result in summary.chosen.items() for found in result.refused_requests)
    with_request = sum(1 for result in summary.chosen.values() if result.requests)
    requests = sum(result.requests for result in summary.chosen.values())
    kinds = Counter(kind for _, _, kind, _ in refused)
    lines = [
        "",
        "## Docs request examples",
        "",
        "The importer fits each draft to its page's own request example (codegen/importer/example_fit.py) and",
        "keeps the webhook example only when the runtime validator, in strict mode, accepts it; every other",
        "request body on the page is checked the same way. The ones refused are listed with the reason: a",
        "placeholder value stands for one the reader fills in; an example that contradicts its page waits for",
        "a curated override (or is broken, as the override's note says).",
        "",
        "| figure | count |",
        "| --- | --- |",
        f"| methods whose page has a request example | {with_request} |",
        f"| distinct request examples (cURL bodies) on those pages | {requests} |",
        f"| validating clean, strict mode too | {requests - len(refused)} |",
        f"| kept out: placeholder value | {kinds.get('placeholder value', 0)} |",
        f"| kept out: the example contradicts its page | {kinds.get('the example contradicts its page', 0)} |",
        "",
    ]
    if refused:
        lines += ["| method | page | why kept out | detail |", "| --- | --- | --- | --- |"]
        lines += [f"| `{key}` | {docs} | {kind} | {_cell(detail)} |" for key, docs, kind, detail in refused]
    else:
        lines.append("Every page's request example validates clean.")
    return lines


RULES = [
    "- Method pages: the method is the candidate (method-like token of the H1 title, or cURL URL method) whose "
    "letters equal (or end with) the file name's; else, on a page with method sections, the title's last token or "
    "its only method-like token. Pages with handler sections are events; `BX24.*` pages are the JS SDK; index.md "
    "and 'Overview' pages are overviews; none of these is a method. Two pages claiming one name: the one outside "
    "outdated/ and deprecated/ wins, then the shorter path.",
    "- REST v3: a page whose cURL URL is `/rest/api/…` or that says it belongs to REST 3.0 gets `api_version: 3`; "
    "every v3 spec is written as `<method>@v3.yaml` (also when no v2 method has the name), as codegen.spec_checks expects.",
    f"- `idempotent`: true when the last name segment is one of {', '.join(sorted(facts.READ_EXACT))}, or starts "
    f"with {', '.join(facts.READ_PREFIXES)} (but not {', '.join(facts.WRITE_PREFIXES)}); false otherwise.",
    "- `pagination`: `offset` when the method takes `start` or the example answer has `next`/`total` "
    "(`items`/`id_field` only when the example shows them); v3 methods taking `pagination`: `page`; else `none`.",
    "- `result.schema`: inferred from the success example's `result` (JSON types, members, merged array "
    "elements; objects with 8+ object members become maps; never `required`), keeping the Returned Data "
    "table's type instead only when it is a union the example fits; without an example, the table's type; "
    "else `{}`.",
    "- `errors`: one reader for every table layout, columns found by header words; a row without a status takes "
    "the section's `HTTP status` line (403 for access codes and 404 for NOT_FOUND codes when the line lists them, "
    "else its first status; 400 without a line).",
    "- Error classes: " + (errors_table.__doc__ or "").strip().split("\n\n")[-1].replace("\n", " "),
    "- `deprecated`: a DEPRECATED/outdated note at the top (its first linked method is the replacement), or a page "
    "under outdated/ or deprecated/.",
    "- `scope`: the names in the page's Scope line; without one, the method's first segment (and a `notes` entry).",
    "- Examples: the draft is first fitted to every cURL body on the page (codegen/importer/example_fit.py): a "
    "value of another kind widens the type (a text where a number is typed makes it a string), a member in "
    "another case takes the example's spelling, unlisted keys holding records make a keyed map, a key beside a "
    "placeholder row opens the object, any other unlisted name is added; placeholder values settle nothing. The "
    "webhook cURL `-d` body is then kept only when the runtime validator in strict mode accepts it against the "
    "draft with overrides; the first JSON answer with `result` is the success example; JSON answers with "
    "`error` in the error section become error examples with the status line above them.",
    "- Objects described by sub-tables are closed, except `filter`/`order`/`sort` and tables with placeholder rows "
    "(`UF_...`, `<selector>`), which are `open`.",
    "- Types: backticked names under a parameter name (links, `a`\\|`b` unions, `x[]`, `array<x>`) become type "
    "expressions; a name spec/types.yaml lacks goes to spec/imported-types.yaml with a guessed base (`.id`/`.ID` → "
    "integer, other dotted → string, else object); a row without a readable type gets `any` (counted above).",
    "- Either-or rules are never inferred: sentences that may state one are listed in either-or-candidates.md; "
    "curated ones live in spec/overrides/.",
    "- No docs prose is copied: no `summary`; `access` is one of three fixed phrases.",
]


def either_or_report(summary: Summary, overrides: set[str]) -> str:
    rows = sorted((c.method, c.docs, c.params, c.cue) for result in summary.chosen.values() for c in result.candidates)
    statuses = [
        curation.status(
            method, names, cue, summary.effective.get(method, summary.effective.get(f"{method}@v3")), summary.decisions
        )
        for method, _, names, cue in rows
    ]
    open_rows = sum(1 for found in statuses if found == "open")
    lines = [
        "# Either-or candidates",
        "",
        "Places where a page may state a rule between parameters (at least one of, exactly one of, precedence,",
        "required if), found by a cue phrase. Read the sentence on the linked page: it is not copied here.",
        'The importer encodes the precise "required if `X` is not given" phrasings itself',
        "(codegen/importer/conditions.py); people encode the others in `spec/overrides/<method>.yaml`, or",
        f"dismiss them with a reason in `spec/{curation.DECISIONS_FILE}`. `override` marks methods that have one.",
        "",
        f"{len(rows)} candidates on {len({r[0] for r in rows})} methods: "
        f"{sum(1 for found in statuses if found == 'encoded')} encoded, "
        f"{sum(1 for found in statuses if found.startswith('dismissed'))} dismissed, {open_rows} open.",
        "",
        "| method | override | parameters named | cue | status | page |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for (method, docs, names, cue), found in zip(rows, statuses, strict=True):
        mark = "override" if method in overrides else ""
        safe, settled = cue.replace("|", "\\|"), found.replace("|", "\\|")
        lines.append(f"| `{method}` | {mark} | {', '.join(names)} | {safe} | {settled} | {docs} |")
    return "\n".join(lines) + "\n"


def _flat(params: dict[str, Any], prefix: str = "") -> dict[str, dict[str, Any]]:
    flat: dict[str, dict[str, Any]] = {}
    for name, param in params.items():
        path = prefix + name
        flat[path] = param
        if "properties" in param:
            flat.update(_flat(param["properties"], path + "."))
        if "properties" in param.get("items", {}):
            flat.update(_flat(param["items"]["properties"], path + "[]."))
    return flat


def drift_lines(curated: dict[str, Any], draft: dict[str, Any]) -> list[str]:
    """Differences between a curated spec and the imported draft of the same method."""
    found = []
    mine, theirs = _flat(curated["params"]), _flat(draft["params"])
    maps = sorted(name for name, param in mine.items() if "values" in param)
    for name in maps:
        under = [other for other in theirs if other.startswith(name + ".")]
        if under:
            found.append(f"param `{name}`: a keyed map in the curated spec; the docs list {len(under)} fields under it")
        for other in under:
            del theirs[other]
    for name in sorted(set(theirs) - set(mine)):
        found.append(f"param `{name}`: in the docs, not in the curated spec")
    for name in sorted(set(mine) - set(theirs)):
        found.append(f"param `{name}`: in the curated spec, not in the docs")
    for name in sorted(set(mine) & set(theirs)):
        a, b = mine[name], theirs[name]
        if bool(a.get("required")) != bool(b.get("required")):
            found.append(f"param `{name}`: required curated {bool(a.get('required'))}, docs {bool(b.get('required'))}")
        if a["type"] != b["type"]:
            found.append(f"param `{name}`: type curated `{a['type']}`, docs `{b['type']}`")
    codes = {(e["code"], e["status"]) for e in curated["errors"]}
    docs_codes = {(e["code"], e["status"]) for e in draft["errors"]}
    for code, status in sorted(docs_codes - codes):
        curated_statuses = sorted(s for c, s in codes if c == code)
        found.append(
            f"error `{code}`: docs status {status}, curated {curated_statuses}"
            if curated_statuses
            else f"error `{code}` ({status}): in the docs, not in the curated spec"
        )
    for code, status in sorted(codes - docs_codes):
        if not any(c == code for c, _ in docs_codes):
            found.append(f"error `{code}` ({status}): in the curated spec, not in the docs")
    for key in ("idempotent", "scope"):
        if curated.get(key) != draft.get(key):
            found.append(f"`{key}`: curated {curated.get(key)!r}, docs {draft.get(key)!r}")
    return found


def drift_report(summary: Summary, curated: dict[str, dict[str, Any]]) -> str:
    lines = [
        "# Drift between the docs and curated specs",
        "",
        "For each curated spec (spec/methods/), what the imported draft of the same method says",
        "differently: parameters, required flags, types, error codes and statuses. Curated specs",
        "win; a line here is a question for the curator, not an error.",
        "",
    ]
    for key in sorted(curated):
        draft = summary.chosen.get(key)
        lines.append(f"## `{key}`")
        lines.append("")
        if draft is None or draft.spec is None:
            lines += ["No docs page documents this method.", ""]
            continue
        found = drift_lines(curated[key], draft.spec)
        lines += [f"- {line}" for line in found] or ["No drift."]
        lines.append("")
    return "\n".join(lines)


def write_all(summary: Summary, folder: Path) -> None:
    writer.write_if_changed(folder / "coverage.md", coverage(summary))
    writer.write_if_changed(folder / "either-or-candidates.md", either_or_report(summary, summary.overridden))
    writer.write_if_changed(folder / "drift.md", drift_report(summary, summary.curated))


# The same figures at commit 95f9f25, before value lists, anchor-linked tables and docs `array`s
# with fields were read (python -m codegen.importer.shape_figures on that tree).
SHAPE_BEFORE = {
    "params with an enum": 31,
    "params with a bound": 1,
    "object params with listed fields": 593,
    "object params checked inside": 520,
    "object params with required fields": 289,
    "required nested fields": 612,
    "required nested fields enforced": 534,
}


def shape_section(summary: Summary) -> list[str]:
    """Enums, bounds and nested objects, measured over the drafts (curated specs where they exist)."""
    from ..typeexpr import TypeRegistry

    specs = {key: summary.curated.get(key) or result.spec for key, result in summary.chosen.items()}
    types = summary.types if summary.types is not None else {}
    after = shape_figures.measure({k: v for k, v in specs.items() if v is not None}, TypeRegistry(types))
    lines = [
        "",
        "## Shape of values: enums, bounds, nested objects",
        "",
        "Measured by codegen/importer/shape_figures.py with the runtime validator (a probe value per object",
        "parameter, built from the top of the call); `before` is the tree at commit 95f9f25. How value lists",
        "and sub-tables were read is in the import figures above (`value lists: ...`, `sub-tables ...`).",
        "",
        "| figure | before | now |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {SHAPE_BEFORE[name]} | {after.get(name, 0)} |" for name in SHAPE_BEFORE]
    return lines
