"""The shared settle loop of the method and event importers: when it stops and what it returns."""

from __future__ import annotations

from codegen.importer.rounds import settle_in_rounds


def test_stops_when_nothing_is_left_and_counts_the_rounds_that_changed() -> None:
    left = ["a", "b", "c"]

    def settle_one(problem: str) -> bool:
        left.remove(problem)
        return True

    problems, changes = settle_in_rounds(10, lambda: list(left), settle_one)
    assert (problems, changes, left) == ([], 3, [])


def test_tries_problems_in_order_and_returns_them_as_found() -> None:
    tried: list[int] = []

    def settle_one(problem: int) -> bool:
        tried.append(problem)
        return False

    problems, changes = settle_in_rounds(10, lambda: [3, 1, 2], settle_one, order=lambda p: p)
    assert (problems, changes, tried) == ([3, 1, 2], 0, [1, 2, 3])


def test_gives_up_after_the_round_bound() -> None:
    problems, changes = settle_in_rounds(4, lambda: ["never settled for good"], lambda problem: True)
    assert (problems, changes) == (["never settled for good"], 4)
