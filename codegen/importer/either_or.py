"""Find sentences that may state an either-or rule between parameters, for curation.

Rules such as "pass ID or CODE" are written as prose, in many phrasings; reading them
into constraints would be guessing. This module only collects candidates — the cue phrase
that matched ("at least one of", "either", "takes precedence") and the parameters named —
for reports/either-or-candidates.md, which links the page: the docs' sentence itself is
read there, never copied into our files. People encode the real rules as overrides
(spec/overrides/<method>.yaml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import yfm

PATTERNS = re.compile(
    r"at least one of|\beither\b|one of (?:the |these |three |two )?(?:following )?parameters"
    r"|takes? precedence|has priority|mutually exclusive|cannot be (?:used|passed|specified) (?:together|simultaneously)"
    r"|only one of|\bif both\b|is required (?:if|when|only)|required only (?:if|when|for)|\brequired (?:if|when|unless)\b"
    r"|\binstead of\b|must (?:be )?(?:specify|specified|provide|provided|pass|passed)[^.]{0,40}\bor\b"
    r"|\bpass one of\b|\bprovide one of\b|\bspecify one of\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"`([A-Za-z_][A-Za-z0-9_.]*)`")
_ROW_NAME = re.compile(r"\s*\*\*([A-Za-z_][A-Za-z0-9_.]*)")
# "`A` or `B`" in a sentence that also speaks of requiring or passing something.
_NAMED_OR = re.compile(r"`[A-Za-z_][A-Za-z0-9_.]*`,?\s+or\s+`[A-Za-z_][A-Za-z0-9_.]*`")
_DEMAND = re.compile(r"\b(?:required|mandatory|must|need(?:ed|s)?|specify|specified|pass|passed|provide|provided)\b", re.I)


@dataclass(frozen=True)
class Candidate:
    method: str
    docs: str
    params: tuple[str, ...]
    cue: str  # the matched keyword phrase, or what the importer saw; never a docs sentence


def _all_names(tree: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for name, param in tree.items():
        names.add(name)
        for nested in (param.get("properties"), param.get("items", {}).get("properties")):
            if nested:
                names |= _all_names(nested)
    return names


def _texts(blocks: list[yfm.Block]) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, yfm.Text):
            texts.append(block.text)
        elif isinstance(block, yfm.Table):
            for cells in block.rows[1:]:
                # A row's sentences speak of its own parameter ("required if `B` is not
                # given"), so the row's name counts as named in each of them.
                own = _ROW_NAME.match(cells[0])
                prefix = f"`{own.group(1)}` " if own else ""
                texts.extend(prefix + line.strip() for line in cells[-1].split("\n") if line.strip())
    return texts


def find(method: str, docs: str, blocks: list[yfm.Block], tree: dict[str, Any]) -> list[Candidate]:
    """Candidate sentences naming at least two of the method's parameters (or any, for 'either')."""
    known = _all_names(tree)
    found: list[Candidate] = []
    seen: set[str] = set()
    for text in _texts(blocks):
        match = PATTERNS.search(text)
        if not match and _DEMAND.search(text):
            match = _NAMED_OR.search(text)
        if not match:
            continue
        named = tuple(dict.fromkeys(n for n in _NAME.findall(text) if n in known))
        if len(named) < 2:
            continue
        phrase = match.group(0)
        cue = "two names joined by 'or' next to a demand" if phrase.startswith("`") else " ".join(phrase.lower().split())
        key = f"{cue}|{','.join(named)}"
        if key not in seen:
            seen.add(key)
            found.append(Candidate(method, docs, named, cue))
    return found
