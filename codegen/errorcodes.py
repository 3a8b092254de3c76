"""What an error code looks like, shared by the importer (which reads tables) and the spec check.

The docs define `error` as a string of digits, Latin letters and underscores. Their tables
still put other things in the Code column: the HTTP status (`400`), or the wire message
(`Access denied`). Both are recognised here by shape, so the importer can read such rows
correctly and codegen.spec_checks can refuse a spec that still has them.

A three-digit number is a status when it is one the portal answers with (the statuses the
docs' status lines and system errors use). Some modules do send such numbers as `error`
(booking's `422`, sign's `510`, vote's `403`): those are codes when the spec shows it, by an
error reply carrying the number as `error`, or by other numeric codes of the same method
that are not statuses (`0`, `100`, `1018`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: HTTP statuses the portal answers errors with, as the docs' status lines and system errors give them.
PORTAL_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 429, 500, 502, 503})

_CODE_SHAPE = re.compile(r"[A-Za-z0-9_]*")
_NUMBER = re.compile(r"\d+")


def looks_like_status(code: str) -> bool:
    return _NUMBER.fullmatch(code) is not None and int(code) in PORTAL_STATUSES


def is_message(code: str) -> bool:
    """Sentence text in place of a code (a code never holds whitespace)."""
    return re.search(r"\s", code) is not None


def is_code_shaped(code: str) -> bool:
    """Digits, Latin letters and underscores only, as the docs define `error` (empty allowed)."""
    return _CODE_SHAPE.fullmatch(code) is not None and not looks_like_status(code)


def numeric_family(codes: Iterable[str], shown: Iterable[str]) -> bool:
    """Whether a method's numeric codes are codes: one is not a status, or a reply shows one."""
    shown_set = set(shown)
    return any(_NUMBER.fullmatch(code) and (not looks_like_status(code) or code in shown_set) for code in codes)


def shown_codes(examples: Iterable[dict[str, Any]]) -> set[str]:
    """The `error` values of a spec's error examples, as strings."""
    found = set()
    for example in examples:
        body = example.get("response", {}).get("body")
        if isinstance(body, dict) and isinstance(body.get("error"), str | int) and not isinstance(body["error"], bool):
            found.add(str(body["error"]))
    return found


def status_as_code(spec: dict[str, Any]) -> list[int]:
    """Indexes of `errors` entries whose code is an HTTP status, not a code the portal sends."""
    codes = [str(error["code"]) for error in spec.get("errors", [])]
    shown = shown_codes(spec.get("examples", []))
    if numeric_family(codes, shown):
        return []
    return [index for index, code in enumerate(codes) if looks_like_status(code)]
