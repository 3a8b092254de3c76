"""b24client `AsyncBitrix24.iterate` over the emulator: `workers` id ranges as tasks on one loop."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "peers"))

from common import ameasure, arguments

from b24client import AsyncBitrix24
from b24client.runtime.ratelimit import PortalRateLimiter

args = arguments(workers=True)


async def export():  # type: ignore[no-untyped-def]
    async with AsyncBitrix24(webhook=args.webhook, rate_limiter=PortalRateLimiter(time_scale=args.time_scale)) as client:
        async for record in client.iterate("crm.deal.list", {"select": ["ID", "TITLE"]}, workers=args.workers):
            yield record


ameasure(export, args.deals)
