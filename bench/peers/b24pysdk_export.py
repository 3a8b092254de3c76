"""b24pysdk `crm.deal.list().as_list_fast()` over the emulator (runs in .bench/peers-venv).

Adapter: b24pysdk builds every URL as `https://{domain}/rest/...` with no option for
plain http, so the one property that builds it (`_MethodCaller._base_url`, used for
single calls and batches alike) is replaced to say `http://`. The domain is the
emulator's `127.0.0.1:<port>`. b24pysdk has no rate limiter to configure.
"""

from __future__ import annotations

import importlib
import logging
from urllib.parse import urlsplit

from b24pysdk import BitrixWebhook, Client
from common import arguments, measure

args = arguments()

method_caller = importlib.import_module("b24pysdk.api.callers.call_method")._MethodCaller
method_caller._base_url = property(lambda self: f"http://{self._domain}/rest")
logging.disable(logging.WARNING)
parts = urlsplit(args.webhook)
user_id, token = [segment for segment in parts.path.split("/") if segment][-2:]
client = Client(BitrixWebhook(domain=parts.netloc, webhook_token=f"{user_id}/{token}"))
measure(lambda: client.crm.deal.list(select=["ID", "TITLE"]).as_list_fast().result, args.deals)
