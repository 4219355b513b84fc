"""Spaced recall rules, as pure functions: when an item is first due, and how an answer moves it.

First recall 7 days after the step is done; a right answer doubles the interval (7 -> 14 -> 28);
three right in a row retires the item; a wrong answer brings it back in 7 days.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_INTERVAL_DAYS = 7
RETIRE_AFTER = 3  # right answers in a row

LEVELS = ("entry", "mid", "senior")


@dataclass(frozen=True)
class Spacing:
    """An item's place in the schedule."""

    due_at: datetime
    interval_days: int
    streak: int
    retired: bool


def first(done_at: datetime) -> Spacing:
    return Spacing(done_at + timedelta(days=FIRST_INTERVAL_DAYS), FIRST_INTERVAL_DAYS, 0, False)


def after_answer(current: Spacing, right: bool, now: datetime) -> Spacing:
    """The schedule after one answer given at `now`."""
    if not right:
        return Spacing(now + timedelta(days=FIRST_INTERVAL_DAYS), FIRST_INTERVAL_DAYS, 0, False)
    streak = current.streak + 1
    if streak >= RETIRE_AFTER:
        return Spacing(current.due_at, current.interval_days, streak, True)
    interval = current.interval_days * 2
    return Spacing(now + timedelta(days=interval), interval, streak, False)


def at_or_below(level: str, ceiling: str | None) -> bool:
    """Whether a question's level suits a learner assessed at `ceiling` (no assessment: every level)."""
    if ceiling not in LEVELS:
        return True
    return LEVELS.index(level) <= LEVELS.index(ceiling)
