"""`start` of offset lists has one home: codegen adds it to every offset-paged spec that lacks
it (codegen/load.with_list_params), so the validator knows it like any documented parameter,
on the client and in the emulator, which runs the same check.

The emulator used to drop `start` before validating where the spec spelt it otherwise
(bizproc.task.list documents `START`): the client refused `start="x"` and the portal took it.
"""

from __future__ import annotations

import warnings

import pytest
import requests

import b24client
from b24client.emulator import Emulator, EmulatorConfig
from b24client.runtime import specs
from tests.conftest import make_client

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24


def test_every_offset_list_documents_its_start() -> None:
    paged = [(spec, spec.get("pagination") or {}) for spec in map(specs.get, b24client.methods()) if spec is not None]
    offset_lists = [(spec, pagination) for spec, pagination in paged if pagination.get("style") == "offset"]
    assert len(offset_lists) > 100
    for spec, pagination in offset_lists:
        start = pagination.get("start_param", "start").lower()
        assert start in {name.lower() for name in spec["params"]}, spec["method"]


@pytest.mark.parametrize("method", ["bizproc.task.list", "crm.deal.list"])
def test_the_portal_refuses_the_start_the_client_refuses(method: str) -> None:
    assert [p.rule for p in b24client.validate(method, {"start": "x"})] == ["type"]
    with Emulator() as portal:
        reply = requests.post(portal.webhook_url + method, json={"start": "x"}, timeout=10)
    assert reply.status_code == 400 and "start" in reply.json()["error_description"].lower()


def test_a_strict_client_and_a_strict_portal_take_a_good_start() -> None:
    with Emulator(EmulatorConfig(strict_params=True)) as portal:
        b24 = make_client(webhook=portal.webhook_url, strict=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no UnknownParameterWarning either
            b24.call("bizproc.task.list", {"start": 50})
        assert [(record.method, record.ignored) for record in portal.log] == [("bizproc.task.list", ())]
