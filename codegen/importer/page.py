"""Turn one parsed method page into a draft spec dict (plus what the reports need).

Sections are found by their H2 headings (Method Parameters, Response Handling, Error
Handling, …); each part of the spec is read by its own module (facts, params/subtables,
errors_table, examples, schema_infer). Only facts go in: names, types, required flags,
codes, statuses, example payloads. Prose never does: there is no `summary`, and `docs`
links the page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..load import merge_override
from ..naming import is_identifier, python_name, snake
from . import (
    conditions,
    curation,
    either_or,
    errors_table,
    example_fit,
    examples,
    facts,
    params,
    schema_infer,
    shapes,
    subtables,
    yfm,
)
from .identify import Identity
from .registry import ImportRegistry
from .validate_example import declared_type, request_problems

_PARAMS_H2 = re.compile(r"^(?:method |request |command |call )?parameters$|^method parameters\b", re.IGNORECASE)
_RESPONSE_H2 = re.compile(r"response|returned data|result", re.IGNORECASE)
_ERRORS_H2 = re.compile(r"error", re.IGNORECASE)
_AFTER_PARAMS = re.compile(r"example|response|returned|result|error|continue|see also|how to", re.IGNORECASE)
_AFTER_RESPONSE = re.compile(r"error|continue|see also|example", re.IGNORECASE)
_AFTER_ERRORS = re.compile(r"continue|see also|example|response", re.IGNORECASE)


@dataclass
class PageResult:
    """The draft spec of one method page and the facts the reports count."""

    docs: str
    identity: Identity
    spec: dict[str, Any] | None = None
    types: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)  # anomalies, one line each
    rejected_types: Counter[str] = field(default_factory=Counter)  # declared types the example values break
    requests: int = 0  # distinct cURL request bodies on the page that parsed
    refused_requests: list[tuple[str, str]] = field(default_factory=list)  # (kind, reason) of each one refused
    candidates: list[either_or.Candidate] = field(default_factory=list)


def _sections(blocks: list[yfm.Block]) -> list[tuple[str, list[yfm.Block]]]:
    """(H2 text, the H2 and the blocks under it); the blocks before the first H2 come under ""."""
    result: list[tuple[str, list[yfm.Block]]] = [("", [])]
    for block in blocks:
        if isinstance(block, yfm.Heading) and block.level == 2:
            result.append((yfm.plain(block.text), [block]))
        else:
            result[-1][1].append(block)
    return result


def _region(sections: list[tuple[str, list[yfm.Block]]], start: re.Pattern[str], stop: re.Pattern[str]) -> list[yfm.Block]:
    """The first section whose title matches `start`, and the sections after it up to `stop`.

    Parameter sub-tables sometimes sit under their own H2 ("## Parameter fields {#fields}").
    """
    blocks: list[yfm.Block] = []
    for title, section in sections:
        if blocks and stop.search(title):
            break
        if blocks or (title and start.search(title)):
            blocks.extend(section)
    return blocks or _subsection([b for _, section in sections for b in section], start)


def _subsection(blocks: list[yfm.Block], start: re.Pattern[str]) -> list[yfm.Block]:
    """Fallback: the first deeper heading matching `start` ("### Response Handling") and its blocks."""
    found: list[yfm.Block] = []
    level = 0
    for block in blocks:
        if isinstance(block, yfm.Heading):
            if found and block.level <= level:
                break
            if not found and block.level >= 3 and start.search(yfm.plain(block.text)):
                level = block.level
        if level:
            found.append(block)
    return found


# --- parameters ------------------------------------------------------------------------


def read_params(blocks: list[yfm.Block], result: PageResult) -> tuple[dict[str, Any], bool]:
    """Top-level parameters (sub-tables attached) and whether placeholders make them open."""
    stats = params.TableStats()
    outcome = subtables.assemble(blocks, stats)
    params.mark_open_maps(outcome.tree)
    result.counts["untyped params"] += stats.untyped
    result.counts["unattached sub-tables"] += len(outcome.unattached)
    for what, count in stats.value_lists.items():
        result.counts[f"value lists: {what}"] += count
    for heading in outcome.unattached:
        result.findings.append(f"a parameter table under '{heading}' names no parameter")
    shapes.count_subtables(outcome, result.counts, result.findings)
    for heading, names in outcome.alternatives:
        result.findings.append(f"parameters under '{heading}' are another way to call it: merged, none required")
        result.candidates.append(either_or.Candidate(result.identity.method or "", result.docs, names, curation.ALTERNATIVE_SET))
    for names in stats.aliases:
        result.candidates.append(
            either_or.Candidate(result.identity.method or "", result.docs, names, "one table row names several parameters")
        )
    if stats.skipped_names:
        result.findings.append(f"parameter names with spaces skipped: {', '.join(sorted(set(stats.skipped_names)))}")
    return outcome.tree, outcome.open_top


def repair_params(tree: dict[str, Any], result: PageResult) -> None:
    """Drop top-level names the generator cannot turn into distinct keyword arguments."""
    owners: dict[str, str] = {}
    for name in list(tree):
        kwarg = python_name(name)
        if not is_identifier(kwarg) or kwarg in owners or len(name) > 100:
            result.findings.append(f"parameter {name!r} dropped: keyword argument {kwarg!r} unusable or taken")
            result.counts["dropped params"] += 1
            del tree[name]
            continue
        owners[kwarg] = name


# --- result, pagination, examples ---------------------------------------------------------


def declared_result(blocks: list[yfm.Block], resolve: Any) -> dict[str, Any] | None:
    """Schema from the `result` row of the "Returned data" table, when there is one."""
    stats = params.TableStats()
    for block in blocks:
        if isinstance(block, yfm.Table) and params.is_param_table(block):
            for row in params.read_rows(block, stats):
                if row.name == "result":
                    schema = schema_infer.from_type(row.type, resolve)
                    return schema or None
    return None


def pagination(tree: dict[str, Any], body: dict[str, Any] | None, is_v3: bool) -> dict[str, Any]:
    """offset when the method takes `start` or its example answer has next/total; limit when
    it takes OFFSET and LIMIT instead; v3 pages."""
    lowered = {name.lower(): name for name in tree}
    if is_v3:
        return {"style": "page"} if "pagination" in lowered else {"style": "none"}
    if "offset" in lowered and "limit" in lowered and "start" not in lowered:
        return {"style": "limit", "offset_param": lowered["offset"], "limit_param": lowered["limit"]}
    if "start" not in lowered and not (isinstance(body, dict) and {"next", "total"} & set(body)):
        return {"style": "none"}
    found: dict[str, Any] = {"style": "offset"}
    for key, names in (("order_param", ("order", "sort")), ("filter_param", ("filter",)), ("select_param", ("select",))):
        for name in names:
            if name in lowered:
                found[key] = lowered[name]
                break
    return found


def _items_and_id(result_value: Any) -> dict[str, str]:
    """Where the records sit and which field orders them, when the example makes it plain."""
    records, path = None, None
    if isinstance(result_value, list):
        records, path = result_value, ""
    elif isinstance(result_value, dict):
        lists = [key for key, value in result_value.items() if isinstance(value, list)]
        if len(lists) > 1 and "items" in lists:  # records beside lists of other things
            lists = ["items"]
        if len(lists) == 1:
            records, path = result_value[lists[0]], lists[0]
    if records is None or path is None:
        return {}
    found = {"items": path}
    if records and all(isinstance(record, dict) for record in records):
        for candidate in ("ID", "id"):
            if all(candidate in record for record in records):
                found["id_field"] = candidate
                break
    return found


@dataclass(frozen=True)
class _Regions:
    """The parts of a method page each piece of the spec is read from."""

    head: list[yfm.Block]  # before the first H2: title, scope and access lines
    params: list[yfm.Block]
    response: list[yfm.Block]
    errors: list[yfm.Block]


def _regions(blocks: list[yfm.Block]) -> _Regions:
    sections = _sections(blocks)
    return _Regions(
        head=sections[0][1],
        params=_region(sections, _PARAMS_H2, _AFTER_PARAMS),
        response=_region(sections, _RESPONSE_H2, _AFTER_RESPONSE),
        errors=_region(sections, _ERRORS_H2, _AFTER_ERRORS),
    )


def _param_tree(
    identity: Identity, blocks: list[yfm.Block], param_blocks: list[yfm.Block], result: PageResult, shape_notes: list[str]
) -> tuple[dict[str, Any], bool, list[dict[str, Any]]]:
    """The parameter tables as a tree, whether the top level is open, and the conditional
    requirements the prose around them states; case clashes are settled against the page's
    own request first, as the portal reads names case-sensitively only on v2."""
    assert identity.method is not None
    tree, open_top = read_params(param_blocks, result)
    page_request, _ = examples.webhook_request(blocks, identity.method)
    if identity.api_version != 3:
        shapes.settle_case_clashes(tree, page_request, shape_notes)
    repair_params(tree, result)
    conditional = conditions.derive(param_blocks, tree)
    constraints = conditions.attach(tree, conditional)
    result.findings += conditional.findings
    result.counts["conditional requirements read"] += sum(len(r) for r in conditional.constraints.values())
    return tree, open_top, constraints


def _success_example(response_blocks: list[yfm.Block]) -> tuple[dict[str, Any] | None, int]:
    """The first answer with a `result` and its status (200 when the page gives none)."""
    success = [(body, codes) for body, codes in examples.json_blocks(response_blocks) if "result" in body]
    return (success[0][0], (success[0][1] or [200])[0]) if success else (None, 200)


def _fit_to_examples(
    fitting: dict[str, Any],
    bodies: list[dict[str, Any]],
    code_texts: list[str],
    registry: ImportRegistry,
    result: PageResult,
    shape_notes: list[str],
) -> None:
    """Loosen the tree the tables gave until the page's own requests pass: the examples are
    what the portal accepts, so where they and the tables disagree the tables give way."""
    tree = fitting["params"]
    fit_notes: list[str] = []
    for body in bodies:
        example_fit.fit(fitting, body, registry, fit_notes, result.counts)
    before = len(shape_notes)
    for body in bodies:
        shapes.reconcile(tree, body, "", shape_notes)
    result.counts["nested rules relaxed to fit the page's example request"] += len(shape_notes) - before
    shape_notes += fit_notes
    result.counts["enums or bounds dropped: a code example breaks them"] += shapes.drop_contradicted(
        tree, code_texts, shape_notes
    )


def _spec_head(
    identity: Identity, docs: str, blocks: list[yfm.Block], scope_and_access: tuple[list[str], str | None], result: PageResult
) -> dict[str, Any]:
    """The spec's first keys, in the order the format lists them: what the method is, where it is
    documented, what it needs and whether it may be retried."""
    assert identity.method is not None
    scopes, access = scope_and_access
    spec: dict[str, Any] = {"method": identity.method}
    if identity.api_version == 3:
        spec["api_version"] = 3
    spec["title"] = identity.title
    spec["docs"] = docs
    spec["scope"] = _scope(identity, scopes, result)
    if access:
        spec["access"] = access
    deprecated = facts.deprecation(docs, blocks)
    if deprecated:
        spec["deprecated"] = deprecated
    spec["idempotent"] = facts.idempotent(identity.method)
    return spec


def _scope(identity: Identity, scopes: list[str], result: PageResult) -> str | list[str]:
    """The page's scope line, or the method's first segment when the page has none (noted)."""
    assert identity.method is not None
    if scopes:
        return scopes[0] if len(scopes) == 1 else scopes
    result.findings.append("no scope line; the method's first segment is used")
    result.counts["scope guessed"] += 1
    return identity.method.split(".")[0]


def _paging(tree: dict[str, Any], example_body: dict[str, Any] | None, is_v3: bool) -> dict[str, Any]:
    """The pagination block, with the item list (and, for offset paging, the id) the example shows."""
    paging = pagination(tree, example_body, is_v3)
    if paging["style"] in ("offset", "limit"):
        example_result = example_body["result"] if example_body else None
        paging.update(
            {key: value for key, value in _items_and_id(example_result).items() if paging["style"] == "offset" or key == "items"}
        )
    return paging


def _with_override(spec: dict[str, Any], override: dict[str, Any] | None, result: PageResult) -> dict[str, Any]:
    """The spec the examples are checked with: the draft as its curated patch changes it, unless
    the patch adds a parameter the docs do not list (it would have no type to check against)."""
    effective = merge_override(spec, override) if override else spec
    if any("type" not in param for param in effective["params"].values()):
        result.findings.append("the override patches a parameter the docs do not list; examples checked without it")
        return spec
    return effective


def _notes(identity: Identity, shape_notes: list[str], result: PageResult, error_blocks: list[yfm.Block]) -> list[dict[str, str]]:
    """The choices the importer made for this page, so a reviewer sees them in the draft."""
    notes = [{"topic": "Method name", "choice": note} for note in identity.notes]
    notes += [{"topic": "Shape of values", "choice": note} for note in shape_notes]
    if "scope guessed" in result.counts:
        notes.append({"topic": "Scope", "choice": "The page names no scope; the method's first segment is used."})
    notes += [{"topic": "Error codes", "choice": note} for note in errors_table.notes(error_blocks)]
    return notes


def build(
    identity: Identity, docs: str, blocks: list[yfm.Block], registry: ImportRegistry, override: dict[str, Any] | None = None
) -> PageResult:
    """The draft spec for a page `identify` called a method page (`override`: its curated patch)."""
    assert identity.method is not None
    result = PageResult(docs, identity)
    regions = _regions(blocks)
    is_v3 = identity.api_version == 3

    shape_notes: list[str] = []
    tree, open_top, constraints = _param_tree(identity, blocks, regions.params, result, shape_notes)
    example_body, example_status = _success_example(regions.response)
    bodies = shapes.request_bodies(blocks, identity.method)
    fitting = {
        "method": identity.method,
        "api_version": identity.api_version,
        "params": tree,
        "constraints": constraints,
        "pagination": pagination(tree, example_body, is_v3),
    }
    answers = {id(block) for block in regions.response + regions.errors}
    code_texts = [block.text for block in blocks if isinstance(block, yfm.Code) and id(block) not in answers]
    _fit_to_examples(fitting, bodies, code_texts, registry, result, shape_notes)
    result.candidates += either_or.find(identity.method, docs, regions.head + regions.params, tree)

    declared = declared_result(regions.response, registry.kind_or_none)
    schema, source = schema_infer.choose(declared, example_body["result"] if example_body else None, example_body is not None)
    result.counts[f"result schema: {source}"] += 1
    raw_errors, listed = errors_table.read_section(regions.errors)

    spec = _spec_head(identity, docs, blocks, facts.scope_and_access(regions.head), result)
    if open_top:
        spec["open_params"] = True
    spec["params"] = tree
    if constraints:
        spec["constraints"] = constraints
    spec["pagination"] = _paging(tree, example_body, is_v3)
    spec["result"] = {"schema": schema}
    spec["errors"] = errors_table.normalise(raw_errors, listed)
    effective = _with_override(spec, override, result)
    spec_examples = _examples(identity, blocks, bodies, regions.errors, example_body, example_status, effective, registry, result)
    if spec_examples:
        spec["examples"] = spec_examples
    notes = _notes(identity, shape_notes, result, regions.errors)
    if notes:
        spec["notes"] = notes
    result.spec = spec
    result.types = params.type_names(tree)
    return result


def _refusal(tree: dict[str, Any], request: dict[str, Any], problems: list[Any]) -> tuple[str, str]:
    """Why a page's request stays out of the spec: a placeholder value, or the page contradicting itself."""
    for problem in problems:
        spot = example_fit.locate(tree, request, problem.path) if problem.path else None
        if spot is not None and example_fit.is_placeholder(spot.value):
            return "placeholder value", f"`{problem.path}` is {spot.value!r}, a value the reader fills in"
    return "the example contradicts its page", str(problems[0])


def _check_other_requests(
    bodies: list[dict[str, Any]], kept: dict[str, Any] | None, spec: dict[str, Any], registry: ImportRegistry, result: PageResult
) -> None:
    """The page's other request bodies (second examples, OAuth tabs that differ) must validate too."""
    seen = [kept]
    for body in bodies:
        if body in seen:
            continue
        seen.append(body)
        result.requests += 1
        problems = request_problems(spec, body, registry, strict=True)
        if problems:
            result.refused_requests.append(_refusal(spec["params"], body, problems))
            result.counts[f"other request example refused: {result.refused_requests[-1][0]}"] += 1


def _examples(
    identity: Identity,
    blocks: list[yfm.Block],
    bodies: list[dict[str, Any]],
    error_blocks: list[yfm.Block],
    body: dict[str, Any] | None,
    status: int,
    spec: dict[str, Any],
    registry: ImportRegistry,
    result: PageResult,
) -> list[dict[str, Any]]:
    assert identity.method is not None
    found: list[dict[str, Any]] = []
    request, has_curl = examples.webhook_request(blocks, identity.method)
    if has_curl and request is None:
        result.counts["curl body unparsed"] += 1
    _check_other_requests(bodies, request, spec, registry, result)
    if request is not None:
        result.requests += 1
        problems = request_problems(spec, request, registry, strict=True)
        if problems:
            result.refused_requests.insert(0, _refusal(spec["params"], request, problems))
            result.counts[f"example request kept out: {result.refused_requests[0][0]}"] += 1
            for problem in problems:
                declared = declared_type(spec, problem.path) if problem.rule == "type" else None
                if declared:
                    result.rejected_types[declared] += 1
            request = None
    if body is not None:
        example: dict[str, Any] = {"name": "success"}
        if request is not None:
            example["request"] = request
        example["response"] = {"status": status if 200 <= status < 300 else 200, "body": body}
        found.append(example)
    names = {"success"}
    for error_body, codes in examples.json_blocks(error_blocks):
        if "error" not in error_body:
            continue
        code = error_body["error"]
        code = code.get("code") if isinstance(code, dict) else code
        name = snake(str(code)) or "empty"
        name = name if name.startswith("error") else "error_" + name
        base, counter = name, 2
        while name in names:
            name, counter = f"{base}_{counter}", counter + 1
        names.add(name)
        error_status = next((c for c in codes if c >= 400), codes[0] if codes else 400)
        found.append({"name": name, "response": {"status": error_status, "body": error_body}})
    return found
