"""A separate process that calls a portal once through tokens kept in a shared store.

Run by test_shared_refresh.py with the `spawn` start method, so each worker is a fresh
interpreter with nothing in common with the others but the store and the portal.
"""

from __future__ import annotations

from typing import Any


def open_store(kind: str, where: str) -> Any:
    from b24client.runtime.inbound import FileTokenStore, RedisTokenStore

    return FileTokenStore(where) if kind == "file" else RedisTokenStore(url=where)


def call_once(kind: str, where: str, member_id: str, credentials: dict[str, Any], barrier: Any, results: Any) -> None:
    from b24client import Bitrix24
    from b24client.runtime.inbound import portal_client
    from b24client.runtime.retry import NO_RETRY

    options: dict[str, Any] = {"retry": NO_RETRY, "rate_limiter": None}
    try:
        if kind == "plain":  # the control: each process keeps its own copy of the tokens
            tokens = open_store("file", where).get(member_id)
            b24 = Bitrix24(
                domain=tokens.portal_url,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                client_id=credentials["client_id"],
                client_secret=credentials["client_secret"],
                token_url=credentials["token_url"],
                **options,
            )
        else:
            b24 = portal_client(
                open_store(kind, where),
                member_id=member_id,
                client_id=credentials["client_id"],
                client_secret=credentials["client_secret"],
                token_url=credentials["token_url"],
                **options,
            )
        barrier.wait(timeout=60)
        with b24:
            b24.call("crm.deal.list", {"start": -1})
        results.put(("ok", b24._auth.refresh_count))
    except Exception as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
