"""Mistakes reported in the user's words: one problem per slip, with what to write instead."""

from __future__ import annotations

import pytest

from b24client import errors
from b24client.emulator import Emulator
from tests.conftest import make_client

pytestmark = pytest.mark.usefixtures("client_kind")  # each test for Bitrix24 and AsyncBitrix24


@pytest.mark.parametrize("slip", ["entityId", "ENTITYID", "entity_idd"])
def test_a_misspelt_keyword_is_one_problem_naming_the_keyword(b24_emulator: Emulator, slip: str) -> None:
    b24 = make_client(webhook=b24_emulator.webhook_url)
    with pytest.raises(errors.ValidationError) as caught:
        b24.crm.item.payment.add(**{slip: 5, "entity_type_id": 2})  # type: ignore[arg-type]
    assert [(p.path, p.rule) for p in caught.value.problems] == [(slip, "unknown")]  # not also "entityId missing"
    assert "did you mean entity_id=?" in str(caught.value)
    assert b24_emulator.log == []


def test_the_same_slip_inside_a_batch_is_reported_the_same_way(b24_emulator: Emulator) -> None:
    b24 = make_client(webhook=b24_emulator.webhook_url)
    with pytest.raises(errors.ValidationError) as caught, b24.batch() as batch:
        batch.crm.item.payment.add(entityId=5, entity_type_id=2)  # type: ignore[call-arg]
    assert [(p.path, p.rule) for p in caught.value.problems] == [("cmd[0].entityId", "unknown")]
    assert b24_emulator.log == []


def test_an_unknown_method_is_sent_and_its_404_names_the_method_meant(b24_emulator: Emulator) -> None:
    b24 = make_client(webhook=b24_emulator.webhook_url)
    with pytest.raises(errors.ErrorMethodNotFound) as caught:
        b24.call("crm.deal.lst")
    assert caught.value.status == 404 and caught.value.hint == "did you mean crm.deal.list?"
    assert str(caught.value).endswith("(did you mean crm.deal.list?)")
    assert [record.method for record in b24_emulator.log] == ["crm.deal.lst"]  # asked, not refused
    with pytest.raises(errors.ErrorMethodNotFound) as far:
        b24.call("zzz.qqq")
    assert far.value.hint is None


def test_a_typed_calls_problem_names_the_keyword_it_wrote(b24_emulator: Emulator) -> None:
    b24 = make_client(webhook=b24_emulator.webhook_url)
    with pytest.raises(errors.ValidationError) as caught:
        b24.crm.item.payment.add(entity_id="x", entity_type_id=2)  # type: ignore[arg-type]
    assert "  - entity_id (entityId): must be integer" in str(caught.value)
    assert caught.value.problems[0].path == "entityId"  # the path stays the wire's, as validate() gives it
    with pytest.raises(errors.ValidationError) as generic:
        b24.call("crm.item.payment.add", {"entityId": "x", "entityTypeId": 2})
    assert "  - entityId: must be integer" in str(generic.value)  # the generic form wrote wire names
