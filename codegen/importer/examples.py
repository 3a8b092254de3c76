"""Pull example payloads out of a page: the cURL request body and the JSON responses.

The webhook cURL example carries the request as `-d '{…}'` and the call URL, which tells
the method name and whether it is REST v3 (`/rest/api/…`). Response blocks are JSON,
sometimes with comments or trailing commas; `loads` accepts those and gives up (None)
on anything else rather than guessing.
"""

from __future__ import annotations

import json
import re
from typing import Any

from . import yfm
from .statusline import statuses

_DATA = re.compile(r"(?:-d|--data(?:-raw|-binary)?)\s+(?:'((?:[^'\\]|\\.|'\\'')*)'|\"((?:[^\"\\]|\\.)*)\")", re.DOTALL)
_URL = re.compile(r"https?://[^\s'\"]*?/rest/(api/)?(?:[^\s'\"]*/)?([A-Za-z][A-Za-z0-9_.]*?)(?:\.json)?(?:[?'\"\s]|$)")
_LINE_COMMENT = re.compile(r'("(?:[^"\\]|\\.)*")|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r'("(?:[^"\\]|\\.)*")|,(\s*[}\]])')
DATA, URL = _DATA, _URL  # the request-body and call-URL patterns, for readers of every request on a page
_ELLIPSIS = re.compile(r'("(?:[^"\\]|\\.)*")|(?:,\s*)?(?:\.\.\.|…)(?=\s*[,\]}\n])')


def loads(text: str) -> Any:
    """JSON from a docs block, tolerating comments, `...` elisions and trailing commas; else None."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    cleaned = _LINE_COMMENT.sub(lambda m: m.group(1) or "", text)
    cleaned = _ELLIPSIS.sub(lambda m: m.group(1) or "", cleaned)
    cleaned = _TRAILING_COMMA.sub(lambda m: m.group(1) or m.group(2), cleaned)
    try:
        return json.loads(cleaned)
    except ValueError:
        return None


def is_curl(block: yfm.Block) -> bool:
    """A cURL example: by its tab (`cURL (Webhook)`), its fence language, or its text."""
    return isinstance(block, yfm.Code) and any("curl" in text.lower() for text in (block.tab, block.lang, block.text))


def curl_calls(blocks: list[yfm.Block]) -> list[tuple[str, bool, str]]:
    """(method, is_v3, tab) for every cURL call URL on the page, in page order."""
    calls = []
    for block in blocks:
        if isinstance(block, yfm.Code) and is_curl(block):
            for found in _URL.finditer(block.text):
                calls.append((found.group(2), found.group(1) is not None, block.tab))
    return calls


def webhook_request(blocks: list[yfm.Block], method: str) -> tuple[dict[str, Any] | None, bool]:
    """(request body, found) of the first webhook cURL example that calls `method`.

    `found` is True when such an example exists, even if its body did not parse.
    """
    candidates = [b for b in blocks if isinstance(b, yfm.Code) and is_curl(b)]
    candidates.sort(key=lambda b: ("oauth" in b.tab.lower(), "webhook" not in b.tab.lower(), b.line))
    for block in candidates:
        urls = [found.group(2) for found in _URL.finditer(block.text)]
        if method.lower() not in (url.lower() for url in urls):
            continue
        data = _DATA.search(block.text)
        if data is None:
            return {}, True
        body = data.group(1) if data.group(1) is not None else data.group(2).replace('\\"', '"')
        body = body.replace("'\\''", "'")
        parsed = loads(body)
        if not isinstance(parsed, dict):
            return None, True
        parsed.pop("auth", None)  # the OAuth example's token placeholder
        return parsed, True
    return None, False


def json_blocks(blocks: list[yfm.Block]) -> list[tuple[Any, list[int]]]:
    """Parsed JSON code blocks with the statuses of the status line above each (or [])."""
    result = []
    current: list[int] = []
    for block in blocks:
        if isinstance(block, yfm.Text) and statuses(block.text):
            current = statuses(block.text)
        elif isinstance(block, yfm.Code) and block.lang in ("json", "js", "javascript", ""):
            parsed = loads(block.text)
            if isinstance(parsed, dict):
                result.append((parsed, current))
    return result
