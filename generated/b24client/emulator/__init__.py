"""A local Bitrix24-compatible portal on 127.0.0.1 for tests, demos and benchmarks.

    from b24client.emulator import Emulator, EmulatorConfig

    with Emulator(EmulatorConfig(deals=1000, limits_enabled=False)) as portal:
        requests.post(portal.webhook_url + "crm.deal.list", json={"start": -1})

See docs/emulator.md for the CLI (`python -m b24client.emulator`), the pytest fixtures,
the limits and cost model, and the fault options.
"""

from .apps import App
from .checkout import CheckoutError, CheckoutResult
from .config import EmulatorConfig
from .delivery import Delivery
from .faults import FAULT_KINDS, FaultPlan
from .limits import CostModel
from .portal import Emulator
from .protocol import decode_query, encode_php_query
from .records import RequestRecord

__all__ = [
    "FAULT_KINDS",
    "App",
    "CheckoutError",
    "CheckoutResult",
    "CostModel",
    "Delivery",
    "Emulator",
    "EmulatorConfig",
    "FaultPlan",
    "RequestRecord",
    "decode_query",
    "encode_php_query",
]
