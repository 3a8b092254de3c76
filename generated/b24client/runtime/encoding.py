"""Turn parameters into the JSON the portal expects.

The portal reads dates as ISO strings and numbers as JSON numbers; Python values that
JSON has no form for (dates, Decimal, tuples, sets) are converted here, once, so neither
generated code nor callers have to.

What cannot be sent faithfully is refused before anything goes out, as a ValidationError
naming the parameter: NaN and Infinity (not JSON; PHP's decoder rejects the whole body),
strings with lone surrogates (not UTF-8), bytes and other objects with no JSON form,
integers beyond 64 bits (PHP reads them as floats and loses digits) and nesting deeper
than `MAX_DEPTH` (PHP's decoder and ours give up long before Python's stack does).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .validate import Problem

MAX_DEPTH = 100
_INT64 = 2**63


def _default(value: Any) -> Any:
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if type(value).__name__ == "Decimal":  # decimal is not imported just to recognise one
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    raise TypeError(f"cannot send a {type(value).__name__} to the portal")


_ENCODER = json.JSONEncoder(default=_default, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_json(params: Any) -> bytes:
    return _ENCODER.encode(params).encode("utf-8")


def _scalar_problem(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if -_INT64 <= value < _INT64 else "is an integer beyond 64 bits, which the portal cannot read exactly"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"is {value!r}, which JSON cannot carry"
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "contains a lone surrogate, which is not valid UTF-8"
        return None
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return None
    if type(value).__name__ == "Decimal":
        return None if value.is_finite() else f"is {value!r}, which JSON cannot carry"
    return f"is a {type(value).__name__}, which has no JSON form"


def unsendable(params: Any, method: str) -> list[Problem]:
    """Every value in `params` that cannot go on the wire as it is meant (an iterative walk:
    a hostile input cannot exhaust the stack)."""
    from .validate import Problem

    problems: list[Problem] = []
    pending: list[tuple[str, Any, int]] = [("", params, 0)]
    while pending:
        path, value, depth = pending.pop()
        if isinstance(value, Mapping | list | tuple | set | frozenset):
            if depth >= MAX_DEPTH:
                problems.append(Problem(method, path, "max_depth", f"is nested deeper than {MAX_DEPTH} levels"))
                continue
            if isinstance(value, Mapping):
                for key, item in value.items():
                    if not isinstance(key, str | int | float | bool) and key is not None:
                        problems.append(
                            Problem(
                                method,
                                f"{path}.{type(key).__name__}" if path else type(key).__name__,
                                "type",
                                f"has a key of type {type(key).__name__}; keys must be strings",
                            )
                        )
                        continue
                    name = key if isinstance(key, str) else json.dumps(key)
                    pending.append((f"{path}.{name}" if path else name, item, depth + 1))
            else:
                pending += [(f"{path}[{index}]", item, depth + 1) for index, item in enumerate(value)]
            continue
        reason = _scalar_problem(value)
        if reason is not None:
            problems.append(Problem(method, path, "json", reason))
    return sorted(problems)


def encode_params(method: str, params: Mapping[str, Any]) -> bytes:
    """The JSON body for `params`, or a ValidationError naming each value that cannot be sent."""
    from .exceptions import ValidationError

    problems = unsendable(params, method)
    if problems:
        raise ValidationError(method, problems)
    return encode_json(params)


def with_auth(body: bytes, token: str) -> bytes:
    """Add `auth` to an encoded object as its last member, so it wins over any `auth` already
    there, exactly as `{**params, "auth": token}` would."""
    member = b'"auth":' + encode_json(token)
    return b"{" + member + b"}" if body == b"{}" else body[:-1] + b"," + member + b"}"
