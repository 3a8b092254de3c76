"""When to try a call again, and how long to wait first.

Reads are retried on transient failures. Writes are retried only when the portal surely
did not run them: a refused connection, or a limit error (QUERY_LIMIT_EXCEEDED,
OPERATION_TIME_LIMIT), which the portal answers before executing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})


class RetryPolicy:
    """Attempts, backoff and an overall deadline (seconds) for one call.

    A plain class rather than a dataclass: `import b24client` stays as cheap as possible,
    and `random` is imported only when a retry actually has to wait.
    """

    def __init__(
        self,
        attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        deadline: float = 300.0,
        rng: random.Random | None = None,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.deadline = deadline
        self._rng = rng

    def __repr__(self) -> str:
        return (
            f"RetryPolicy(attempts={self.attempts}, backoff={self.backoff}, max_backoff={self.max_backoff}, "
            f"deadline={self.deadline})"
        )

    def delay(self, attempt: int) -> float:
        """Exponential backoff with equal jitter: a wait between half the ceiling and the ceiling.

        Half is fixed so a retry never comes back at once to a portal that just refused it
        (full jitter can draw zero), and half is random so clients that failed together spread out.
        """
        if self._rng is None:
            import random

            self._rng = random.Random()
        ceiling = min(self.max_backoff, self.backoff * (2.0**attempt))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


NO_RETRY = RetryPolicy(attempts=1)
