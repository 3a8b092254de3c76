"""Decide what a docs page is (method, event, overview, other) and which method it documents.

The method name is usually the last token of the H1 title, but titles and cURL URLs
disagree on some pages (typos, case, copy-pasted URLs). The file name is the tie
breaker: the candidate whose letters equal the file name's letters (or end with them:
imbot.v2 pages are named by the last segments) wins, the title's before the URL's. Pages
with no candidate matching their file name are methods only if they have a method's
sections and the title ends in (or holds exactly one) method name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import examples, yfm

METHOD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
_TITLE_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+")
_METHOD_SECTION = re.compile(
    r"^(?:method |request |command )?parameters$|^code examples$|^response handling$|^returned data$"
    r"|^error handling$|^examples?$",
    re.IGNORECASE,
)
_EVENT_SECTION = re.compile(r"what the handler receives|event handler parameters|event parameters", re.IGNORECASE)
_V3_NOTE = re.compile(r"belongs to REST 3\.0", re.IGNORECASE)


@dataclass
class Identity:
    kind: str  # "method", "event", "overview", "other"
    method: str | None = None
    api_version: int = 2
    title: str = ""
    rule: str = ""  # how the name was found: "file name", "title" or "cURL"
    notes: list[str] = field(default_factory=list)  # disagreements worth a spec note
    other_methods: list[str] = field(default_factory=list)  # further methods the page calls


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def slug(path: str) -> str:
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return _letters(re.sub(r"-rest-v3$", "", stem))


def title_of(blocks: list[yfm.Block]) -> str:
    for block in blocks:
        if isinstance(block, yfm.Heading) and block.level == 1:
            return yfm.plain(block.text)
    return ""


def identify(path: str, blocks: list[yfm.Block]) -> Identity:
    title = title_of(blocks)
    h2 = [yfm.plain(b.text) for b in blocks if isinstance(b, yfm.Heading) and b.level == 2]
    has_method_sections = any(_METHOD_SECTION.match(text) for text in h2)
    calls = examples.curl_calls(blocks)
    url_methods = list(dict.fromkeys(method for method, _, _ in calls))
    title_tokens = [t.rstrip(".") for t in _TITLE_TOKEN.findall(title.replace("(", " ").replace(")", " "))]
    last = title.split()[-1].strip("()") if title else ""
    is_v3 = any(v3 for _, v3, _ in calls) or any(isinstance(b, yfm.Text) and _V3_NOTE.search(b.text) for b in blocks)

    wanted = slug(path)
    candidates = [*title_tokens, *url_methods]
    chosen = next((c for c in candidates if _letters(c) == wanted), None)
    rule = "file name"
    if chosen is None:  # imbot.v2 pages are named by the last segments only (bot-list.md)
        chosen = next((c for c in candidates if len(wanted) >= 6 and _letters(c).endswith(wanted)), None)
    if chosen is None and has_method_sections:
        if METHOD_NAME.match(last) and "." in last:
            chosen, rule = last, "title"
        elif len(title_tokens) == 1:
            chosen, rule = title_tokens[0], "title"
    if chosen is None or any(_EVENT_SECTION.search(text) for text in h2) or chosen.startswith("BX24."):
        return Identity(_kind_without_method(path, title, h2), title=title)

    identity = Identity("method", chosen, 3 if is_v3 else 2, _title_name(title, chosen), rule)
    for token in [last if METHOD_NAME.match(last) and "." in last else None, *url_methods]:
        if token and token != chosen and token.lower() != chosen.lower() and token not in identity.other_methods:
            identity.other_methods.append(token)
    differing = [u for u in url_methods if u != chosen and u.lower() == chosen.lower()]
    if differing:
        identity.notes.append(f"The cURL example calls {differing[0]}; the title spells it {chosen}.")
    if METHOD_NAME.match(last) and "." in last and last != chosen:
        source = "the file name and the cURL example" if chosen in url_methods else "the file name"
        identity.notes.append(f"The title ends in {last}; {source} say {chosen}.")
    return identity


def _title_name(title: str, method: str) -> str:
    """The title without the method name it ends in (`Pay Invoice … sale.paysystem.pay.invoice`)."""
    words = title.split()
    last = words[-1].strip("()") if words else ""
    if len(words) > 1 and (last == method or ("." in last and METHOD_NAME.match(last))):
        words = words[:-1]
    name = " ".join(words).strip()
    return name or method


def _kind_without_method(path: str, title: str, h2: list[str]) -> str:
    stem = path.rsplit("/", 1)[-1]
    if any(_EVENT_SECTION.search(text) for text in h2) or re.search(r"\bevents?\b", title, re.IGNORECASE):
        return "event"
    if "BX24." in title:
        return "js-sdk"
    if stem == "index.md" or "overview" in title.lower() or any("overview" in text.lower() for text in h2):
        return "overview"
    return "other"
