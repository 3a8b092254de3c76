"""Keep secrets out of anything a person may read: messages, reprs and logs.

Library exceptions (requests, urllib3) quote the URL they failed on, and a webhook URL
contains its token, so every such text passes through here before we show it. A secret
can appear percent-encoded (a client secret with `+` or `/` in a token-refresh query), so
each secret is replaced in every form a URL gives it.

urllib3 logs every request line at DEBUG (httpx, for the async client, at INFO), webhook
token and token-refresh query included, and that happens inside the library where no call
of ours can redact it. `guard_library_logs` puts a filter on those loggers that rewrites
each record before any handler sees it: the secrets of every live client, plus the shapes
a secret takes in a URL (the token segment of a webhook path, `client_secret=`/
`refresh_token=`/... query values), so a secret is masked even when the client that knew it is gone.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import quote, quote_plus

MASK = "***"

# Loggers of the HTTP stack that can print a URL.
LIBRARY_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
    "requests",
    "httpx",  # the async client's: "HTTP Request: POST <url>" at INFO
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
)
_WEBHOOK_PATH = re.compile(r"(/rest/(?:api/)?[^/\s?]+/)[^/\s?]+(/)")
_SECRET_QUERY = re.compile(r"((?:client_secret|refresh_token|access_token|auth|code)=)[^&\s\"']+", re.IGNORECASE)


class SecretSource(Protocol):
    def secrets(self) -> tuple[str | None, ...]: ...


def mask(secret: str | None) -> str:
    """A secret as it may be shown: only whether it is set."""
    return repr(secret) if not secret else f"'{MASK}'"


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}


def redact(text: str, secrets: Iterable[str | None]) -> str:
    forms = {form for secret in secrets if secret for form in _forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def redact_url_shapes(text: str) -> str:
    """Mask what is a secret by its place in a URL, whoever it belongs to."""
    return _SECRET_QUERY.sub(rf"\1{MASK}", _WEBHOOK_PATH.sub(rf"\1{MASK}\2", text))


class _LibraryLogFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.sources: weakref.WeakSet[SecretSource] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = [secret for source in list(self.sources) for secret in source.secrets()]
        record.msg = redact_url_shapes(redact(record.getMessage(), secrets))
        record.args = None
        return True


_FILTER = _LibraryLogFilter()
_installed = False
_install_lock = threading.Lock()


def guard_library_logs(source: SecretSource) -> None:
    """Redact `source`'s secrets (and secret-shaped URL parts) in the HTTP stack's log records."""
    global _installed
    _FILTER.sources.add(source)
    if _installed:
        return
    with _install_lock:
        if not _installed:
            for name in LIBRARY_LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True
