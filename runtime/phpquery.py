"""Encode nested parameters as the PHP query string a `batch` command carries.

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
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

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


def _pairs(prefix: str, value: Any, out: list[str]) -> None:
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
        key = quote(prefix, safe=_KEY_SAFE)
        text = value if isinstance(value, Raw) else quote(_scalar(value), safe="")
        out.append(f"{key}={text}")


def encode(params: Mapping[str, Any]) -> str:
    """`{"filter": {">ID": 5}, "select": ["ID"]}` → `filter[>ID]=5&select[0]=ID`."""
    out: list[str] = []
    _pairs("", params, out)
    return "&".join(out)


def command(method: str, params: Mapping[str, Any]) -> str:
    """One batch command: the method name, and `?query` when there are parameters."""
    query = encode(params)
    return f"{method}?{query}" if query else method
