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

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from . import params, tabs, yfm

_ANCHOR_LINK = re.compile(r"\]\(#([^)\s]+)\)")
_HEADING_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ALTERNATIVE = re.compile(r"^\s*\d+[.)]\s")


# Parameters whose linked table lists field NAMES to return, not members of the parameter.
SELECT_PARAMS = frozenset({"select", "group", "groupby"})
FIELD_PARAMS = SELECT_PARAMS | {"filter", "order", "sort"}


@dataclass
class Outcome:
    tree: dict[str, Any]
    open_top: bool
    unattached: list[str] = field(default_factory=list)  # headings of tables that found no parameter
    alternatives: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (heading, names) of other sets
    field_name_tables: list[str] = field(default_factory=list)  # headings of tables of field names, not attached
    by_anchor: int = 0  # tables attached to the parameter whose description links their heading
    scalar_linked: list[str] = field(default_factory=list)  # headings linked only from scalar parameters
    tab_groups: list[str] = field(default_factory=list)  # headings whose per-variant tabs were joined
    shadowed: list[str] = field(default_factory=list)  # linked sections whose member table sits under a named sub-heading


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


def _target(
    heading: yfm.Heading, tree: dict[str, Any], anchors: dict[str, dict[str, Any]], recent: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The structured parameter the heading names; fields of recently attached tables first."""
    if heading.anchor and heading.anchor in anchors:
        return anchors[heading.anchor]
    names: list[str] = []
    if heading.anchor:
        names += [heading.anchor, heading.anchor.removeprefix("parameter-").removeprefix("param-")]
    names += re.findall(r"`([^`]+)`", heading.text)
    words = list(reversed(_HEADING_WORD.findall(yfm.plain(heading.text))))
    found = _named(names + words, [*reversed(recent), tree])
    if found is not None:
        return found
    for word in words:
        found = _by_type(tree, word)
        if found is not None:
            return found
    return None


def _named(names: list[str], scopes: list[dict[str, Any]]) -> dict[str, Any] | None:
    for scope in scopes:
        for name in names:
            found = params.find_param(scope, name)
            if found is not None and params.is_structured(found["type"]):
                return found
    return None


def _shadowed(
    item: tuple[yfm.Heading | None, yfm.Table, dict[str, Any], bool],
    pending: list[tuple[yfm.Heading | None, yfm.Table, dict[str, Any], bool]],
    tree: dict[str, Any],
    target: dict[str, Any],
) -> bool:
    """A section a parameter links to may hold tables of something else, with the parameter's
    own table under an unanchored sub-heading of it that names the parameter outright:
    sale.paysystem.handler.add links CHECKOUT_DATA to "Checkout Operating Mode {#checkout}",
    whose first tables are what the portal posts to ACTION_URI and what it expects back, and
    whose "... in the CHECKOUT_DATA Array" sub-heading holds the members. The sub-heading wins;
    the section's own tables are left out."""
    section = item[0]
    assert section is not None
    for later, _, _, _ in pending[pending.index(item) + 1 :]:
        if later is None or later is section:
            continue
        if later.level <= section.level:
            return False
        words = re.findall(r"`([^`]+)`", later.text) + _HEADING_WORD.findall(yfm.plain(later.text))
        if later.anchor is None and any(params.find_param(tree, word) is target for word in words):
            return True
    return False


def _collect_anchors(
    table: yfm.Table,
    level: dict[str, Any],
    anchors: dict[str, dict[str, Any]],
    linkers: dict[str, list[tuple[str, dict[str, Any]]]] | None = None,
) -> None:
    """`[below](#fields)` anywhere in a row: the table under {#fields} describes that row's parameter.

    `linkers` collects every parameter name that links each anchor: a table linked from
    select, filter and order alike lists field names, not the members of one of them.
    """
    for cells in table.rows[1:]:
        name_match = re.match(r"\s*\*\*(.+?)\*\*", cells[0], re.DOTALL)
        if not name_match:
            continue
        name = params.clean_name(name_match.group(1))[0]
        if name not in level:
            continue
        for anchor in _ANCHOR_LINK.findall(" ".join(cells)):
            if linkers is not None and all(param is not level[name] for _, param in linkers.get(anchor, [])):
                linkers.setdefault(anchor, []).append((name, level[name]))
            if params.is_structured(level[name]["type"]):
                anchors.setdefault(anchor, level[name])


def lists_field_names(linkers: list[str]) -> bool:
    """Linked from a select, or only from select/filter/order alike: a table of field names, not members."""
    lowered = [name.lower() for name in linkers]
    return any(name in SELECT_PARAMS for name in lowered) or (len(lowered) > 1 and set(lowered) <= FIELD_PARAMS)


def _tabbed_tables(blocks: list[yfm.Block]) -> list[tuple[yfm.Heading | None, yfm.Table, str]]:
    """Parameter tables with their heading and the `{% list tabs %}` item they sit in ("" outside tabs)."""
    heading: yfm.Heading | None = None
    found = []
    tab, in_tabs = "", False
    for block in blocks:
        if isinstance(block, yfm.Heading):
            heading = block
        elif isinstance(block, yfm.Directive) and block.name in ("list", "endlist"):
            in_tabs, tab = block.name == "list" and "tabs" in block.args, ""
        elif in_tabs and isinstance(block, yfm.Text) and block.text.startswith("- "):
            tab = block.text[2:].strip()
        elif isinstance(block, yfm.Table) and params.is_param_table(block):
            found.append((heading, block, tab))
    return found


def assemble(blocks: list[yfm.Block], stats: params.TableStats) -> Outcome:
    """Top-level parameters of a parameters section, with sub-tables attached where they belong."""
    tables: list[tuple[yfm.Heading | None, yfm.Table, dict[str, Any], bool]] = []
    tab_groups: list[str] = []
    tab_of: dict[int, str] = {}  # id of a table block → its tab label
    tab_tables: dict[int, list[dict[str, Any]]] = {}  # id of a group's first table → every tab's fields
    for heading, block, tab in _tabbed_tables(blocks):
        table, open_ = params.table_params(block, stats)
        previous = tables[-1] if tables else None
        if tab and previous is not None and previous[0] is heading and len(tables) > 1 and tab_of.get(id(previous[1])):
            tab_tables.setdefault(id(previous[1]), [previous[2]]).append(table)
            continue
        tab_of[id(block)] = tab
        tables.append((heading, block, table, open_))
    for index, (where, block, _, _) in enumerate(tables):
        if id(block) in tab_tables:
            tables[index] = (where, block, tabs.join(tab_tables[id(block)]), True)
            tab_groups.append(where.text if where else "(no heading)")
    if not tables:
        return Outcome({}, False)
    _, first, tree, open_top = tables[0]
    outcome = Outcome(tree, open_top, tab_groups=tab_groups)
    anchors: dict[str, dict[str, Any]] = {}
    linkers: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    _collect_anchors(first, tree, anchors, linkers)
    pending = tables[1:]
    _drop_unowned(pending, linkers, anchors, outcome)
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
            if where is not None and where.anchor in anchors:
                if _shadowed(item, pending, tree, target):
                    outcome.shadowed.append(where.text)
                    pending.remove(item)
                    progress = True
                    break
                outcome.by_anchor += 1
            params.attach_fields(target, table, open_)
            for _, other in linkers.get(where.anchor or "", []) if where is not None else []:
                if other is not target and params.is_structured(other["type"]):
                    params.attach_fields(other, copy.deepcopy(table), open_)  # another parameter of the same shape
            recent.append(table)
            _collect_anchors(table_block, table, anchors, linkers)
            pending.remove(item)
            _drop_unowned(pending, linkers, anchors, outcome)
            progress = True
            break
    outcome.unattached = [where.text if where else "(no heading)" for where, _, _, _ in pending]
    return outcome


def _drop_unowned(
    pending: list[tuple[yfm.Heading | None, yfm.Table, dict[str, Any], bool]],
    linkers: dict[str, list[tuple[str, dict[str, Any]]]],
    anchors: dict[str, dict[str, Any]],
    outcome: Outcome,
) -> None:
    """Take out tables whose anchor links say they are no parameter's members."""
    for item in list(pending):
        where = item[0]
        if where is None or where.anchor not in linkers:
            continue
        if lists_field_names([name for name, _ in linkers[where.anchor]]):
            outcome.field_name_tables.append(where.text)
            pending.remove(item)
        elif where.anchor not in anchors:  # linked from a string (HANDLER's URL): what it receives, not members
            outcome.scalar_linked.append(where.text)
            pending.remove(item)


def _merge_alternative(tree: dict[str, Any], alternative: dict[str, Any]) -> None:
    """Add another way of calling the method: no parameter stays required across the sets."""
    for param in tree.values():
        param.pop("required", None)
    for name, param in alternative.items():
        param.pop("required", None)
        tree.setdefault(name, param)
