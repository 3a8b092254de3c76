"""Pick the exception class for an error reply.

Most codes name themselves. Some pages reuse one code for many errors (`0`, `100` on the
crm.item.payment.* pages), so the method's own spec entries are tried first, by description
(entries of the reply's status before the others); then the code table shared by every
method; then the status.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from .exceptions import CATEGORY_BASES, ApiError, category_for_status
from .specs import MethodSpec


@cache
def _pattern(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


def _class_named(name: str) -> type[ApiError] | None:
    from b24client import errors as generated

    found = getattr(generated, name, None)
    return found if isinstance(found, type) and issubclass(found, ApiError) else None


def _class_for_code(code: str) -> type[ApiError] | None:
    from b24client import errors as generated

    name = generated.BY_CODE.get(code)
    return _class_named(name) if name else None


def error_class(spec: MethodSpec | None, code: str, status: int, description: str) -> type[ApiError]:
    if spec is not None:
        candidates = [entry for entry in spec["errors"] if entry["code"] == code]
        # Entries of the reply's status first, then the rest: a page's example may answer 400
        # for an error its table lists under 403, and the description still tells which it is.
        for entry in sorted(candidates, key=lambda e: e["status"] != status):
            if "match" not in entry or _pattern(entry["match"]).search(description):
                found = _class_named(entry["class"])
                if found is not None:
                    return found
    found = _class_for_code(code)
    if found is not None:
        return found
    return CATEGORY_BASES.get(category_for_status(status) or "", ApiError)


def api_error(method: str, spec: MethodSpec | None, status: int, payload: dict[str, Any]) -> ApiError:
    code = "" if payload.get("error") is None else str(payload["error"])
    description = str(payload.get("error_description") or "")
    hint = _method_hint(method) if code == "ERROR_METHOD_NOT_FOUND" and spec is None else None
    return error_class(spec, code, status, description)(method, code, status, description, payload, hint=hint)


def _method_hint(method: str) -> str | None:
    """A documented method near a name the portal does not know (`crm.deal.lst`). The name is
    still sent first: the portal may have methods no spec lists (an app's own, a newer module)."""
    from .specs import method_ids
    from .validate import suggest

    known = sorted({method_id.partition("@")[0] for method_id in method_ids()})
    meant = suggest(method, known)
    return f"did you mean {meant}?" if meant and meant != method else None
