"""1,000 concurrent single calls with AsyncBitrix24: `asyncio.gather` of `crm.deal.get`, limits on."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "peers"))

from common import ameasure, arguments

from b24client import AsyncBitrix24
from b24client.runtime.ratelimit import PortalRateLimiter

args = arguments()


async def calls() -> list[object]:
    async with AsyncBitrix24(webhook=args.webhook, rate_limiter=PortalRateLimiter(time_scale=args.time_scale)) as client:
        return await asyncio.gather(*(client.crm.deal.get(id=ident) for ident in range(1, args.deals + 1)))


ameasure(calls, args.deals)
