"""fast_bitrix24 and b24pysdk through the shared scenario steps, each with its own helpers.

Each step uses the peer's idiomatic API for the job (fast_bitrix24's `get_all` and
`call` with a list, b24pysdk's `as_list`/`as_list_fast` and `call_batch`), since that is
where clients differ in what they send: `__order` keys in batch commands, `.json` URLs,
`start=-1` paging by `>ID`, tuple commands with `$result[...]` references.
"""

from __future__ import annotations

from typing import Any

from . import crm_flow
from .checks import DEALS, LIST_ABOVE, Recorder, expect


def _ids(records: Any) -> list[int]:
    rows = records["items"] if isinstance(records, dict) and "items" in records else records
    return [int(row.get("ID", row.get("id"))) for row in rows]


def _export_ok(ids: list[int]) -> str:
    expect(sorted(ids) == list(range(1, DEALS + 1)), f"{len(ids)} ids, {len(set(ids))} unique; want 1..{DEALS}")
    return f"{len(ids)} deals"


def _payment(call: Any, portal_url: str) -> str:
    payment = int(call("crm.item.payment.add", {"entityTypeId": 2, "entityId": 1}))
    item = int(call("crm.item.payment.product.add", {"paymentId": payment, "rowId": 11, "quantity": 1}))
    expect(call("crm.item.payment.pay", {"id": payment}) is True, "pay did not answer true")
    got = call("crm.item.payment.get", {"id": payment})
    expect(got["paid"] == "Y" and float(got["sum"]) == 100.0, f"payment after pay: {got}")
    link = call("salescenter.payment.getPublicUrl", {"id": payment})
    url = link.get("payment", link)["url"]  # fast_bitrix24 unwraps a one-key result ({"payment": ...})
    expect(isinstance(url, str) and url.startswith(f"{portal_url}/pub/payment/{payment}/"), f"public url {url!r}")
    return f"payment {payment}, item {item}, {url}"


def fast_bitrix24(webhook: str, portal_url: str) -> Recorder:
    from fast_bitrix24 import Bitrix

    rec = Recorder("fast_bitrix24")
    b = Bitrix(webhook, verbose=False)

    def call(method: str, params: dict[str, Any]) -> Any:
        if method.endswith(".list"):  # call() hands back one row bare; lists go through get_all
            return b.get_all(method, params)
        # call() sends even one item as a batch command labelled `order0000000000` and hands
        # a record (a dict result) back under that label; a list or a scalar comes back bare
        result = b.call(method, params)
        if isinstance(result, dict) and list(result) == ["order0000000000"]:
            return result["order0000000000"]
        return result

    def listing() -> str:
        page = b.call("crm.deal.list", {"filter": {">ID": LIST_ABOVE}, "select": ["ID", "TITLE"]}, raw=True)
        expect(_ids(page["result"]) == list(range(LIST_ABOVE + 1, DEALS + 1)), f"page: {page}")
        expect(page.get("total") == DEALS - LIST_ABOVE, f"total {page.get('total')}")
        return f"{len(page['result'])} rows"

    def call_many() -> str:
        ids = b.call("crm.contact.add", [{"fields": {"NAME": f"Many {i}"}} for i in range(3)])
        expect(len(set(map(int, ids))) == 3, f"call() with a list answered {ids}")
        return f"ids {ids}"

    def batch() -> str:
        result = b.call_batch(
            {
                "halt": 0,
                "cmd": {
                    "add": "crm.contact.add?fields[NAME]=Referenced",
                    "get": "crm.contact.get?id=$result[add]",
                    "deals": "crm.deal.list?filter[>ID]=$result[add]&select[]=ID&start=-1",
                },
            }
        )
        expect(result["get"]["NAME"] == "Referenced", f"get by reference: {result['get']}")
        expect(int(result["get"]["ID"]) == int(result["add"]), "the reference named another record")
        return f"contact {result['add']}"

    def error() -> str:
        try:
            b.call("crm.item.payment.get", {"id": 999999})
        except Exception as exc:  # fast_bitrix24 raises its own error types
            expect("not been found" in str(exc).lower(), f"the description is lost: {exc}")
            return str(exc)[:120]
        raise AssertionError("a missing payment did not raise")

    rec.step("list", listing)
    rec.step("export get_all", lambda: _export_ok(_ids(b.get_all("crm.deal.list", {"select": ["ID"]}))))
    rec.step("call with a list", call_many)
    rec.step("batch with references", batch)
    rec.step("payment family", lambda: _payment(call, portal_url))
    rec.step("crm integration", lambda: crm_flow.run(call))
    rec.step("error reply", error)
    return rec


def b24pysdk(domain: str, webhook_token: str, portal_url: str) -> Recorder:
    from b24pysdk import BitrixWebhook, Client

    rec = Recorder("b24pysdk")
    token = BitrixWebhook(domain=domain, webhook_token=webhook_token)
    client = Client(token)

    def call(method: str, params: dict[str, Any]) -> Any:
        return token.call_method(method, params)["result"]

    def listing() -> str:
        request = client.crm.deal.list(filter={">ID": LIST_ABOVE}, select=["ID", "TITLE"])
        expect(_ids(request.result) == list(range(LIST_ABOVE + 1, DEALS + 1)), f"page: {request.result}")
        return f"{len(request.result)} rows"

    def batch() -> str:
        response = token.call_batch(
            {
                "add": ("crm.contact.add", {"fields": {"NAME": "Referenced"}}),
                "get": ("crm.contact.get", {"id": "$result[add]"}),
            }
        )
        result = response["result"]["result"]
        expect(result["get"]["NAME"] == "Referenced", f"get by reference: {result['get']}")
        return f"contact {result['add']}"

    def error() -> str:
        try:
            token.call_method("crm.item.payment.get", {"id": 999999})
        except Exception as exc:
            expect("not been found" in str(exc).lower(), f"the description is lost: {exc!r}")
            return repr(exc)[:120]
        raise AssertionError("a missing payment did not raise")

    rec.step("list", listing)
    rec.step("export as_list", lambda: _export_ok(_ids(client.crm.deal.list(select=["ID"]).as_list().result)))
    rec.step("export as_list_fast", lambda: _export_ok(_ids(list(client.crm.deal.list(select=["ID"]).as_list_fast().result))))
    rec.step("batch with references", batch)
    rec.step("payment family", lambda: _payment(call, portal_url))
    rec.step("crm integration", lambda: crm_flow.run(call))
    rec.step("error reply", error)
    return rec
