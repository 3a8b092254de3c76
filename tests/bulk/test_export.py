"""`b24.iterate`: every record exactly once, in either order, in few requests, through faults."""

from __future__ import annotations

import itertools
import json
import math

import pytest

STRATEGIES = ["cursor", "partitioned", "offset"]


def _ids(records, key="ID"):
    return [int(record[key]) for record in records]


def _batch_requests(portal):
    return sum(1 for record in portal.log if record.method == "batch")


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_every_record_once_in_the_requested_order(portal_factory, client_for, strategy, direction):
    portal = portal_factory(deals=6_137)
    b24 = client_for(portal)
    ids = _ids(b24.iterate("crm.deal.list", {"select": ["ID", "TITLE"], "order": {"ID": direction}}, strategy=strategy))
    expected = list(range(1, 6_138))
    assert ids == (expected if direction == "ASC" else expected[::-1])


@pytest.mark.parametrize("strategy", ["cursor", "partitioned"])
def test_gaps_in_ids_do_not_lose_or_repeat_records(portal_factory, client_for, strategy):
    portal = portal_factory(deals=9_000)
    gone = set(range(1, 9_001, 7)) | set(range(4_000, 6_500))  # sparse, with a long hole
    for deal_id in gone:
        portal.deals.delete(deal_id)
    b24 = client_for(portal)
    ids = _ids(b24.iterate("crm.deal.list", {"select": ["ID"]}, strategy=strategy, workers=3))
    assert sorted(ids) == sorted(set(range(1, 9_001)) - gone)
    assert len(ids) == len(set(ids))


def test_crm_item_list_reads_ids_inside_items(portal_factory, client_for):
    portal = portal_factory(deals=3_001)
    b24 = client_for(portal)
    records = list(b24.iterate("crm.item.list", {"entityTypeId": 2, "select": ["id", "title"]}, workers=2))
    assert sorted(_ids(records, "id")) == list(range(1, 3_002))


def test_the_serial_chain_uses_one_request_per_2500_records(portal_factory, client_for):
    portal = portal_factory(deals=12_500)
    b24 = client_for(portal)
    assert len(list(b24.iterate("crm.deal.list", {"select": ["ID"]}, strategy="cursor"))) == 12_500
    assert portal.counters["requests"] <= math.ceil(12_500 / 2_500) + 1


def test_partitions_stay_within_one_request_per_2500_records_plus_one(portal_factory, client_for):
    portal = portal_factory(deals=25_000)
    b24 = client_for(portal)
    assert len(list(b24.iterate("crm.deal.list", {"select": ["ID"]}, workers=4))) == 25_000
    assert portal.counters["requests"] <= math.ceil(25_000 / 2_500) + 1


def test_callers_id_bounds_and_other_conditions_are_kept(portal_factory, client_for):
    portal = portal_factory(deals=1_000)  # a filter beyond ids makes the emulator scan: keep it small
    b24 = client_for(portal)
    query = {"filter": {">=ID": 200, "<ID": 800, "STAGE_ID": "WON"}, "select": ["ID", "STAGE_ID"]}
    for strategy in STRATEGIES:
        records = list(b24.iterate("crm.deal.list", query, strategy=strategy))
        assert {record["STAGE_ID"] for record in records} == {"WON"}
        ids = _ids(records)
        assert len(ids) == len(set(ids)) and min(ids) >= 200 and max(ids) < 800
        expected = [deal for deal in range(200, 800) if portal.deals.record(deal)["STAGE_ID"] == "WON"]
        assert sorted(ids) == expected, strategy


def test_id_added_to_select_for_the_cursor_is_not_returned(portal_factory, client_for):
    portal = portal_factory(deals=120)
    records = list(client_for(portal).iterate("crm.deal.list", {"select": ["TITLE"]}))
    assert len(records) == 120 and all(set(record) == {"TITLE"} for record in records)


def test_other_orders_fall_back_to_offsets(portal_factory, client_for):
    portal = portal_factory(deals=400)
    b24 = client_for(portal)
    records = list(b24.iterate("crm.deal.list", {"select": ["ID", "TITLE"], "order": {"TITLE": "ASC"}}))
    assert [record["TITLE"] for record in records] == sorted(record["TITLE"] for record in records)
    assert sorted(_ids(records)) == list(range(1, 401))
    with pytest.raises(ValueError, match="cursor"):
        list(b24.iterate("crm.deal.list", {"order": {"TITLE": "ASC"}}, strategy="cursor"))


def test_iteration_is_lazy(portal_factory, client_for):
    portal = portal_factory(deals=100_000)
    b24 = client_for(portal)
    for strategy in ("cursor", "partitioned"):
        portal.reset()
        first = list(itertools.islice(b24.iterate("crm.deal.list", {"select": ["ID"]}, strategy=strategy), 10))
        assert _ids(first) == list(range(1, 11))
        # Stopping early stops the workers: far fewer requests than the 40 a full export takes.
        assert portal.counters["requests"] <= 6


def test_records_added_ahead_of_an_ascending_cursor_are_included(portal_factory, client_for):
    portal = portal_factory(deals=3_000)
    b24 = client_for(portal)
    records = b24.iterate("crm.deal.list", {"select": ["ID"]}, strategy="cursor")
    seen = _ids(itertools.islice(records, 10))
    portal.seed_deals(3_100)  # 100 new deals, all after the cursor
    portal.deals.delete(2_800)  # one beyond the first request's 2,500 records is deleted
    portal.deals.delete(5)  # one already read: it was returned before it went
    seen += _ids(records)
    assert sorted(seen) == [deal for deal in range(1, 3_101) if deal != 2_800]


def test_export_survives_injected_503s_and_connection_resets(portal_factory, client_for):
    portal = portal_factory(deals=20_000, fault_rates={"503": 0.05, "reset_before": 0.005, "reset_after": 0.005}, fault_seed=7)
    b24 = client_for(portal, attempts=10)
    for strategy in ("cursor", "partitioned"):
        ids = _ids(b24.iterate("crm.deal.list", {"select": ["ID"]}, strategy=strategy))
        assert sorted(ids) == list(range(1, 20_001)) and len(ids) == len(set(ids)), strategy


def test_method_without_paging_is_called_once(portal_factory, client_for):
    portal = portal_factory(deals=2)
    b24 = client_for(portal)
    b24.crm.item.payment.add(entity_type_id=2, entity_id=1)
    records = list(b24.iterate("crm.item.payment.list", {"entityTypeId": 2, "entityId": 1}))
    assert len(records) == 1 and portal.counters["requests"] == 2


def test_progress_bar_when_asked(portal_factory, client_for, capsys):
    pytest.importorskip("tqdm")
    portal = portal_factory(deals=300)
    records = list(client_for(portal).iterate("crm.deal.list", {"select": ["ID"]}, progress=True))
    assert len(records) == 300
    assert "records" in capsys.readouterr().err


def test_no_progress_bar_off_a_terminal_by_default(portal_factory, client_for, capsys):
    portal = portal_factory(deals=300)
    assert len(list(client_for(portal).iterate("crm.deal.list", {"select": ["ID"]}))) == 300
    assert capsys.readouterr().err == ""


def test_offset_limit_lists_are_walked_until_a_short_page(portal_factory, client_for):
    # im.recent.list pages by OFFSET/LIMIT and reports no total; iterate used to treat it as
    # a start/next list and yield nothing. Three scripted pages of 2, 2 and 1 dialogs.
    portal = portal_factory()
    b24 = client_for(portal)
    for ids in ([1, 2], [3, 4], [5]):
        portal.respond_once("im.recent.list", 200, {"result": {"items": [{"id": i} for i in ids], "hasMore": len(ids) == 2}})
    records = list(b24.iterate("im.recent.list", {"LIMIT": 2, "SKIP_CHAT": "N"}))
    assert [record["id"] for record in records] == [1, 2, 3, 4, 5]
    sent = [json.loads(r.raw_body) for r in portal.log if r.method == "im.recent.list"]
    assert [(body["OFFSET"], body["LIMIT"], body["SKIP_CHAT"]) for body in sent] == [(0, 2, "N"), (2, 2, "N"), (4, 2, "N")]


def test_an_offset_limit_list_answering_its_docs_example_ends_after_one_page(portal_factory, client_for):
    portal = portal_factory(stateful=False)
    b24 = client_for(portal)
    example = portal.specs.example("im.recent.list")["response"]["body"]["result"]["items"]
    records = list(b24.iterate("im.recent.list"))
    assert records == example and len(records) > 0
