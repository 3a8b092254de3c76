"""b24client `iterate` over the emulator, with the default limiter set to the portal's time scale."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "peers"))

from common import measure

from b24client import Bitrix24
from b24client.runtime.ratelimit import PortalRateLimiter

parser = argparse.ArgumentParser()
parser.add_argument("--webhook", required=True)
parser.add_argument("--deals", type=int, required=True)
parser.add_argument("--time-scale", type=float, default=1.0)
parser.add_argument("--workers", type=int, default=4)
args = parser.parse_args()

client = Bitrix24(webhook=args.webhook, rate_limiter=PortalRateLimiter(time_scale=args.time_scale))
measure(lambda: client.iterate("crm.deal.list", {"select": ["ID", "TITLE"]}, workers=args.workers), args.deals)
