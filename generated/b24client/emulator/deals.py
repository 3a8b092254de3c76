"""crm.deal.list and crm.item.list over the seeded deals, priced by the cost model.

Both methods page by 50 with `start`; `start=-1` skips the count (`total` 0, no `next`),
which is what makes them cheap in the cost model, as on a real portal (huge-data.md).
"""

from __future__ import annotations

from .calls import Call, Handler, Reply, as_int, get_ci
from .limits import CostModel
from .lists import DealStore, Flavor, QueryError, entity_type_supported


class DealMethods:
    def __init__(self, deals: DealStore, costs: CostModel) -> None:
        self.deals = deals
        self.costs = costs

    def handlers(self) -> dict[str, Handler]:
        return {"crm.deal.list": self.deal_list, "crm.item.list": self.item_list}

    def _page(self, call: Call, flavor: Flavor) -> Reply:
        try:
            page = self.deals.query(
                flavor,
                filter_=get_ci(call.params, "filter"),
                order=get_ci(call.params, "order"),
                select=get_ci(call.params, "select"),
                start=call.params.get("start", 0),
            )
        except QueryError as exc:
            raise call.fail("invalid", str(exc), code="INVALID_ARG_VALUE" if flavor == "item" else "") from None
        cost = self.costs.list_page(len(page.records), page.total, page.skipped)
        result = page.records if flavor == "deal" else {"items": page.records}
        return Reply(result, total=page.wire_total, next=page.next, cost=cost)

    def deal_list(self, call: Call) -> Reply:
        return self._page(call, "deal")

    def item_list(self, call: Call) -> Reply:
        entity_type = as_int(get_ci(call.params, "entityTypeId"))
        supported = entity_type_supported(entity_type) if entity_type is not None else None
        if supported is None:
            raise call.fail("not_found", "SPA not found", code="NOT_FOUND")
        if not supported:
            return Reply({"items": []}, total=0, cost=self.costs.list_page(0, 0, 0))
        return self._page(call, "item")
