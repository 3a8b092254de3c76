"""The HTTP surface: URL forms, body formats, the time block, keep-alive and parallel load."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from b24client.emulator import Emulator, EmulatorConfig

from .conftest import Rest

TIME_KEYS = {"start", "finish", "duration", "processing", "date_start", "date_finish", "operating", "operating_reset_at"}


@pytest.mark.b24_emulator(deals=3)
@pytest.mark.parametrize("suffix", ["", ".json"])
def test_webhook_url_with_and_without_json_suffix(rest: Rest, suffix: str) -> None:
    response = rest.post(f"crm.deal.list{suffix}", {"select": ["ID"]})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert [row["ID"] for row in response.json()["result"]] == ["1", "2", "3"]


@pytest.mark.b24_emulator(deals=3)
def test_oauth_token_in_body_or_in_query(b24_emulator: Emulator) -> None:
    token = b24_emulator.oauth_credentials()["access_token"]
    url = f"{b24_emulator.base_url}/rest/crm.deal.list"
    in_body = requests.post(url, json={"auth": token, "select": ["ID"]}, timeout=5)
    in_query = requests.get(url, params={"auth": token, "select[0]": "ID"}, timeout=5)
    assert in_body.status_code == in_query.status_code == 200
    assert in_body.json()["result"] == in_query.json()["result"] == [{"ID": "1"}, {"ID": "2"}, {"ID": "3"}]


@pytest.mark.b24_emulator(deals=60)
def test_form_body_and_query_string_carry_nested_parameters(b24_emulator: Emulator) -> None:
    url = b24_emulator.webhook_url + "crm.deal.list"
    form = requests.post(url, data={"filter[>ID]": "55", "select[0]": "ID", "order[ID]": "DESC"}, timeout=5)
    query = requests.get(url + "?filter%5B%3EID%5D=55&select%5B0%5D=ID&order%5BID%5D=DESC", timeout=5)
    expected = [{"ID": str(i)} for i in (60, 59, 58, 57, 56)]
    assert form.json()["result"] == query.json()["result"] == expected


@pytest.mark.b24_emulator(deals=2)
def test_every_response_carries_the_time_block(rest: Rest) -> None:
    ok = rest.post("crm.deal.list", {})
    missing = rest.post("no.such.method", {})
    for response in (ok, missing):
        assert TIME_KEYS <= set(response.json()["time"])
    block = ok.json()["time"]
    assert block["finish"] >= block["start"]
    assert block["operating_reset_at"] > block["start"]
    # processing (the simulated cost of a counted page, 0.047 s and more) is part of duration
    assert block["processing"] >= 0.047
    assert block["duration"] >= block["processing"]
    assert block["duration"] == pytest.approx(block["finish"] - block["start"], abs=2e-6)


def test_unknown_method_is_404_method_not_found(rest: Rest) -> None:
    status, code, _ = rest.error("crm.nothing.here")
    assert (status, code) == (404, "ERROR_METHOD_NOT_FOUND")


def test_paths_outside_rest_are_404(b24_emulator: Emulator) -> None:
    response = requests.get(b24_emulator.base_url + "/index.php", timeout=5)
    assert response.status_code == 404


def test_broken_json_body_is_a_400(b24_emulator: Emulator) -> None:
    response = requests.post(
        b24_emulator.webhook_url + "crm.deal.list", data=b'{"start":', headers={"Content-Type": "application/json"}, timeout=5
    )
    assert response.status_code == 400
    assert "invalid JSON" in response.json()["error_description"]


def test_method_names_are_case_insensitive(rest: Rest) -> None:
    assert rest.ok("CRM.ITEM.PAYMENT.LIST", {"entityId": 1, "entityTypeId": 2}) == []


@pytest.mark.b24_emulator(deals=1)
def test_keep_alive_reuses_one_connection(b24_emulator: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", b24_emulator.port), timeout=5) as sock:
        path = b24_emulator.webhook_url.removeprefix(b24_emulator.base_url) + "crm.deal.list"
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        replies = []
        for _ in range(3):
            sock.sendall(request)
            replies.append(_read_response(sock))
    assert all(reply.startswith(b"HTTP/1.1 200") for reply in replies)


def _read_response(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += sock.recv(4096)
    return head


def test_parallel_clients_see_no_connection_resets() -> None:
    """Many new connections at once: a backlog of 5 would refuse some of them."""
    with Emulator(EmulatorConfig(limits_enabled=False, deals=10)) as portal:
        url = portal.webhook_url + "crm.deal.list"

        def one(_: int) -> int:
            return requests.post(url, json={"start": -1, "select": ["ID"]}, timeout=10).status_code

        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = list(pool.map(one, range(400)))
    assert statuses == [200] * 400


def test_stopping_closes_the_port() -> None:
    portal = Emulator(EmulatorConfig(limits_enabled=False)).start()
    url = portal.webhook_url + "crm.deal.list"
    assert requests.post(url, json={}, timeout=5).status_code == 200
    portal.stop()
    with pytest.raises(requests.ConnectionError):
        requests.post(url, json={}, timeout=5)
