"""Webhook codes, OAuth access tokens and the token endpoint's issue / refresh / expiry cycle."""

from __future__ import annotations

import time

import pytest
import requests

from b24client.emulator import Emulator


def _list(portal: Emulator, token: str) -> requests.Response:
    return requests.post(
        f"{portal.base_url}/rest/crm.item.payment.list", json={"auth": token, "entityId": 1, "entityTypeId": 2}, timeout=5
    )


def _token(portal: Emulator, **params: str) -> requests.Response:
    return requests.get(portal.oauth_credentials()["token_url"], params=params, timeout=5)


def _refresh(portal: Emulator, refresh_token: str) -> requests.Response:
    credentials = portal.oauth_credentials()
    return _token(
        portal,
        grant_type="refresh_token",
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        refresh_token=refresh_token,
    )


def test_wrong_webhook_code_is_401_no_auth_found(b24_emulator: Emulator) -> None:
    url = f"{b24_emulator.base_url}/rest/{b24_emulator.config.webhook_user_id}/wrong-code/crm.deal.list"
    response = requests.post(url, json={}, timeout=5)
    assert response.status_code == 401
    assert response.json()["error"] == "NO_AUTH_FOUND"


def test_wrong_webhook_user_is_401(b24_emulator: Emulator) -> None:
    url = f"{b24_emulator.base_url}/rest/2/{b24_emulator.config.webhook_token}/crm.deal.list"
    assert requests.post(url, json={}, timeout=5).status_code == 401


def test_missing_or_unknown_access_token_is_401_no_auth_found(b24_emulator: Emulator) -> None:
    for token in ("", "not-a-token"):
        response = _list(b24_emulator, token)
        assert (response.status_code, response.json()["error"]) == (401, "NO_AUTH_FOUND")


def test_issued_access_token_works(b24_emulator: Emulator) -> None:
    response = _list(b24_emulator, b24_emulator.oauth_credentials()["access_token"])
    assert response.status_code == 200
    assert response.json()["result"] == []


@pytest.mark.b24_emulator(token_ttl_seconds=0.3)
def test_access_token_expires_after_its_ttl_and_refresh_gives_a_new_pair(b24_emulator: Emulator) -> None:
    credentials = b24_emulator.oauth_credentials()
    assert _list(b24_emulator, credentials["access_token"]).status_code == 200
    time.sleep(0.35)
    expired = _list(b24_emulator, credentials["access_token"])
    assert (expired.status_code, expired.json()["error"]) == (401, "expired_token")

    renewed = _refresh(b24_emulator, credentials["refresh_token"])
    assert renewed.status_code == 200
    pair = renewed.json()
    assert pair["access_token"] != credentials["access_token"]
    assert pair["refresh_token"] != credentials["refresh_token"]
    assert pair["client_endpoint"] == f"{b24_emulator.base_url}/rest/"
    assert _list(b24_emulator, pair["access_token"]).status_code == 200


def test_expire_tokens_makes_the_current_token_expired_at_once(b24_emulator: Emulator) -> None:
    token = b24_emulator.oauth_credentials()["access_token"]
    b24_emulator.expire_tokens()
    assert _list(b24_emulator, token).json()["error"] == "expired_token"


def test_a_refresh_token_is_single_use(b24_emulator: Emulator) -> None:
    refresh_token = b24_emulator.oauth_credentials()["refresh_token"]
    assert _refresh(b24_emulator, refresh_token).status_code == 200
    again = _refresh(b24_emulator, refresh_token)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_wrong_client_secret_is_invalid_client(b24_emulator: Emulator) -> None:
    credentials = b24_emulator.oauth_credentials()
    response = _token(
        b24_emulator,
        grant_type="refresh_token",
        client_id=credentials["client_id"],
        client_secret="guess",
        refresh_token=credentials["refresh_token"],
    )
    assert (response.status_code, response.json()["error"]) == (401, "invalid_client")


def test_missing_grant_type_is_invalid_request(b24_emulator: Emulator) -> None:
    assert _token(b24_emulator).json()["error"] == "invalid_request"


def test_authorization_code_is_exchanged_once(b24_emulator: Emulator) -> None:
    credentials = b24_emulator.oauth_credentials()
    code = b24_emulator.authorization_code()
    params = {
        "grant_type": "authorization_code",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
        "code": code,
    }
    first = _token(b24_emulator, **params)
    assert first.status_code == 200
    assert _list(b24_emulator, first.json()["access_token"]).status_code == 200
    assert _token(b24_emulator, **params).json()["error"] == "invalid_grant"


def test_secrets_stay_out_of_reprs_and_logs(b24_emulator: Emulator) -> None:
    credentials = b24_emulator.oauth_credentials()
    requests.post(b24_emulator.webhook_url + "crm.item.payment.list", json={"entityId": 1, "entityTypeId": 2}, timeout=5)
    _list(b24_emulator, credentials["access_token"])
    _refresh(b24_emulator, credentials["refresh_token"])
    secrets = [
        b24_emulator.config.webhook_token,
        credentials["access_token"],
        credentials["refresh_token"],
        credentials["client_secret"],
    ]
    shown = repr(b24_emulator) + repr(b24_emulator.config) + repr(b24_emulator.tokens)
    for record in b24_emulator.log:
        shown += repr(record) + record.path + record.query + repr(record.params)
    for secret in secrets:
        assert secret not in shown
