"""Attach parameter tables that sit under sub-headings to the parameter they describe.

A method's first parameter table lists its top-level parameters; later tables under
headings such as "Parameter fields {#fields}", "Object defaultReminders" or "Type
uf_enum_element" list the fields of one of them. The target is found by, in order: a row
linking to the heading's anchor (`[below](#fields)`), the anchor itself, a backticked
name in the heading, any heading word that names a parameter, any heading word that names
a parameter's type. Tables are attached until nothing more attaches, since a table may
describe a field that only an earlier-unattached table introduces. Tables under numbered
headings ("2. By the signed ID") are alternative parameter sets and join the top level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import params, yfm

_ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)")
_HEADING_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALTERNATIVE = re.compile(r"^\s*\d+[.)]\s")


@dataclass
class Outcome:
    tree: dict[str, Any]
    open_top: bool
    unattached: list[str] = field(default_factory=list)  # headings of tables that found no parameter
    alternatives: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (heading, names) of other sets


def _by_type(tree: dict[str, Any], word: str) -> dict[str, Any] | None:
    """The first parameter (breadth first) whose type is `word` or `word[]`."""
    queue = [tree]
    while queue:
        level = queue.pop(0)
        for param in level.values():
            if any(term.removesuffix("[]").lower() == word.lower() for term in param["type"].split("|")):
                return param  # type: ignore[no-any-return]
            for nested in (param.get("properties"), param.get("items", {}).get("properties")):
                if nested:
                    queue.append(nested)
    return None


def _target(heading: yfm.Heading, tree: dict[str, Any], anchors: dict[str, dict[str, Any]],
            recent: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The structured parameter the heading names; fields of recently attached tables first."""
    if heading.anchor and heading.anchor in anchors:
        return anchors[heading.anchor]
    names: list[str] = []
    if heading.anchor:
        names += [heading.anchor, heading.anchor.removeprefix("parameter-").removeprefix("param-")]
    names += re.findall(r"`([^`]+)`", heading.text)
    words = list(reversed(_HEADING_WORD.findall(yfm.plain(heading.text))))
    for scope in [*reversed(recent), tree]:
        for name in names + words:
            found = params.find_param(scope, name)
            if found is not None and params.is_structured(found["type"]):
                return found
    for word in words:
        found = _by_type(tree, word)
        if found is not None:
            return found
    return None


def _collect_anchors(table: yfm.Table, level: dict[str, Any], anchors: dict[str, dict[str, Any]]) -> None:
    """`[below](#fields)` anywhere in a row: the table under {#fields} describes that row's parameter."""
    for cells in table.rows[1:]:
        name_match = re.match(r"\s*\*\*(.+?)\*\*", cells[0], re.DOTALL)
        if not name_match:
            continue
        name = params.clean_name(name_match.group(1))[0]
        if name not in level:
            continue
        for anchor in _ANCHOR_LINK.findall(" ".join(cells)):
            anchors.setdefault(anchor, level[name])


def assemble(blocks: list[yfm.Block], stats: params.TableStats) -> Outcome:
    """Top-level parameters of a parameters section, with sub-tables attached where they belong."""
    heading: yfm.Heading | None = None
    tables: list[tuple[yfm.Heading | None, yfm.Table, dict[str, Any], bool]] = []
    for block in blocks:
        if isinstance(block, yfm.Heading):
            heading = block
        elif isinstance(block, yfm.Table) and params.is_param_table(block):
            tables.append((heading, block, *params.table_params(block, stats)))
    if not tables:
        return Outcome({}, False)
    _, first, tree, open_top = tables[0]
    outcome = Outcome(tree, open_top)
    anchors: dict[str, dict[str, Any]] = {}
    _collect_anchors(first, tree, anchors)
    pending = tables[1:]
    for index, (where, _, table, _) in enumerate(pending):
        numbered = where is not None and _ALTERNATIVE.match(yfm.plain(where.text))
        if where is not None and numbered and params.find_param(tree, next(iter(table), "")) is None:
            _merge_alternative(tree, table)
            outcome.alternatives.append((where.text, tuple(table)))
            pending[index] = (None, first, {}, False)  # consumed
    pending = [item for item in pending if item[2] or item[3]]
    recent: list[dict[str, Any]] = []
    progress = True
    while pending and progress:
        progress = False
        for item in list(pending):
            where, table_block, table, open_ = item
            target = _target(where, tree, anchors, recent) if where is not None else None
            if target is None:
                continue
            params.attach_fields(target, table, open_)
            recent.append(table)
            _collect_anchors(table_block, table, anchors)
            pending.remove(item)
            progress = True
    outcome.unattached = [where.text if where else "(no heading)" for where, _, _, _ in pending]
    return outcome


def _merge_alternative(tree: dict[str, Any], alternative: dict[str, Any]) -> None:
    """Add another way of calling the method: no parameter stays required across the sets."""
    for param in tree.values():
        param.pop("required", None)
    for name, param in alternative.items():
        param.pop("required", None)
        tree.setdefault(name, param)
