"""Keep secrets out of anything a person may read: messages, reprs and logs.

Library exceptions (requests, urllib3) quote the URL they failed on, and a webhook URL
contains its token, so every such text passes through here before we show it.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


def mask(secret: str | None) -> str:
    """A secret as it may be shown: only whether it is set."""
    return repr(secret) if not secret else f"'{MASK}'"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
