"""Read the conditional requirements a parameter row states about its own parameter.

Parameter tables mark a name required with a star, but many rows then qualify it: the
chat id is needed only when no dialog id is given, a handler URL only in webhook mode.
Read as plain "required", such a row makes the validator refuse the docs' own examples.
Only a few phrasings are precise enough to turn into constraints, and only when every
name involved belongs to one object, where the rule then lives:

* "required if `B` is not provided" (also "if both `B` and `C` are not ...") on row A →
  A is not required on its own; `at_least_one_of: [A, B, (C)]`;
* "required if `B` is specified" → `required_if: [A] when B present`;
* "required when `B = 'v'`" / "`B=v`" → `required_if: [A] when B equals v`.

Anything else that sounds conditional stays for curation (either_or.py lists it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from . import params, yfm

_NAME = r"`([A-Za-z_][A-Za-z0-9_]*)`"
_SUBJECT = r"(?:^|[.!]\s+)(?:(?:this|the) (?:parameter|field) (?:is )?|it is )?required"
_ABSENT = re.compile(
    _SUBJECT + r" if (?:both )?(?:the )?" + _NAME + r"(?: (?:parameter|field))?"
    r"(?: (?:and|or) (?:the )?" + _NAME + r"(?: (?:parameter|field))?)?"
    r" (?:is|are) not (?:provided|specified|passed|given|set)\b",
    re.IGNORECASE,
)
_PRESENT = re.compile(
    _SUBJECT + r" (?:if|when) (?:the )?" + _NAME + r"(?: (?:parameter|field))?"
    r" is (?:provided|specified|passed|given|set)(?! and)\b",
    re.IGNORECASE,
)
_EQUALS = re.compile(_SUBJECT + r" (?:if|when) `([A-Za-z_][A-Za-z0-9_]*)\s*=\s*'?([A-Za-z0-9_]+)'?`", re.IGNORECASE)


@dataclass
class Conditions:
    """Constraints found, per object: () for the top level, else the path of the object."""

    constraints: dict[tuple[str, ...], list[dict[str, Any]]] = field(default_factory=dict)
    relaxed: list[str] = field(default_factory=list)  # parameters no longer required on their own
    findings: list[str] = field(default_factory=list)

    def add(self, where: tuple[str, ...], rule: dict[str, Any]) -> None:
        rules = self.constraints.setdefault(where, [])
        same = next(
            (r for r in rules if r["rule"] == "at_least_one_of" == rule["rule"] and set(r["params"]) & set(rule["params"])), None
        )
        if same is not None:  # "A if not B" and "B if not A" state one rule
            same["params"] = list(dict.fromkeys([*same["params"], *rule["params"]]))
        elif rule not in rules:
            rules.append(rule)


def _sentence_rules(name: str, text: str, siblings: set[str]) -> list[dict[str, Any]]:
    """Constraints the description of row `name` states, naming only known siblings."""
    plain = " ".join(text.replace("\\_", "_").split())
    rules: list[dict[str, Any]] = []
    for found in _ABSENT.finditer(plain):
        others = [n for n in found.groups() if n]
        if others and all(n in siblings and n != name for n in others):
            rules.append({"rule": "at_least_one_of", "params": [name, *others]})
    for found in _PRESENT.finditer(plain):
        if found.group(1) in siblings and found.group(1) != name:
            rules.append({"rule": "required_if", "params": [name], "when": {"param": found.group(1), "present": True}})
    for found in _EQUALS.finditer(plain):
        if found.group(1) in siblings and found.group(1) != name:
            rules.append({"rule": "required_if", "params": [name], "when": {"param": found.group(1), "equals": found.group(2)}})
    return rules


def _names(tree: dict[str, Any]) -> set[str]:
    names = set(tree)
    for param in tree.values():
        for nested in (param.get("properties"), param.get("items", {}).get("properties")):
            if nested:
                names |= _names(nested)
    return names


def _object_at(tree: dict[str, Any], names: set[str]) -> tuple[tuple[str, ...], dict[str, Any]] | None:
    """(path, properties) of the object whose properties hold every one of `names`."""
    queue: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), tree)]
    while queue:
        path, properties = queue.pop(0)
        if names <= set(properties):
            return path, properties
        for key, param in properties.items():
            for nested in (param.get("properties"), param.get("items", {}).get("properties")):
                if nested:
                    queue.append(((*path, key), nested))
    return None


def derive(blocks: list[yfm.Block], tree: dict[str, Any]) -> Conditions:
    """Conditional requirements of every parameter table in `blocks`, applied to `tree`.

    A parameter that is required only in the absence of another loses `required` (the
    constraint says it instead); the caller stores the constraints.
    """
    found = Conditions()
    stats = params.TableStats()
    known = _names(tree)
    for block in blocks:
        if not (isinstance(block, yfm.Table) and params.is_param_table(block)):
            continue
        for row in params.read_rows(block, stats):
            if row.placeholder or row.name not in known:
                continue
            for rule in _sentence_rules(row.name, row.cell, known):
                located = _object_at(tree, set(rule["params"]) | ({rule["when"]["param"]} if "when" in rule else set()))
                if located is None:
                    found.findings.append(f"conditional requirement on {row.name!r} names parameters of another object")
                    continue
                where, properties = located
                if rule["rule"] == "at_least_one_of":
                    for name in rule["params"]:
                        if properties[name].pop("required", None):
                            found.relaxed.append(".".join((*where, name)))
                elif rule["rule"] == "required_if":
                    properties[row.name].pop("required", None)
                found.add(where, rule)
    return found


def attach(spec_params: dict[str, Any], conditions: Conditions) -> list[dict[str, Any]]:
    """Put nested constraints on their objects; return the top-level ones."""
    for where, rules in conditions.constraints.items():
        if not where:
            continue
        target: dict[str, Any] = {"properties": spec_params}
        for part in where:
            nested = target["properties"][part]
            target = nested if "properties" in nested else nested["items"]
        existing = target.setdefault("constraints", [])
        existing.extend(rule for rule in rules if rule not in existing)
    return list(conditions.constraints.get((), []))
