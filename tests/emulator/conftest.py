"""Helpers for the emulator's own tests: every check goes over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from b24client.emulator import Emulator


class Rest:
    """Calls one portal through its webhook, the way any HTTP client would."""

    def __init__(self, portal: Emulator) -> None:
        self.portal = portal
        self.session = requests.Session()

    def post(self, method: str, params: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        return self.session.post(self.portal.webhook_url + method, json=params or {}, timeout=10, **kwargs)

    def ok(self, method: str, params: dict[str, Any] | None = None) -> Any:
        response = self.post(method, params)
        assert response.status_code == 200, response.text
        return response.json()["result"]

    def error(self, method: str, params: dict[str, Any] | None = None) -> tuple[int, Any, str]:
        response = self.post(method, params)
        body = response.json()
        assert "error" in body, body
        return response.status_code, body["error"], body["error_description"]


@pytest.fixture
def rest(b24_emulator: Emulator) -> Iterator[Rest]:
    client = Rest(b24_emulator)
    yield client
    client.session.close()


class AppRest(Rest):
    """Calls one portal as an OAuth application (`/rest/<method>` with `auth`), as event.* require."""

    def __init__(self, portal: Emulator, client_id: str | None = None) -> None:
        super().__init__(portal)
        self.token = portal.app_tokens(client_id)["access_token"]

    def post(self, method: str, params: dict[str, Any] | None = None, **kwargs: Any) -> requests.Response:
        return self.session.post(
            f"{self.portal.base_url}/rest/{method}", json={**(params or {}), "auth": self.token}, timeout=10, **kwargs
        )


@pytest.fixture
def app_rest(b24_emulator: Emulator) -> Iterator[AppRest]:
    client = AppRest(b24_emulator)
    yield client
    client.session.close()
