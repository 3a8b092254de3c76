"""Read an inbound body as the portal means it: a PHP form (nested brackets) or JSON.

The portal posts events, install callbacks and pay-system calls as
`application/x-www-form-urlencoded` with PHP-style nested keys; its docs print the same
payloads as JSON, and proxies or tests may send that. Both end up as one nested dict of
text (form) or JSON values, decoded by the one PHP decoder in runtime/phpquery.py.
"""

from __future__ import annotations

import json
from typing import Any

from ..phpquery import PhpQueryError, decode
from .errors import InboundFormatError

FORM = "application/x-www-form-urlencoded"


def media_type(content_type: str | None) -> str:
    return (content_type or "").partition(";")[0].strip().lower()


def decode_body(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body's fields as nested dicts and lists; `InboundFormatError` when unreadable."""
    media = media_type(content_type)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InboundFormatError("the body is not UTF-8") from None
    if media == "application/json" or (not media and text.lstrip()[:1] == "{"):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise InboundFormatError("the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise InboundFormatError("the JSON body must be an object")
        return data
    if media not in (FORM, ""):
        raise InboundFormatError(f"unsupported Content-Type {media!r}: expected {FORM} or application/json")
    try:
        return decode(text)
    except PhpQueryError as exc:
        raise InboundFormatError(str(exc)) from None
