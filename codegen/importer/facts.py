"""Page facts that need no table: scope, who may call, deprecation, and whether a call is a read.

Each is read from a fixed spot of the page (the `> Scope:` quote, the "Who can execute"
line, a DEPRECATED note, the method name) and written in the spec's own terms: scope
names, one of three fixed `access` phrases (the docs' wording is not copied), and a
reason of our own for `deprecated`.
"""

from __future__ import annotations

import re

from . import yfm

_SCOPE_LINE = re.compile(r"^>?\s*\**scope\**\s*:?\**\s*:?(.*)$", re.IGNORECASE)
_WHO_LINE = re.compile(r"^>?\s*\**who can (?:execute|perform|call|use)[^:]*:\**\s*(.*)$", re.IGNORECASE)
_LINK_TEXT = re.compile(r"\[([^\]]*)\]\(")
_SCOPE_NAME = re.compile(r"^[a-z][a-z0-9_.]*$")
_METHOD_LINK = re.compile(r"\[`?([a-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)`?\]\(")

READ_EXACT = frozenset(
    {
        "get",
        "list",
        "fields",
        "getlist",
        "getfields",
        "search",
        "count",
        "tail",
        "types",
        "instances",
        "children",
        "subordinates",
        "multidepartment",
        "nearest",
        "findbycomm",
        "current",
        "time",
        "scope",
        "methods",
        "events",
        "profile",
        "statuslist",
        "senders",
        "thread",
        "info",
        "countries",
        "download",
        "activitydirection",
        "activitytype",
        "activitystatus",
        "activitypriority",
        "activitynotifytype",
        "contenttype",
        "ownertype",
        "addresstype",
    }
)
READ_PREFIXES = ("get", "list", "search", "is", "can", "has")
WRITE_PREFIXES = ("cancel",)  # "can…" that is not a question


def idempotent(method: str) -> bool:
    """Reads are retried: a last name segment in READ_EXACT, or get*/list*/search*/is*/can*/has* (not cancel*)."""
    last = method.rsplit(".", 1)[-1].lower()
    return last in READ_EXACT or (last.startswith(READ_PREFIXES) and not last.startswith(WRITE_PREFIXES))


def scope_and_access(head: list[yfm.Block]) -> tuple[list[str], str | None]:
    scopes: list[str] = []
    access = None
    for block in head:
        if not isinstance(block, yfm.Text):
            continue
        line = block.text
        found = _SCOPE_LINE.match(line)
        if found and not scopes:
            texts = _LINK_TEXT.findall(found.group(1)) or [found.group(1)]
            for text in texts:
                for name in re.split(r"[,\s]+", text.replace("`", " ")):
                    if _SCOPE_NAME.match(name) and name not in scopes:
                        scopes.append(name)
        for part in line.split("|"):
            who = _WHO_LINE.match(part.strip())
            if who and access is None:
                access = _access_phrase(yfm.plain(who.group(1)))
    return scopes, access


def _access_phrase(text: str) -> str:
    """A fixed phrase for the docs' 'who can execute' line (their wording is not copied)."""
    lowered = text.lower()
    if "admin" in lowered:
        return "Administrators, or users with the rights the docs page names."
    if re.search(r"\b(any|all|every) (authori[sz]ed )?(user|employee)s?\b", lowered) and "permission" not in lowered:
        return "Any user."
    return "Users with the rights the docs page names."


def deprecation(docs: str, blocks: list[yfm.Block]) -> dict[str, str] | None:
    in_note = False
    marked = False
    replacement = None
    for block in blocks:
        if isinstance(block, yfm.Directive) and block.name == "note":
            in_note = "deprecated" in block.args.lower() or "outdated" in block.args.lower()
            marked = marked or in_note
        elif isinstance(block, yfm.Directive) and block.name == "endnote":
            in_note = False
        elif in_note and isinstance(block, yfm.Text) and replacement is None:
            link = _METHOD_LINK.search(block.text)
            replacement = link.group(1) if link else None
        elif isinstance(block, yfm.Heading) and block.level == 2:
            break
    in_outdated = bool(re.search(r"/(outdated|deprecated)/", "/" + docs))
    if not (marked or in_outdated):
        return None
    reason = "The docs mark the method deprecated." if marked else "The docs list the method among outdated ones."
    result = {"reason": reason}
    if replacement:
        result["replacement"] = replacement
    return result
