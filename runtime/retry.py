"""When to try a call again, and how long to wait first.

Reads are retried on transient failures. Writes are retried only when the portal surely
did not run them: a refused connection, or a limit error (QUERY_LIMIT_EXCEEDED,
OPERATION_TIME_LIMIT), which the portal answers before executing anything.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


@dataclass
class RetryPolicy:
    attempts: int = 6
    backoff: float = 0.5
    max_backoff: float = 30.0
    deadline: float = 300.0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter: spreads clients that failed together."""
        ceiling = min(self.max_backoff, self.backoff * (2.0 ** attempt))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


NO_RETRY = RetryPolicy(attempts=1)
