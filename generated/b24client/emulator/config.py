"""Settings of one emulated portal, with the documented cloud values as defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .auth import new_token
from .faults import FaultPlan
from .limits import CostModel

# limits.md: "Others" vs "Enterprise" tariffs.
STANDARD_LIMITS = (50, 2.0)
ENTERPRISE_LIMITS = (250, 5.0)


@dataclass
class EmulatorConfig:
    """Everything the CLI flags and the pytest fixtures can set.

    Limits are on by default with the values of limits.md; tests that do not study limits
    turn them off (`limits_enabled=False`, the default of the `b24_emulator` fixture).
    Secrets (the webhook code, the client secret) are random per portal unless given and
    never appear in the repr.
    """

    port: int = 0  # 0: any free port
    deals: int = 0
    invoices: int = 3  # legacy invoices 1..n for sale.paysystem.pay.invoice
    seed: int = 0  # seeds the generated deals
    # records per family stored at start and on reset(): {"crm.contact": [{"NAME": "Ann"}], ...}
    seed_records: dict[str, Any] = field(default_factory=dict)
    # a JSON or YAML file of records per family (emulator/seeding.py), read once at start;
    # its records come after seed_records'
    seed_from: str | None = None
    # False: every method with a spec answers its docs example (contract tests of wire
    # bodies); True: entity families, the payment family and the deal table keep state.
    stateful: bool = True
    # True: a parameter the spec does not document is refused (400 ERROR_ARGUMENT) instead
    # of ignored as the portal ignores it (contract tests of what a client sends)
    strict_params: bool = False

    limits_enabled: bool = True
    enterprise: bool = False
    rate_limit: int | None = None  # X; None: 50, or 250 with enterprise
    drain_per_second: float | None = None  # Y; None: 2, or 5 with enterprise
    operating_limit_seconds: float = 480.0
    basket_seconds: float = 60.0
    baskets: int = 10
    time_scale: float = 1.0
    simulate_latency: bool = False  # sleep cost/time_scale so expensive calls take longer
    costs: CostModel = field(default_factory=CostModel)

    fault_rates: dict[str, float] = field(default_factory=dict)
    fault_seed: int = 0
    fault_methods: frozenset[str] | None = None
    slow_seconds: float = 5.0

    token_ttl_seconds: float = 3600.0
    webhook_user_id: int = 1
    webhook_token: str = field(default_factory=new_token, repr=False)
    client_id: str = "local.emulator.app"
    client_secret: str = field(default_factory=new_token, repr=False)
    max_log_records: int = 20_000  # oldest records are dropped beyond this
    # outgoing calls to apps (events, install callbacks, checkout): per-request timeout in
    # seconds and the length of the event queue (a full queue drops events, never blocks a call)
    delivery_timeout_seconds: float = 3.0
    delivery_queue_size: int = 1000

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if self.port < 0 or self.port > 65535:
            raise ValueError("port must be between 0 and 65535")
        self.fault_plan()  # validates the rates
        if self.delivery_queue_size < 1 or self.delivery_timeout_seconds <= 0:
            raise ValueError("delivery_queue_size must be at least 1 and delivery_timeout_seconds positive")

    @property
    def effective_rate_limit(self) -> int:
        default = ENTERPRISE_LIMITS[0] if self.enterprise else STANDARD_LIMITS[0]
        return self.rate_limit if self.rate_limit is not None else default

    @property
    def effective_drain_per_second(self) -> float:
        default = ENTERPRISE_LIMITS[1] if self.enterprise else STANDARD_LIMITS[1]
        return self.drain_per_second if self.drain_per_second is not None else default

    def fault_plan(self) -> FaultPlan:
        return FaultPlan(dict(self.fault_rates), self.fault_seed, self.fault_methods)
