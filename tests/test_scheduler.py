"""The scheduler's graceful stop: a tick in flight finishes its sends (check-ins, digests) and hands the rest back."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.adapters.console import console_channel, console_user
from bot.core.schedule import Weekly
from bot.runtime.runner import Runtime
from bot.runtime.scheduler import start_scheduler
from bot.store.models import CheckinDelivery, DigestDelivery, TeamChannel
from bot.teams.digest import run_digests
from tests.checkins_helpers import RecordingSender, seed_due, tick, until
from tests.teams_helpers import RecordingSender as ChannelSender

USERS = 64


class SenderOnly:
    """A platform adapter reduced to what the scheduler uses."""

    platform = "console"

    def __init__(self, sender: RecordingSender):
        self.sender = sender


async def test_stop_mid_tick_neither_cuts_sends_nor_loses_the_rest(app):
    seed_due(app.engine, USERS, datetime.now(UTC) - timedelta(minutes=5))
    sender = RecordingSender(delay=0.2)  # a group of sends is still in flight when stop comes
    runtime = Runtime(app, adapters=[SenderOnly(sender)])
    stop = await start_scheduler(runtime)
    await until(lambda: sender.sent, what="the first sends")
    await asyncio.sleep(0.1)  # the first group is recorded; the second is halfway through its sends
    await stop()

    with app.engine.connect() as conn:
        states = Counter(conn.scalars(select(CheckinDelivery.status)).all())
    first_run = len(sender.sent)
    assert 0 < first_run < USERS, "stop should come while the batch is still running"
    assert states["sent"] == first_run, states  # every send that started was finished and recorded
    assert set(states) <= {"sent", "released"}, states  # nothing left half-done ("sending", "lost")

    await tick(app, sender, datetime.now(UTC))  # the next process
    per_user = Counter(uid for uid, _ in sender.sent)
    assert len(per_user) == USERS and set(per_user.values()) == {1}


async def test_stop_mid_digest_tick_finishes_the_post_in_flight_and_hands_the_rest_back(app):
    tracks, teams = app.deps.tracks, app.deps.teams
    admin = tracks.ensure_user(console_user("alice", admin=True))
    for i in range(12):
        teams.enable(console_channel(f"team-{i:02d}"), admin.id, Weekly(4, 16 * 60, "UTC"))
    with app.engine.begin() as conn:  # every digest came due five minutes ago
        conn.execute(update(TeamChannel).values(next_digest_at=datetime.now(UTC) - timedelta(minutes=5)))
    sender = ChannelSender(delay=0.2)
    stop = await start_scheduler(Runtime(app, adapters=[SenderOnly(sender)]))
    await until(lambda: sender.posts, what="the first digest")
    await stop()

    with app.engine.connect() as conn:
        states = Counter(conn.scalars(select(DigestDelivery.status)).all())
    first_run = len(sender.posts)
    assert 0 < first_run < 12, "stop should come while the digests are still being posted"
    assert states == {"sent": first_run, "retry": 12 - first_run}, states  # none left "claimed" or "sending"

    after = ChannelSender()
    assert await run_digests(app, {"console": after}, datetime.now(UTC)) == 12 - first_run  # the next process, at once
    per_channel = Counter(channel.channel_id for s in (sender, after) for channel, _ in s.posts)
    assert len(per_channel) == 12 and set(per_channel.values()) == {1}


async def test_a_rate_limit_is_not_sat_out_while_stopping(app):
    from bot.checkins.dispatch import run_checkins
    from bot.core.delivery import Delivery, DeliveryStatus

    seed_due(app.engine, 3, datetime.now(UTC) - timedelta(minutes=5))
    sender = RecordingSender()
    sender.outcomes["u1"] = [Delivery(DeliveryStatus.RATE_LIMITED, retry_after=50.0)]
    stopping = asyncio.Event()
    tick_task = asyncio.create_task(run_checkins(app, {"console": sender}, datetime.now(UTC), "w1", stopping))
    await until(lambda: sender.attempts["u1"] == 1)  # u1 is now waiting out its 50 s
    stopping.set()
    report = await asyncio.wait_for(tick_task, 2)  # a stop is not held up by the platform's retry-after

    assert report.sent == 2 and report.released == 1
    # The 429 holds every process: the next one sends nothing to that platform inside the window...
    await tick(app, sender, datetime.now(UTC))
    assert [uid for uid, _ in sender.sent].count("u1") == 0
    _end_pause(app, "console")  # ...and sends it once the window has passed
    await tick(app, sender, datetime.now(UTC))
    assert [uid for uid, _ in sender.sent].count("u1") == 1


def _end_pause(app, platform: str) -> None:
    """The 50 s pass (without sleeping through them): the shared pause row ends now."""
    from sqlalchemy import update

    from bot.store.models import PlatformLimit

    with app.engine.begin() as conn:
        conn.execute(update(PlatformLimit).where(PlatformLimit.platform == platform).values(paused_until=0.0))
