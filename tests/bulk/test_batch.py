"""`b24.batch`: validation first, 50 commands per request, references, halt, honest partial failures."""

from __future__ import annotations

import pytest

from b24client import errors
from b24client.runtime.batch import BatchError, NotRunError, UnresolvedReferenceError
from b24client.runtime.exceptions import OutcomeUnknownError, ValidationError
from b24client.runtime.ratelimit import PortalRateLimiter


def _commands(portal):
    return [record.params.get("cmd") for record in portal.log if record.method == "batch"]


def _new_payment(client, deal_id: int) -> int:
    return client.crm.item.payment.add(entity_type_id=2, entity_id=deal_id)


def test_results_come_back_under_the_callers_labels(portal_factory, client_for):
    portal = portal_factory(deals=200)
    b24 = client_for(portal)
    result = b24.batch(
        {
            "first page": ("crm.deal.list", {"select": ["ID"], "start": -1}),
            ("tuple", 1): ("crm.deal.list", {"filter": {">ID": 100}, "select": ["ID", "TITLE"], "start": -1}),
        }
    )
    assert [row["ID"] for row in result["first page"]][:3] == ["1", "2", "3"]
    assert result[("tuple", 1)][0] == {"ID": "101", "TITLE": "Deal #101"}
    assert set(result.results) == {"first page", ("tuple", 1)}
    (cmd,) = _commands(portal)
    # The wire uses our own labels and PHP-style queries.
    assert set(cmd) == {"c0", "c1"}
    assert cmd["c1"].startswith("crm.deal.list?filter[>ID]=100&select[0]=ID&select[1]=TITLE")


def test_list_form_is_labelled_by_position(portal_factory, client_for):
    portal = portal_factory(deals=10)
    result = client_for(portal).batch([("crm.deal.list", {"select": ["ID"]}), ("crm.deal.list", {"start": 5})])
    assert len(result[0]) == 10 and result[1][0]["ID"] == "6"
    assert result.totals == {0: 10, 1: 10}


def test_more_than_fifty_commands_go_in_requests_of_fifty(portal_factory, client_for):
    portal = portal_factory(deals=5)
    b24 = client_for(portal)
    result = b24.batch([("crm.deal.list", {"filter": {"ID": index % 5 + 1}, "select": ["ID"]}) for index in range(120)])
    assert [len(cmd) for cmd in _commands(portal)] == [50, 50, 20]
    assert [result[index][0]["ID"] for index in range(120)] == [str(index % 5 + 1) for index in range(120)]


def test_references_inside_one_request_and_across_requests(portal_factory, client_for):
    portal = portal_factory(deals=3000)
    b24 = client_for(portal)
    with b24.batch() as batch:
        first = batch.call("crm.deal.list", {"start": -1, "select": ["ID"]}, label="first")
        second = batch.call("crm.deal.list", {"start": -1, "select": ["ID"], "filter": {">ID": first[49]["ID"]}})
        for index in range(60):  # pushes `late` into the second request
            batch.call("crm.deal.list", {"filter": {"ID": index + 1}, "select": ["ID"]}, label=f"filler{index}")
        batch.call("crm.deal.list", {"start": -1, "select": ["ID"], "filter": {">ID": second[49]["ID"]}}, label="late")
    assert batch.result is not None
    assert batch.result[second.label][0]["ID"] == "51"
    assert batch.result["late"][0]["ID"] == "101"
    first_cmd, second_cmd = _commands(portal)
    assert "filter[>ID]=$result[c0][49][ID]" in first_cmd["c1"]
    # The earlier request's result is already here: the value is sent, not a reference.
    assert second_cmd["c62"].endswith("filter[>ID]=100")


def test_typed_calls_are_validated_before_anything_is_sent(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    with pytest.raises(ValidationError) as caught, b24.batch() as batch:
        batch.crm.item.payment.get(id="not a number")
        batch.crm.item.payment.add(entity_type_id=2)  # entityId missing
        batch.call("batch", {"cmd": {}})
        batch.call("crm.deal.list", {"filter": {">ID": batch.call("crm.deal.list")["ID"]}}, label="fine")
    message = str(caught.value)
    assert "cmd[0].id" in message and "cmd[1].entityId" in message and "cmd[2]" in message
    assert "fine" not in message  # a reference where a value goes is not a problem
    assert portal.log == []


def test_an_empty_required_filter_is_refused_before_it_vanishes_from_the_query_string(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    payment_id = _new_payment(b24, 2)
    direct = b24.call("crm.item.payment.product.list", {"paymentId": payment_id, "filter": {}})  # JSON keeps {}
    assert direct == []
    sent_before = len(portal.log)
    with pytest.raises(ValidationError) as caught, b24.batch() as batch:
        batch.call("crm.item.payment.product.list", {"paymentId": payment_id, "filter": {}}, label="rows")
        batch.call("crm.deal.list", {"filter": {}}, label="optional")  # not required: dropping it changes nothing
    assert [(p.path, p.rule) for p in caught.value.problems] == [("cmd['rows'].filter", "empty_in_batch")]
    assert len(portal.log) == sent_before


def test_a_handle_stands_for_a_scalar_result(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    with b24.batch() as batch:
        payment = batch.crm.item.payment.add(entity_type_id=2, entity_id=2)  # the result is the new id itself
        batch.crm.item.payment.product.add(payment_id=payment, row_id=21, quantity=1)
    payment_id, item_id = batch.result[0], batch.result[1]
    assert b24.crm.item.payment.product.list(payment_id=payment_id, filter={}) == [
        {"id": item_id, "paymentId": payment_id, "quantity": 1.0, "rowId": 21}
    ]
    assert _commands(portal)[0]["c1"] == "crm.item.payment.product.add?paymentId=$result[c0]&rowId=21&quantity=1"


def test_reference_to_a_later_command_is_refused(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    batch = b24.batch()
    later_label = "later"
    batch.call("crm.deal.list", {"filter": {">ID": batch_ref(later_label)}})
    batch.call("crm.deal.list", label=later_label)
    with pytest.raises(ValidationError, match="not an earlier command"):
        batch.execute()


def batch_ref(label):
    from b24client.runtime.batch import Ref

    return Ref(label, (0, "ID"))


def test_partial_failure_names_successes_and_typed_failures(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    payment = _new_payment(b24, 1)
    with pytest.raises(BatchError) as caught:
        b24.batch(
            {
                "ok": ("crm.item.payment.get", {"id": payment}),
                "missing": ("crm.item.payment.get", {"id": 99999}),
                "deals": ("crm.deal.list", {"select": ["ID"]}),
            }
        )
    error = caught.value
    assert set(error.succeeded) == {"ok", "deals"} and error.succeeded["ok"]["id"] == payment
    assert isinstance(error.failed["missing"], errors.PaymentNotFound)
    assert error.failed["missing"].method == "crm.item.payment.get"
    assert error.not_run == []
    assert "'missing'" in str(error) and "c1" not in str(error)


def test_without_raising_the_result_carries_everything(portal_factory, client_for):
    portal = portal_factory(deals=3)
    result = client_for(portal).batch(
        {"bad": ("crm.item.payment.get", {"id": 5}), "good": ("crm.deal.list", {})}, raise_on_error=False
    )
    assert not result.ok and "good" in result and "bad" not in result
    with pytest.raises(errors.PaymentNotFound):
        result["bad"]


def test_halt_stops_at_the_first_error_across_requests(portal_factory, client_for):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    commands = [("crm.deal.list", {"select": ["ID"]})] * 3 + [("crm.item.payment.get", {"id": 404})]
    commands += [("crm.deal.list", {"select": ["ID"]})] * 60
    result = b24.batch(commands, halt=True, raise_on_error=False)
    assert list(result.results) == [0, 1, 2]
    assert list(result.errors) == [3]
    assert result.not_run == list(range(4, 64))
    assert len(_commands(portal)) == 1  # the second request was never sent
    with pytest.raises(NotRunError):
        result[10]


def test_a_reference_to_a_failed_command_in_an_earlier_request_fails_alone(portal_factory, client_for, processed):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    batch = b24.batch(raise_on_error=False)
    missing = batch.call("crm.item.payment.get", {"id": 777})
    for _ in range(55):
        batch.call("crm.deal.list", {"select": ["ID"]})
    batch.call("crm.item.payment.pay", {"id": missing["id"]}, label="pay")
    result = batch.execute()
    assert isinstance(result.errors["pay"], UnresolvedReferenceError)
    assert processed(portal, "crm.item.payment.pay") == 0


def test_a_limit_refusal_inside_batch_is_sent_again_after_the_wait(portal_factory, client_for):
    # Tiny operating budget and a 0.1 s window: some commands are refused, then run.
    portal = portal_factory(deals=500, limits_enabled=True, operating_limit_seconds=0.5, basket_seconds=0.6, time_scale=60)
    # A limiter that does not know this portal's budget: the portal refuses, the limiter
    # reads operating_reset_at from the refusal, and the refused commands go again.
    b24 = client_for(portal, rate_limiter=PortalRateLimiter(operating_limit=1e9, time_scale=60))
    result = b24.batch([("crm.deal.list", {"filter": {">ID": index}, "start": -1, "select": ["ID"]}) for index in range(20)])
    assert portal.counters["operation_time_limit"] > 0
    assert [result[index][0]["ID"] for index in range(20)] == [str(index + 1) for index in range(20)]


def test_unsafe_commands_are_not_repeated_when_the_reply_is_lost(portal_factory, client_for, processed):
    portal = portal_factory(deals=3)
    b24 = client_for(portal)
    payment = _new_payment(b24, 2)
    portal.inject("reset_after", "batch")
    with pytest.raises(BatchError) as caught:
        b24.batch({"pay": ("crm.item.payment.pay", {"id": payment}), "read": ("crm.deal.list", {})})
    assert isinstance(caught.value.failed["pay"], OutcomeUnknownError)
    assert processed(portal, "crm.item.payment.pay") == 1
    assert b24.crm.item.payment.get(id=payment)["paid"] == "Y"


def test_safe_batches_are_retried_through_faults(portal_factory, client_for):
    portal = portal_factory(deals=60)
    b24 = client_for(portal)
    for fault in ("503", "500", "reset_after", "html", "truncated"):
        portal.inject(fault, "batch")
    result = b24.batch([("crm.deal.list", {"start": 50})])
    assert len(result[0]) == 10
    assert portal.faults.pending() == 0
