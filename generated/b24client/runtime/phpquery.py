"""Nested parameters as PHP query strings: encoding `batch` commands, decoding form bodies.

Inside `batch`, each command is one string, `method?query`, and the portal parses the
query with PHP's rules (`filter[>ID]=5&select[0]=ID`), so JSON types do not survive:
everything arrives as text, as it would from an HTML form. We follow http_build_query:
nested mappings and lists become bracketed keys, booleans become 1/0, and None and empty
containers are left out (PHP drops them too, so sending them would change nothing).

`Raw` marks text that must reach the portal untouched: a `$result[label][field]`
reference that the portal substitutes before running the command.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, quote

from .encoding import MAX_DEPTH

# Characters left readable in keys: brackets carry the nesting, and the filter operators
# (`>ID`, `<=DATE`, `!STAGE_ID`, `@ID`) are legal in a PHP query. `=`, `&`, `%`, `+`, `#`
# and spaces are always percent-encoded.
_KEY_SAFE = "[]<>!@"


class Raw(str):
    """Text written into the query as is, without percent-encoding (batch references)."""

    __slots__ = ()


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float | str):
        return str(value)
    raise TypeError(f"cannot put a {type(value).__name__} into a batch command")


def _pairs(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key)
            _pairs(f"{prefix}[{name}]" if prefix else name, item, out)
    elif isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        for index, item in enumerate(items):
            _pairs(f"{prefix}[{index}]", item, out)
    elif value is None:
        return
    else:
        out.append((prefix, value if isinstance(value, Raw) else _scalar(value)))


def pairs(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`{"filter": {">ID": 5}, "a": None}` → `[("filter[>ID]", "5")]`: keys and values as text,
    not yet percent-encoded, so each sender quotes them its own way (a batch command, a form
    body as PHP writes it). The one flattening rule set of the project: the emulator's forms
    use it too, so what it sends is what a client's batch would."""
    out: list[tuple[str, str]] = []
    _pairs("", params, out)
    return out


def encode(params: Mapping[str, Any]) -> str:
    """`{"filter": {">ID": 5}, "select": ["ID"]}` → `filter[>ID]=5&select[0]=ID`."""
    return "&".join(
        f"{quote(key, safe=_KEY_SAFE)}={text if isinstance(text, Raw) else quote(text, safe='')}" for key, text in pairs(params)
    )


def command(method: str, params: Mapping[str, Any]) -> str:
    """One batch command: the method name, and `?query` when there are parameters."""
    query = encode(params)
    return f"{method}?{query}" if query else method


# --- decoding: what PHP puts into $_POST -----------------------------------------------------
#
# The portal sends events, install callbacks and pay-system checkouts as PHP form bodies
# (`data[FIELDS][ID]=5&auth[member_id]=...`), and the emulator reads our calls the same way,
# so both sides decode with these rules.

_KEY_PART = re.compile(r"\[([^\[\]]*)\]")


class PhpQueryError(ValueError):
    """A PHP query that cannot be decoded (nested past `max_depth`)."""


def _split_key(key: str) -> list[str] | None:
    """`filter[>ID]` → ["filter", ">ID"]; `select[]` → ["select", ""]; None if malformed."""
    bracket = key.find("[")
    if bracket <= 0:
        return [key] if key else None
    head, rest = key[:bracket], key[bracket:]
    parts = [head]
    position = 0
    for match in _KEY_PART.finditer(rest):
        if match.start() != position:
            break  # PHP ignores whatever follows the first malformed bracket
        parts.append(match.group(1))
        position = match.end()
    if position == 0:
        return [key]
    return parts


def _listify(value: Any) -> Any:
    """Turn dicts keyed 0..n-1 (in order) into lists, as PHP's json_encode would."""
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        keys = list(converted)
        if keys and keys == [str(index) for index in range(len(keys))]:
            return list(converted.values())
        return converted
    return value


def decode_pairs(pairs: Iterable[tuple[str, str]], *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Build nested parameters from `key[a][b]=v` pairs the way PHP fills $_REQUEST.

    `[]` appends; a later scalar replaces an earlier one; dicts keyed 0..n-1 become lists.
    """
    root: dict[str, Any] = {}
    # PHP's next `[]` index per array: one above its largest integer key (0 for none). Kept
    # beside each node (the node itself held too, so its id cannot be reused) instead of
    # counting keys on every append, which made `a[]=1` repeated n times cost n².
    next_index: dict[int, tuple[dict[str, Any], int]] = {}
    for raw_key, value in pairs:
        parts = _split_key(raw_key)
        if parts is None:
            continue
        if len(parts) > max_depth:  # PHP gives up at max_input_nesting_level (64) too
            raise PhpQueryError(f"parameter {parts[0]!r} is nested deeper than {max_depth} levels")
        node: dict[str, Any] = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":
                part = str(next_index.get(id(node), (node, 0))[1])
            if part.isdigit() and part == str(int(part)):  # "05" is a string key in PHP too
                following = max(next_index.get(id(node), (node, 0))[1], int(part) + 1)
                next_index[id(node)] = (node, following)
            if last:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = {}
                    node[part] = child
                node = child
    result = _listify(root)
    return result if isinstance(result, dict) else {}


def decode(query: str, *, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """`filter[>ID]=5&select[0]=ID` → `{"filter": {">ID": "5"}, "select": ["ID"]}` (values stay text)."""
    return decode_pairs(parse_qsl(query, keep_blank_values=True), max_depth=max_depth)
