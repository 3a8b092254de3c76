"""fast_bitrix24 `BitrixAsync.get_all` over the emulator (runs in .bench/peers-venv), with the
portal's own (time-scaled) limits, as bench/peers/fast_bitrix24_export.py sets them."""

from __future__ import annotations

import fast_bitrix24
from common import ameasure, arguments, fast_bitrix24_options

args = arguments()


def export():  # type: ignore[no-untyped-def]
    client = fast_bitrix24.BitrixAsync(args.webhook, **fast_bitrix24_options(args.time_scale))
    return client.get_all("crm.deal.list", {"select": ["ID", "TITLE"]})


ameasure(export, args.deals)
