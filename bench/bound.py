"""The modeled floor of a full export under the emulator's cost model and limits.

Why: a wall time means little on its own; against the time the portal's own limits
force, it says how much a client leaves on the table. With the docs' 0.097 s per
`start=-1` page (limits.CostModel) and 480 s of operating time per method per 10-minute
window, one window admits about 247,000 records: above that an export must wait for the
window to move, whatever its request rate. The floor is the waiting for full windows plus
the last window's pages one request at a time (a client running pages in parallel can
beat that part, so a ratio below 1 is possible at sizes under one window).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from b24client.emulator import CostModel

PAGE = 50
BUDGET_SECONDS = 480.0
WINDOW_SECONDS = 600.0


@dataclass(frozen=True)
class Bound:
    records: int
    time_scale: float
    page_cost: float  # seconds of portal time per full start=-1 page

    @property
    def cost(self) -> float:
        return math.ceil(self.records / PAGE) * self.page_cost

    @property
    def records_per_window(self) -> int:
        return int(BUDGET_SECONDS / self.page_cost * PAGE)

    @property
    def full_windows(self) -> int:
        """Windows whose budget the export uses up and must wait out."""
        return max(0, math.ceil(self.cost / BUDGET_SECONDS) - 1)

    @property
    def seconds(self) -> float:
        remainder = self.cost - self.full_windows * BUDGET_SECONDS
        return (self.full_windows * WINDOW_SECONDS + remainder) / self.time_scale

    @property
    def dominated_by_budget(self) -> bool:
        return self.full_windows > 0


def bound(records: int, time_scale: float) -> Bound:
    return Bound(records, time_scale, CostModel().list_page(PAGE, None, 0))


@dataclass(frozen=True)
class CallsBound:
    """The floor of N single calls under the request bucket alone: the first X go at once,
    the rest at Y per second (limits.md: X=50, Y=2, time-scaled). Operating time is not
    the limit here: one `crm.deal.get` costs the portal far less than its 480 s."""

    calls: int
    time_scale: float
    capacity: int = 50
    drain_per_second: float = 2.0

    @property
    def seconds(self) -> float:
        return max(0, self.calls - self.capacity) / (self.drain_per_second * self.time_scale)
