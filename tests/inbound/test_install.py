"""Installation against the emulator: ONAPPINSTALL, the install form, the code exchange."""

from __future__ import annotations

import logging

import pytest
import requests

from b24client.runtime.exceptions import AuthenticationError
from b24client.runtime.inbound import (
    EventRouter,
    ForgedEventError,
    InboundFormatError,
    Installer,
    InstallError,
    MemoryTokenStore,
    PortalTokens,
    UnknownPortalError,
    WSGIEventApp,
    parse,
    portal_client,
)
from b24client.runtime.retry import NO_RETRY
from tests.inbound.conftest import FORM, TOKEN, event_fields, php_form, wsgi_server

MEMBER = "emulator-member"


def install_fields(portal, *, access_token=None, token=TOKEN, **overrides):
    credentials = portal.oauth_credentials()
    host = portal.base_url.removeprefix("http://")
    fields = event_fields(
        "ONAPPINSTALL",
        token=token,
        member_id=MEMBER,
        domain=host,
        data={"VERSION": "1", "ACTIVE": "Y", "INSTALLED": "Y", "LANGUAGE_ID": "en"},
        access_token=access_token or credentials["access_token"],
        refresh_token=credentials["refresh_token"],
        client_endpoint=credentials["client_endpoint"],
    )
    fields["auth"].update(overrides)
    return fields


def installer_for(portal, store):
    credentials = portal.oauth_credentials()
    return Installer(
        store, client_id=credentials["client_id"], client_secret=credentials["client_secret"], token_url=credentials["token_url"]
    )


def test_install_event_stores_the_portal_after_the_portal_vouches_for_its_token(b24_emulator):
    store = MemoryTokenStore()
    installer = installer_for(b24_emulator, store)
    event = parse(php_form(install_fields(b24_emulator)), FORM, application_token=None)
    assert not event.verified
    tokens = installer.install_event(event)
    assert store.get(MEMBER) == tokens
    assert tokens.application_token == TOKEN and tokens.portal_url == b24_emulator.base_url
    checks = [record for record in b24_emulator.log if record.method == "app.info"]
    assert [record.status for record in checks] == [200]
    # From now on, that portal's events verify against the stored token.
    router = EventRouter(store=store)
    assert router.receive(php_form(event_fields(member_id=MEMBER)), FORM).verified
    with pytest.raises(ForgedEventError):
        router.receive(php_form(event_fields(member_id=MEMBER, token="1" * 32)), FORM)


def test_an_install_with_a_token_the_portal_does_not_know_is_refused(b24_emulator):
    store = MemoryTokenStore()
    event = parse(php_form(install_fields(b24_emulator, access_token="forged" * 5)), FORM, application_token=None)
    with pytest.raises(InstallError, match="did not accept the install's access token") as caught:
        installer_for(b24_emulator, store).install_event(event)
    assert "forged" not in str(caught.value)
    assert store.get(MEMBER) is None


def test_an_install_may_not_point_elsewhere_or_take_over_a_member_id(b24_emulator):
    store = MemoryTokenStore()
    installer = installer_for(b24_emulator, store)
    elsewhere = install_fields(b24_emulator, client_endpoint="http://127.0.0.1:1/rest/")
    with pytest.raises(InstallError, match="names another REST address"):
        installer.install_event(parse(php_form(elsewhere), FORM, application_token=None))
    store.save(PortalTokens(member_id=MEMBER, domain="real.bitrix24.com", access_token="x"))
    with pytest.raises(InstallError, match=r"is installed on 'real\.bitrix24\.com'"):
        installer.install_event(parse(php_form(install_fields(b24_emulator)), FORM, application_token=None))
    assert store.get(MEMBER).domain == "real.bitrix24.com"


def test_the_router_installs_then_dispatches_and_uninstall_forgets(b24_emulator):
    store = MemoryTokenStore()
    router = EventRouter(store=store, installer=installer_for(b24_emulator, store), background=False)
    seen: list = []
    router.on("*")(seen.append)
    with wsgi_server(WSGIEventApp(router)) as url:

        def post(fields):
            return requests.post(url, data=php_form(fields), headers={"Content-Type": FORM}, timeout=10)

        assert post(event_fields(member_id=MEMBER)).status_code == 403  # not installed yet
        assert post(install_fields(b24_emulator)).status_code == 200
        assert post(event_fields(member_id=MEMBER)).status_code == 200
        assert post(event_fields("ONAPPUNINSTALL", member_id=MEMBER, data={"CLEAN": "0"})).status_code == 200
        assert post(event_fields(member_id=MEMBER)).status_code == 403  # forgotten
    assert [event.name for event in seen] == ["ONAPPINSTALL", "ONCRMDEALADD", "ONAPPUNINSTALL"]
    assert store.get(MEMBER) is None


def test_install_form_tokens_work_for_calls(b24_emulator):
    credentials = b24_emulator.oauth_credentials()
    store = MemoryTokenStore()
    host = b24_emulator.base_url.removeprefix("http://")
    body = php_form(
        {
            "AUTH_ID": credentials["access_token"],
            "AUTH_EXPIRES": "3600",
            "REFRESH_ID": credentials["refresh_token"],
            "SERVER_ENDPOINT": credentials["token_url"],
            "APPLICATION_TOKEN": TOKEN,
            "APPLICATION_SCOPE": "crm",
            "member_id": MEMBER,
            "status": "L",
            "PLACEMENT": "DEFAULT",
        }
    )
    tokens = installer_for(b24_emulator, store).install_form(body, FORM, f"DOMAIN={host}&PROTOCOL=0&LANG=en")
    assert tokens.application_token == TOKEN and tokens.expires_at is not None
    with portal_client(
        store,
        domain=host,
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        token_url=credentials["token_url"],
        retry=NO_RETRY,
        rate_limiter=None,
    ) as b24:
        assert b24.call("app.info")["CODE"] == credentials["client_id"]  # the stored token acts for our app


def test_an_install_form_without_its_tokens_lists_what_is_missing():
    with pytest.raises(InboundFormatError) as caught:
        Installer(MemoryTokenStore(), client_id="c", client_secret="s").install_form(b"member_id=m", FORM, "")
    assert caught.value.problems == ["AUTH_ID: missing", "REFRESH_ID: missing", "DOMAIN: missing"]


def test_authorization_code_exchange_goes_to_the_configured_server(b24_emulator, caplog):
    caplog.set_level(logging.DEBUG, logger="urllib3")
    store = MemoryTokenStore()
    installer = installer_for(b24_emulator, store)
    code = b24_emulator.authorization_code()
    tokens = installer.authorize(f"code={code}&state=s1&member_id=ignored&domain=x", state="s1")
    assert tokens.member_id == b24_emulator.member_id  # from the authorization server's reply, not the query
    assert store.get(b24_emulator.member_id) == tokens
    with pytest.raises(AuthenticationError) as caught:  # a code is single-use
        installer.authorize({"code": code})
    assert caught.value.code == "invalid_grant" and code not in str(caught.value)
    with pytest.raises(InstallError, match="state does not match"):
        installer.authorize({"code": b24_emulator.authorization_code(), "state": "other"}, state="s1")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/oauth/token/" in logged  # urllib3 did log the token request line ...
    secret = b24_emulator.oauth_credentials()["client_secret"]
    assert secret not in logged and code not in logged  # ... with the client secret and the code masked


def test_portal_client_needs_a_stored_portal():
    with pytest.raises(UnknownPortalError):
        portal_client(MemoryTokenStore(), member_id="nobody", client_id="c", client_secret="s")


def test_app_code_requires_the_token_to_be_this_apps(b24_emulator):
    other = b24_emulator.register_app(installed=True)
    foreign = install_fields(b24_emulator, access_token=b24_emulator.app_tokens(other.client_id)["access_token"])
    event = parse(php_form(foreign), FORM, application_token=None)
    credentials = b24_emulator.oauth_credentials()
    strict = Installer(
        MemoryTokenStore(),
        client_id=credentials["client_id"],
        client_secret=credentials["client_secret"],
        token_url=credentials["token_url"],
        app_code=credentials["client_id"],
    )
    with pytest.raises(InstallError, match="belongs to app"):
        strict.install_event(event)
    own = parse(php_form(install_fields(b24_emulator)), FORM, application_token=None)
    assert strict.install_event(own).member_id == MEMBER
