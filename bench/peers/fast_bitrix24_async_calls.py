"""1,000 concurrent single calls with fast_bitrix24's BitrixAsync (runs in .bench/peers-venv).

`asyncio.gather` of `call("crm.deal.get", {"id": n})`, one per deal, as a user of the
library writes concurrent single calls; its limits set to the portal's (time-scaled) ones.
"""

from __future__ import annotations

import asyncio

import fast_bitrix24
from common import ameasure, arguments, fast_bitrix24_options

args = arguments()


async def calls() -> list[object]:
    client = fast_bitrix24.BitrixAsync(args.webhook, **fast_bitrix24_options(args.time_scale))
    return await asyncio.gather(*(client.call("crm.deal.get", {"id": ident}) for ident in range(1, args.deals + 1)))


ameasure(calls, args.deals)
