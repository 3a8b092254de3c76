"""fast_bitrix24 `get_all` over the emulator (runs in .bench/peers-venv).

Adapter: none needed for http — fast_bitrix24 accepts any URL with a scheme, host and
path. It is configured with the portal's own (time-scaled) limits, as its options allow:
`requests_per_second` is the emulator's drain rate, and its operating-time window (a
module constant, 600 s) is divided by the same time scale.
"""

from __future__ import annotations

import fast_bitrix24
from common import arguments, fast_bitrix24_options, measure

args = arguments()
client = fast_bitrix24.Bitrix(args.webhook, **fast_bitrix24_options(args.time_scale))
measure(lambda: client.get_all("crm.deal.list", {"select": ["ID", "TITLE"]}), args.deals)
