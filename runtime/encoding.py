"""Turn parameters into the JSON the portal expects.

The portal reads dates as ISO strings and numbers as JSON numbers; Python values that
JSON has no form for (dates, Decimal, tuples, sets) are converted here, once, so neither
generated code nor callers have to.
"""

from __future__ import annotations

import datetime as _dt
import json
from typing import Any


def _default(value: Any) -> Any:
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if type(value).__name__ == "Decimal":  # decimal is not imported just to recognise one
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot send a {type(value).__name__} to the portal")


_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":"))


def encode_json(params: Any) -> bytes:
    return _ENCODER.encode(params).encode("utf-8")
