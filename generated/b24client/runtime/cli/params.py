"""Turn command-line words into call parameters: `key=value`, `key:=json`, `--json PARAMS`.

Bracketed keys follow the portal's own query syntax, so what the docs show as
`filter[STAGE_ID]=NEW` or `select[]=ID` can be typed as it is written there:

    b24 call crm.deal.list 'filter[>ID]=10' 'select[]=ID' 'select[]=TITLE'
    b24 call crm.deal.add 'fields[TITLE]=New deal' 'fields[OPPORTUNITY]:=1500'

`=` gives a string (the portal reads numbers from strings everywhere), `:=` a JSON value
(numbers, true/false, null, lists, objects). `--json` takes a JSON object, `@file` or `-`
for standard input; words are merged over it.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

_KEY = re.compile(r"([^\[\]=:]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class ParamError(ValueError):
    """A parameter word or JSON document that cannot be read; the message says which and why."""


def read_json(text: str, what: str = "--json") -> Any:
    """A JSON value from text, `@path` (a file) or `-` (standard input)."""
    source = what
    if text == "-":
        text, source = sys.stdin.read(), f"{what} (standard input)"
    elif text.startswith("@"):
        path = Path(text[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ParamError(f"{what}: cannot read {path}: {exc.strerror}") from None
        source = f"{what} ({path})"
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParamError(f"{source}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None


def read_object(text: str, what: str = "--json") -> dict[str, Any]:
    value = read_json(text, what)
    if not isinstance(value, dict):
        raise ParamError(f"{what}: must be a JSON object, got {type(value).__name__}")
    return value


def _split(word: str) -> tuple[list[str], Any]:
    match = _KEY.match(word)
    if match is None or word[match.end() : match.end() + 1] not in ("=", ":"):
        raise ParamError(f"{word!r}: expected key=value or key:=json (e.g. ID=5, 'filter[>ID]=10', fields:='{{...}}')")
    keys = [match.group(1), *_SEGMENT.findall(match.group(2))]
    rest = word[match.end() :]
    if rest.startswith(":="):
        return keys, read_json(rest[2:], f"{match.group(0)}:=")
    if rest.startswith("="):
        return keys, rest[1:]
    raise ParamError(f"{word!r}: expected key=value or key:=json")


def _place(target: dict[str, Any], keys: list[str], value: Any, word: str) -> None:
    container: Any = target
    for position, key in enumerate(keys):
        last = position == len(keys) - 1
        following = None if last else keys[position + 1]
        fresh: Any = [] if following == "" else {}
        if key == "":
            if not isinstance(container, list):
                raise ParamError(f"{word!r}: [] appends to a list, but this key already holds an object")
            if last:
                container.append(value)
                return
            container.append(fresh)
            container = container[-1]
            continue
        if not isinstance(container, dict):
            raise ParamError(f"{word!r}: {key!r} is used as an object key, but it is a list")
        if last:
            container[key] = value
            return
        if key not in container or not isinstance(container[key], dict | list):
            container[key] = fresh
        container = container[key]


def parse_words(words: list[str], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """Parameters from `key=value` words, merged over `base` (from --json)."""
    params: dict[str, Any] = dict(base or {})
    for word in words:
        keys, value = _split(word)
        _place(params, keys, value, word)
    return params
