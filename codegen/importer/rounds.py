"""One loop for drafts that are widened until their own examples pass the strict check.

The method importer (example_fit.fit) and the event importer (events.settle) both validate,
change the draft for one problem, and validate again, because after a change the other
problems' paths may point elsewhere. They differ only in which problems they look at and
how one is settled; the loop, its bound and when it stops live here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

P = TypeVar("P")


def settle_in_rounds(
    rounds: int,
    find: Callable[[], list[P]],
    settle_one: Callable[[P], bool],
    order: Callable[[P], Any] | None = None,
) -> tuple[list[P], int]:
    """Run up to `rounds` rounds; each validates with `find` and settles the first problem
    (tried in `order`, if given) that `settle_one` can. Stops when none is settled; the
    problems of the last round's validation as `find` gave them, and how many rounds changed
    the draft."""
    problems: list[P] = []
    changes = 0
    for _ in range(rounds):
        problems = find()
        tried = sorted(problems, key=order) if order else problems
        if not any(settle_one(problem) for problem in tried):
            return problems, changes
        changes += 1
    return problems, changes
