"""Replicas on one PostgreSQL: racing dispatchers and a dispatcher killed mid-batch."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_app
from bot.checkins.dispatch import CONCURRENCY, run_checkins
from bot.settings import Settings
from bot.store.checkins import LEASE
from tests.checkins_helpers import RecordingSender, seed_due, until

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def replicas(pg_url, catalog, clock):
    """Two independent apps (own engines and pools) on the same database, like two processes."""
    apps = [build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock) for _ in range(2)]
    yield apps
    for app in apps:
        app.engine.dispose()


def delivered(*senders: RecordingSender) -> Counter[str]:
    return Counter(user_id for sender in senders for user_id, _ in sender.sent)


@pytest.mark.slow
async def test_two_dispatchers_racing_over_2000_deliver_each_exactly_once(replicas):
    seed_due(replicas[0].engine, 2000, DUE)
    senders = [RecordingSender(delay=0.001), RecordingSender(delay=0.001)]
    now = DUE + timedelta(minutes=1)
    reports = await asyncio.wait_for(asyncio.gather(*(
        run_checkins(app, {"console": sender}, now, f"replica-{i}", batch=100)
        for i, (app, sender) in enumerate(zip(replicas, senders, strict=True))
    )), timeout=120)
    counts = delivered(*senders)
    assert len(counts) == 2000 and set(counts.values()) == {1}
    assert all(report.sent > 0 for report in reports), "both replicas should have taken a share"
    # A second round in the same week finds nothing left to send.
    again = await run_checkins(replicas[1], {"console": senders[1]}, now + timedelta(minutes=5), "replica-1")
    assert again.sent == 0 and len(delivered(*senders)) == 2000


async def test_dispatcher_killed_mid_batch_loses_nothing_and_repeats_nothing(replicas):
    seed_due(replicas[0].engine, 400, DUE)
    doomed, survivor = RecordingSender(delay=0.05), RecordingSender()
    now = DUE + timedelta(minutes=1)
    task = asyncio.create_task(run_checkins(replicas[0], {"console": doomed}, now, "doomed", batch=100))
    await until(lambda: doomed.sent, what="the first sends")  # claiming takes longer on a loaded machine
    await asyncio.sleep(0.03)  # and the next group is in flight
    task.cancel()  # the process dies: claims stay behind, unsent
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(1.0)  # database writes already handed to threads finish, as they would in a dying process
    assert 0 < len(doomed.sent) < 400
    # Before the lease runs out only unclaimed rows are taken; after it, unsent claims are sent once.
    await run_checkins(replicas[1], {"console": survivor}, now + timedelta(minutes=1), "survivor")
    await run_checkins(replicas[1], {"console": survivor}, now + LEASE + timedelta(minutes=1), "survivor")
    counts = delivered(doomed, survivor)
    assert set(counts.values()) == {1}, "nothing may arrive twice"
    # Only sends in flight at the moment of death may be missing: at most one per concurrent slot.
    assert 400 - CONCURRENCY <= len(counts) <= 400
    statuses = replicas[1].deps.checkins.counts()
    assert statuses.get("sent", 0) + statuses.get("lost", 0) == 400 and statuses.get("lost", 0) <= CONCURRENCY


async def test_graceful_stop_leaves_the_rest_to_the_next_process_at_once(replicas):
    seed_due(replicas[0].engine, 200, DUE)
    stopping_sender, next_sender = RecordingSender(delay=0.02), RecordingSender()
    now = DUE + timedelta(minutes=1)
    stopping = asyncio.Event()
    task = asyncio.create_task(run_checkins(replicas[0], {"console": stopping_sender}, now, "old", stopping, batch=200))
    await until(lambda: stopping_sender.sent, what="the first sends")
    stopping.set()
    report = await asyncio.wait_for(task, timeout=10)
    # Claims are taken one send group at a time, so a stop leaves nothing claimed behind: the group in
    # flight finishes and the rest was never claimed; the next process needs no lease to run out.
    assert 0 < report.sent < 200 and replicas[0].deps.checkins.counts().get("claimed", 0) == 0
    follow = await run_checkins(replicas[1], {"console": next_sender}, now + timedelta(seconds=30), "new")
    counts = delivered(stopping_sender, next_sender)
    assert len(counts) == 200 and set(counts.values()) == {1} and follow.sent == 200 - report.sent
