"""Digest replicas on one PostgreSQL: two ticks racing post each channel's digest exactly once."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest

from bot.adapters.console import console_channel, console_user
from bot.app import build_app
from bot.core.schedule import Weekly
from bot.settings import Settings
from bot.teams.digest import run_digests
from tests.teams_helpers import FRIDAY, RecordingSender

CHANNELS = 60


@pytest.fixture
def replicas(pg_url, catalog, clock):
    """Two independent apps (own engines and pools) on the same database, like two processes."""
    apps = [build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock) for _ in range(2)]
    yield apps
    for app in apps:
        app.engine.dispose()


def seed(app) -> None:
    tracks, teams = app.deps.tracks, app.deps.teams
    admin = tracks.ensure_user(console_user("alice", admin=True))
    for i in range(CHANNELS):
        channel, _ = teams.enable(console_channel(f"team-{i:02d}"), admin.id, Weekly(4, 16 * 60, "UTC"))
        member = tracks.ensure_user(console_user(f"member{i:02d}"))
        enrollment, _ = tracks.join(member.id, "ml", None)
        tracks.record_step(enrollment.id, 0, "done", 8, None)
        teams.set_sharing(channel.id, member.id, True)


async def test_two_digest_ticks_racing_post_each_channel_once(replicas):
    seed(replicas[0])
    senders = [RecordingSender(delay=0.002), RecordingSender(delay=0.002)]
    posted = await asyncio.wait_for(asyncio.gather(*(
        run_digests(app, {"console": sender}, FRIDAY + timedelta(minutes=1))
        for app, sender in zip(replicas, senders, strict=True)
    )), timeout=60)
    counts = Counter(channel.channel_id for sender in senders for channel, _ in sender.posts)
    assert len(counts) == CHANNELS and set(counts.values()) == {1}
    assert sum(posted) == CHANNELS
    again = await asyncio.wait_for(run_digests(replicas[1], {"console": senders[1]}, FRIDAY + timedelta(hours=1)), 30)
    assert again == 0


async def test_one_channel_two_ticks_at_once_post_once(replicas):
    tracks, teams = replicas[0].deps.tracks, replicas[0].deps.teams
    admin = tracks.ensure_user(console_user("alice", admin=True))
    teams.enable(console_channel("team-ml"), admin.id, Weekly(4, 16 * 60, "UTC"))
    senders = [RecordingSender(), RecordingSender()]
    for _ in range(5):  # five rounds of two replicas ticking at the same instant
        await asyncio.wait_for(asyncio.gather(*(
            run_digests(app, {"console": sender}, FRIDAY) for app, sender in zip(replicas, senders, strict=True)
        )), timeout=30)
    assert sum(len(s.posts) for s in senders) == 1
