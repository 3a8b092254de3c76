"""OAuth tokens that live in a `TokenStore`, so each portal's expired token is refreshed once
however many processes (and threads) find it expired at the same moment.

`OAuthAuth` already makes one thread per process refresh. This subclass adds the store's
lock around the refresh and, once it holds the lock, first reads the stored pair: if
another process rotated it meanwhile, that pair is adopted and no token request is made.
The new pair is written to the store before the lock is released, through the same
`on_token_refresh` path the plain client reports rotations on.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..auth import DEFAULT_TOKEN_URL, OAuthAuth, TokenCallback
from .errors import UnknownPortalError
from .tokens import PortalTokens, TokenStore, find

if TYPE_CHECKING:
    from b24client import AsyncBitrix24, Bitrix24


class StoredOAuthAuth(OAuthAuth):
    """`OAuthAuth` for one installation kept in `store` under `tokens.member_id`."""

    def __init__(
        self,
        store: TokenStore,
        tokens: PortalTokens,
        *,
        client_id: str,
        client_secret: str,
        token_url: str = DEFAULT_TOKEN_URL,
        on_token_refresh: TokenCallback | None = None,
    ) -> None:
        self.store = store
        self.member_id = tokens.member_id
        self._after_store = on_token_refresh
        super().__init__(
            tokens.portal_url,
            tokens.access_token,
            tokens.refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            on_token_refresh=self._store_rotation,
            token_url=token_url,
        )

    def _exclusive(self) -> AbstractContextManager[object]:
        return self.store.lock(self.member_id)

    def _adopt_newer(self, stale_token: str) -> bool:
        current = self.store.get(self.member_id)
        if current is None:
            return False
        self.refresh_token = current.refresh_token
        if current.access_token == stale_token:
            return False
        self.access_token = current.access_token
        return True

    def _store_rotation(self, reply: dict[str, Any]) -> None:
        """Runs under the store's lock: the pair is stored before any other process may look."""
        current = self.store.get(self.member_id)
        if current is None:
            raise UnknownPortalError(f"member_id={self.member_id!r} was removed from the token store during a refresh")
        self.store.save(current.rotated(reply))
        if self._after_store is not None:
            self._after_store(reply)


def stored_auth(
    store: TokenStore,
    *,
    member_id: str = "",
    domain: str = "",
    client_id: str,
    client_secret: str,
    token_url: str = DEFAULT_TOKEN_URL,
    on_token_refresh: TokenCallback | None = None,
) -> StoredOAuthAuth:
    """The auth of one installed portal (by member_id, else domain), refreshed through `store`."""
    tokens = find(store, member_id=member_id, domain=domain)
    if tokens is None:
        raise UnknownPortalError(f"no tokens are stored for member_id={member_id!r} domain={domain!r}")
    return StoredOAuthAuth(
        store, tokens, client_id=client_id, client_secret=client_secret, token_url=token_url, on_token_refresh=on_token_refresh
    )


def portal_client(
    store: TokenStore,
    *,
    member_id: str = "",
    domain: str = "",
    client_id: str,
    client_secret: str,
    token_url: str = DEFAULT_TOKEN_URL,
    on_token_refresh: TokenCallback | None = None,
    **options: Any,
) -> Bitrix24:
    """A `Bitrix24` client for one installed portal (by member_id, else domain) whose token
    refreshes go through `store`. `options` are the other `Bitrix24(...)` keywords."""
    from b24client import Bitrix24  # the generated client; runtime is imported before it

    auth = stored_auth(
        store,
        member_id=member_id,
        domain=domain,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        on_token_refresh=on_token_refresh,
    )
    return Bitrix24(auth=auth, **options)


def async_portal_client(
    store: TokenStore,
    *,
    member_id: str = "",
    domain: str = "",
    client_id: str,
    client_secret: str,
    token_url: str = DEFAULT_TOKEN_URL,
    on_token_refresh: TokenCallback | None = None,
    **options: Any,
) -> AsyncBitrix24:
    """`portal_client` for asyncio: an `AsyncBitrix24` (needs the `async` extra). The store's
    lock is taken in a worker thread, so a refresh waiting for another process does not
    stop the event loop."""
    from b24client import AsyncBitrix24

    auth = stored_auth(
        store,
        member_id=member_id,
        domain=domain,
        client_id=client_id,
        client_secret=client_secret,
        token_url=token_url,
        on_token_refresh=on_token_refresh,
    )
    return AsyncBitrix24(auth=auth, **options)
