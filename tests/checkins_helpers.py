"""A recording sender and tick helpers shared by the check-in tests and benchmarks."""
from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from bot.checkins.dispatch import TickReport, run_checkins
from bot.core.delivery import SENT, Delivery
from bot.core.model import ChannelRef, Reply, UserRef


class RecordingSender:
    """Delivers by remembering; `outcomes[user_id]` can queue failures (Delivery or exception)."""

    platform = "console"

    def __init__(self, delay: float = 0.0):
        self.sent: list[tuple[str, Reply]] = []
        self.outcomes: dict[str, list] = {}
        self.attempts: Counter[str] = Counter()
        self.delay = delay

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery:
        import asyncio
        self.attempts[user.user_id] += 1
        queue = self.outcomes.get(user.user_id)
        if queue:
            outcome = queue.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        if self.delay:
            await asyncio.sleep(self.delay)
        self.sent.append((user.user_id, reply))
        return SENT

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        return SENT

    def to(self, user_id: str) -> list[Reply]:
        return [reply for uid, reply in self.sent if uid == user_id]


async def tick(app, sender: RecordingSender, now: datetime, worker: str = "test") -> TickReport:
    return await run_checkins(app, {sender.platform: sender}, now, worker)


def seed_due(engine, count: int, due_at: datetime, platform: str = "console", track: str = "mlops") -> None:
    """`count` users with an active track whose weekly check-in is due at `due_at` (bulk, for scale)."""
    from datetime import timedelta

    from sqlalchemy import insert, select

    from bot.store.models import Enrollment, User
    joined = due_at - timedelta(days=7)
    with engine.begin() as conn:
        conn.execute(insert(User), [{
            "platform": platform, "workspace": "w", "platform_user_id": f"u{i}", "display_name": f"user {i}",
            "created_at": joined, "checkin_weekday": due_at.weekday(), "checkin_minute": due_at.hour * 60 + due_at.minute,
            "checkin_tz": "UTC", "schedule_set": True, "unanswered_checkins": 0,
        } for i in range(count)])
        user_ids = conn.scalars(select(User.id).where(User.platform == platform)).all()
        conn.execute(insert(Enrollment), [{
            "user_id": user_id, "track_id": track, "status": "active", "current_step": 0, "started_at": joined,
            "updated_at": joined, "next_checkin_at": due_at,
        } for user_id in user_ids])


async def until(condition: Callable[[], object], timeout: float = 10.0, what: str = "condition") -> None:
    """Wait for a condition by polling it, never for a fixed time; fails the test after `timeout`."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)
