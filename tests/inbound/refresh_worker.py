"""A separate process that calls a portal once through tokens kept in a shared store.

Run by test_shared_refresh.py with the `spawn` start method, so each worker is a fresh
interpreter with nothing in common with the others but the store and the portal.
"""

from __future__ import annotations

import asyncio
from typing import Any


def open_store(kind: str, where: str) -> Any:
    from b24client.runtime.inbound import FileTokenStore, RedisTokenStore

    return FileTokenStore(where) if kind == "file" else RedisTokenStore(url=where)


def call_once(
    kind: str, where: str, member_id: str, credentials: dict[str, Any], barrier: Any, results: Any, client_kind: str = "sync"
) -> None:
    """`client_kind` "async": the same call made by `AsyncBitrix24` (async_portal_client)."""
    from b24client import AsyncBitrix24, Bitrix24
    from b24client.runtime.inbound import async_portal_client, portal_client
    from b24client.runtime.retry import NO_RETRY

    options: dict[str, Any] = {"retry": NO_RETRY, "rate_limiter": None}
    keys = {name: credentials[name] for name in ("client_id", "client_secret", "token_url")}
    try:
        if kind == "plain":  # the control: each process keeps its own copy of the tokens
            tokens = open_store("file", where).get(member_id)
            client_class = Bitrix24 if client_kind == "sync" else AsyncBitrix24
            b24 = client_class(
                domain=tokens.portal_url,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                **keys,
                **options,
            )
        else:
            build = portal_client if client_kind == "sync" else async_portal_client
            b24 = build(open_store(kind, where), member_id=member_id, **keys, **options)
        barrier.wait(timeout=60)
        if client_kind == "sync":
            with b24:
                b24.call("crm.deal.list", {"start": -1})
        else:
            asyncio.run(_call_async(b24))
        results.put(("ok", b24._auth.refresh_count))
    except Exception as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))


async def _call_async(b24: Any) -> None:
    async with b24:
        await b24.call("crm.deal.list", {"start": -1})
