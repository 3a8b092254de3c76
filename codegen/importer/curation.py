"""Where each either-or candidate stands: encoded in a spec, dismissed with a reason, or open.

The importer finds sentences that may state a rule between parameters (either_or.py) and
reads the few precise phrasings itself (conditions.py); the rest is people's work. A
candidate is settled when the effective spec (curated, or draft plus override) carries a
constraint naming its parameters, or when spec/either-or-decisions.yaml dismisses it with
a reason of our own. The report lists every candidate with that status, so the worklist
shows what is left.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..load import read_yaml

DECISIONS_FILE = "either-or-decisions.yaml"


def read_decisions(spec_root: Path) -> dict[tuple[str, frozenset[str]], str]:
    """(method, parameters) → the reason a candidate is not a rule."""
    path = spec_root / DECISIONS_FILE
    if not path.exists():
        return {}
    return {(entry["method"], frozenset(entry["params"])): entry["reason"] for entry in read_yaml(path)["dismissed"]}


def _constraints(params: dict[str, Any], top: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield from top
    for param in params.values():
        for holder in (param, param.get("items") or {}, param.get("values") or {}):
            if holder.get("constraints"):
                yield from holder["constraints"]
            if holder.get("properties"):
                yield from _constraints(holder["properties"], [])


ALTERNATIVE_SET = "an alternative parameter set under its own heading"


def encoded(spec: dict[str, Any], names: tuple[str, ...], cue: str = "") -> bool:
    """A constraint of the spec names two of `names` (or the only one), in any case.

    One of several alternative parameter sets is settled by a rule naming any of its
    names (the others are then plain parameters of that way of calling).
    """
    wanted = {name.lower() for name in names}
    need = 1 if cue == ALTERNATIVE_SET else min(2, len(wanted))
    for rule in _constraints(spec.get("params", {}), spec.get("constraints", [])):
        named = {name.lower() for name in rule["params"]}
        if "when" in rule:
            named.add(rule["when"]["param"].lower())
        if len(named & wanted) >= need:
            return True
    return False


def status(
    method: str, names: tuple[str, ...], cue: str, spec: dict[str, Any] | None, decisions: dict[tuple[str, frozenset[str]], str]
) -> str:
    reason = decisions.get((method, frozenset(names)))
    if reason is not None:
        return f"dismissed: {reason}"
    if spec is not None and encoded(spec, names, cue):
        return "encoded"
    return "open"
