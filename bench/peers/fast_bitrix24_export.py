"""fast_bitrix24 `get_all` over the emulator (runs in .bench/peers-venv).

Adapter: none needed for http — fast_bitrix24 accepts any URL with a scheme, host and
path. It is configured with the portal's own (time-scaled) limits, as its options allow:
`requests_per_second` is the emulator's drain rate, and its operating-time window (a
module constant, 600 s) is divided by the same time scale.
"""

from __future__ import annotations

import argparse
import logging

import fast_bitrix24
from common import measure
from fast_bitrix24 import srh

parser = argparse.ArgumentParser()
parser.add_argument("--webhook", required=True)
parser.add_argument("--deals", type=int, required=True)
parser.add_argument("--time-scale", type=float, default=1.0)
args = parser.parse_args()

srh.BITRIX_MEASUREMENT_PERIOD = 600 / args.time_scale
logging.getLogger("fast_bitrix24").setLevel(logging.CRITICAL)
client = fast_bitrix24.Bitrix(args.webhook, verbose=False, requests_per_second=2.0 * args.time_scale)
measure(lambda: client.get_all("crm.deal.list", {"select": ["ID", "TITLE"]}), args.deals)
