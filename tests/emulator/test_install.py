"""Installing an app: the ONAPPINSTALL callback, the install page form, and the OAuth code exchange."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from b24client.emulator import Emulator
from tests.support.receiver import Received, Receiver, json_reply


def _token(portal: Emulator, **params: str) -> requests.Response:
    return requests.post(f"{portal.base_url}/oauth/token/", data=params, timeout=5)


def _live(portal: Emulator, access_token: str) -> bool:
    response = requests.post(f"{portal.base_url}/rest/crm.contact.list", json={"auth": access_token}, timeout=5)
    return response.status_code == 200


def test_onappinstall_brings_a_token_pair_and_the_application_token(b24_emulator: Emulator) -> None:
    with Receiver() as receiver:
        app = b24_emulator.register_app(handler_url=receiver.url + "/install")
        assert not app.installed
        delivery = b24_emulator.install_app(app.client_id)
        [request] = receiver.requests("/install")
    assert (delivery.kind, delivery.event, delivery.status) == ("install", "ONAPPINSTALL", 200)
    assert request.method == "POST" and request.content_type == "application/x-www-form-urlencoded"
    assert [key for key, _ in request.pairs()] == [
        "event",
        "data[VERSION]",
        "data[ACTIVE]",
        "data[INSTALLED]",
        "data[LANGUAGE_ID]",
        "ts",
        *(
            f"auth[{key}]"
            for key in (
                "domain",
                "scope",
                "access_token",
                "refresh_token",
                "expires_in",
                "server_endpoint",
                "status",
                "client_endpoint",
                "member_id",
                "application_token",
            )
        ),
    ]
    form = request.form()
    assert form["event"] == "ONAPPINSTALL"
    assert form["data"] == {"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "en"}
    auth = form["auth"]
    assert auth["application_token"] == app.application_token
    assert auth["member_id"] == b24_emulator.member_id
    assert auth["domain"] == b24_emulator.base_url.removeprefix("http://")
    assert auth["scope"] == app.scope
    assert _live(b24_emulator, auth["access_token"])
    assert app.installed
    # the install's refresh token is the app's: it refreshes with the app's keys, once
    renewed = _token(
        b24_emulator,
        grant_type="refresh_token",
        client_id=app.client_id,
        client_secret=app.client_secret,
        refresh_token=auth["refresh_token"],
    )
    assert renewed.status_code == 200 and _live(b24_emulator, renewed.json()["access_token"])
    assert renewed.json()["member_id"] == b24_emulator.member_id
    assert b24_emulator.token_requests("refresh_token", client_id=app.client_id) == 1
    # the record masks every token
    assert delivery.params["auth"]["refresh_token"] == "***" and delivery.params["auth"]["access_token"] == "***"
    assert app.application_token not in repr(delivery) and app.client_secret not in repr(app)


def test_the_install_page_form_of_an_app_with_an_interface(b24_emulator: Emulator) -> None:
    with Receiver() as receiver:
        app = b24_emulator.register_app(handler_url=receiver.url + "/app/?from=install")
        b24_emulator.install_app(app.client_id, mode="placement", language="de")
        [request] = receiver.requests("/app/")
    query = request.query_params()
    assert query["from"] == "install"
    assert (query["DOMAIN"], query["PROTOCOL"], query["LANG"]) == (b24_emulator.base_url.removeprefix("http://"), "0", "de")
    assert len(query["APP_SID"]) == 32
    form = request.form()
    assert {
        "AUTH_ID",
        "AUTH_EXPIRES",
        "REFRESH_ID",
        "SERVER_ENDPOINT",
        "APPLICATION_TOKEN",
        "APPLICATION_SCOPE",
        "member_id",
        "status",
        "PLACEMENT",
    } == set(form)
    assert (form["AUTH_EXPIRES"], form["member_id"], form["PLACEMENT"]) == ("3600", b24_emulator.member_id, "DEFAULT")
    assert form["APPLICATION_TOKEN"] == app.application_token
    assert _live(b24_emulator, form["AUTH_ID"])
    assert not app.installed  # until its page calls installFinish
    b24_emulator.finish_install(app.client_id)
    assert app.installed


def test_an_install_handler_may_bind_events_while_it_is_called(b24_emulator: Emulator) -> None:
    def install(request: Received) -> tuple[int, str, bytes]:
        if request.path != "/install":
            return 200, "text/plain", b"OK"
        token = request.form()["auth"]["access_token"]
        bound = requests.post(
            f"{b24_emulator.base_url}/rest/event.bind",
            timeout=5,
            json={"auth": token, "event": "ONCRMDEALADD", "handler": receiver.url + "/events"},
        )
        return json_reply({"bound": bound.json()["result"]})

    with Receiver(install) as receiver:
        app = b24_emulator.register_app(handler_url=receiver.url + "/install")
        delivery = b24_emulator.install_app(app.client_id)
        token = b24_emulator.app_tokens(app.client_id)["access_token"]
        deal = requests.post(
            f"{b24_emulator.base_url}/rest/crm.deal.add", timeout=5, json={"auth": token, "fields": {"TITLE": "after install"}}
        ).json()["result"]
        b24_emulator.drain_deliveries()
        [event] = receiver.requests("/events")
    assert delivery.reply == b'{"bound": true}'
    assert event.form()["data"]["FIELDS"]["ID"] == str(deal)
    assert event.form()["auth"]["application_token"] == app.application_token


def test_install_without_a_handler_url_is_refused(b24_emulator: Emulator) -> None:
    app = b24_emulator.register_app()
    with pytest.raises(ValueError, match="has no handler_url"):
        b24_emulator.install_app(app.client_id)


def test_install_over_http_and_the_deliveries_log(b24_emulator: Emulator) -> None:
    with Receiver() as receiver:
        control = f"{b24_emulator.base_url}/_emulator/"
        app = requests.post(control + "register_app", json={"handler_url": receiver.url + "/i"}, timeout=5).json()
        answer = requests.post(control + "install_app", json={"client_id": app["client_id"]}, timeout=5).json()
        [request] = receiver.requests("/i")
    assert answer["ok"] is True and answer["delivery"]["status"] == 200
    assert request.form()["auth"]["application_token"] == app["application_token"]
    info = requests.get(control + "info", timeout=5).json()
    assert info["member_id"] == b24_emulator.member_id
    assert {"client_id": app["client_id"], "installed": True} in info["apps"]
    assert info["deliveries"] == {"ok": 1, "failed": 0, "dropped": 0, "pending": 0}
    logged = requests.get(control + "deliveries", timeout=5).json()["deliveries"]
    assert [(d["kind"], d["event"]) for d in logged] == [("install", "ONAPPINSTALL")]
    assert app["application_token"] not in str(logged)


def _authorize(portal: Emulator, **params: str) -> requests.Response:
    return requests.get(f"{portal.base_url}/oauth/authorize/", params=params, allow_redirects=False, timeout=5)


def test_authorize_redirects_with_a_code_the_app_exchanges_once(b24_emulator: Emulator) -> None:
    app = b24_emulator.register_app(redirect_uri="https://app.example/back", installed=True)
    response = _authorize(b24_emulator, client_id=app.client_id, state="s1")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.netloc, location.path) == ("app.example", "/back")
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert set(query) == {"code", "state", "domain", "member_id", "scope", "server_domain"}
    assert (query["state"], query["member_id"], query["scope"]) == ("s1", b24_emulator.member_id, app.scope)

    exchange: dict[str, Any] = {"grant_type": "authorization_code", "client_id": app.client_id, "code": query["code"]}
    wrong_secret = _token(b24_emulator, **exchange, client_secret="nope")
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    first = _token(b24_emulator, **exchange, client_secret=app.client_secret)
    assert first.status_code == 200 and _live(b24_emulator, first.json()["access_token"])
    again = _token(b24_emulator, **exchange, client_secret=app.client_secret)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")
    assert b24_emulator.token_requests("authorization_code", client_id=app.client_id, ok=True) == 1
    assert b24_emulator.token_requests("authorization_code", client_id=app.client_id, ok=False) == 2


def test_a_code_of_one_app_is_not_another_apps(b24_emulator: Emulator) -> None:
    other = b24_emulator.register_app(installed=True)
    code = b24_emulator.authorization_code()  # the configured app's
    response = _token(
        b24_emulator, grant_type="authorization_code", client_id=other.client_id, client_secret=other.client_secret, code=code
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_grant")
    credentials = b24_emulator.oauth_credentials()
    still_good = _token(
        b24_emulator,
        grant_type="authorization_code",
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        code=code,
    )
    assert still_good.status_code == 200


def test_authorize_for_an_unknown_or_uninstalled_app_shows_an_error_page(b24_emulator: Emulator) -> None:
    pending = b24_emulator.register_app(redirect_uri="https://app.example/back")
    for client_id in ("local.nobody", pending.client_id):
        response = _authorize(b24_emulator, client_id=client_id)
        assert response.status_code == 400 and "Location" not in response.headers
        assert "not installed" in response.text


def test_uninstall_tells_the_app_with_only_its_application_token_and_revokes_its_tokens(b24_emulator: Emulator) -> None:
    with Receiver() as receiver:
        app = b24_emulator.register_app(handler_url=receiver.url + "/install")
        b24_emulator.install_app(app.client_id)
        token = receiver.requests("/install")[0].form()["auth"]["access_token"]
        for event in ("ONAPPUNINSTALL", "ONCRMDEALADD"):
            bound = requests.post(
                f"{b24_emulator.base_url}/rest/event.bind",
                timeout=5,
                json={"auth": token, "event": event, "handler": f"{receiver.url}/{event}"},
            )
            assert bound.json()["result"] is True
        b24_emulator.uninstall_app(app.client_id, clean=False, language="de")
        b24_emulator.drain_deliveries()
        [request] = receiver.requests("/ONAPPUNINSTALL")
    form = request.form()
    assert (form["event"], form["data"]) == ("ONAPPUNINSTALL", {"LANGUAGE_ID": "de", "CLEAN": "0"})
    assert set(form["auth"]) == {"domain", "server_endpoint", "client_endpoint", "member_id", "application_token"}
    assert form["auth"]["application_token"] == app.application_token
    assert not app.installed and not _live(b24_emulator, token)
    assert b24_emulator.events.bindings(app.client_id) == []


def test_app_info_answers_for_the_app_whose_token_calls_it(b24_emulator: Emulator) -> None:
    with Receiver() as receiver:
        app = b24_emulator.register_app(handler_url=receiver.url)
        b24_emulator.install_app(app.client_id, mode="placement")
        token = receiver.requests()[0].form()["AUTH_ID"]

    def info() -> dict[str, Any]:
        response = requests.post(f"{b24_emulator.base_url}/rest/app.info", json={"auth": token}, timeout=5)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["result"]
        return result

    assert (info()["CODE"], info()["STATUS"], info()["INSTALLED"]) == (app.client_id, "L", False)
    b24_emulator.finish_install(app.client_id)
    assert info()["INSTALLED"] is True and info()["ID"] == app.id != b24_emulator.app().id
    webhook = requests.post(b24_emulator.webhook_url + "app.info", json={}, timeout=5)
    assert (webhook.status_code, webhook.json()["error"]) == (400, "ACCESS_DENIED")
