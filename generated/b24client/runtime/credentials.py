"""Which `Auth` and rate limiter a client's keyword arguments ask for: shared by the sync and
async clients, so both accept exactly the same credentials, refuse the same mixtures and keep
to the same limits by default."""

from __future__ import annotations

from .auth import DEFAULT_TOKEN_URL, Auth, OAuthAuth, TokenCallback, WebhookAuth
from .callpath import RateLimiter


def limiter_from(rate_limiter: RateLimiter | None, rate_limit: bool, enterprise: bool) -> RateLimiter | None:
    """The given limiter; else, unless `rate_limit=False`, the portal's documented limits."""
    if rate_limiter is not None or not rate_limit:
        return rate_limiter
    from .ratelimit import standard_limiter  # imported only by clients that keep to the limits

    return standard_limiter(enterprise)


def auth_from(
    webhook: str | None = None,
    *,
    domain: str | None = None,
    access_token: str | None = None,
    refresh_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    on_token_refresh: TokenCallback | None = None,
    token_url: str = DEFAULT_TOKEN_URL,
    auth: Auth | None = None,
) -> Auth:
    """A ready `auth`, a webhook, or OAuth tokens: exactly one of them."""
    if auth is not None:
        if webhook is not None or domain is not None or access_token is not None:
            raise ValueError("pass auth= or credentials (webhook=, domain=, access_token=), not both")
        return auth
    if webhook is not None:
        if domain is not None or access_token is not None:
            raise ValueError("pass either webhook= or OAuth credentials (domain=, access_token=), not both")
        return WebhookAuth(webhook)
    if domain is not None and access_token is not None:
        return OAuthAuth(
            domain,
            access_token,
            refresh_token,
            client_id=client_id,
            client_secret=client_secret,
            on_token_refresh=on_token_refresh,
            token_url=token_url,
        )
    raise ValueError("pass webhook=, or domain= and access_token= for OAuth")
