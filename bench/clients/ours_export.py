"""b24client `iterate` over the emulator, with the default limiter set to the portal's time scale."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "peers"))

from common import arguments, measure

from b24client import Bitrix24
from b24client.runtime.ratelimit import PortalRateLimiter

args = arguments(workers=True)

client = Bitrix24(webhook=args.webhook, rate_limiter=PortalRateLimiter(time_scale=args.time_scale))
measure(lambda: client.iterate("crm.deal.list", {"select": ["ID", "TITLE"]}, workers=args.workers), args.deals)
