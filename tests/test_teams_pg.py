"""Team digests on one PostgreSQL (issue 16): two ticks racing post each channel's digest exactly once;
after a long outage only a fresh occurrence is posted, once; a late tick by another worker never takes
over a digest a slow worker still holds, and a digest handed back for retry is taken by one worker."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.adapters.console import console_channel, console_user
from bot.app import build_app
from bot.core.delivery import SENT, Delivery, DeliveryStatus
from bot.core.model import ChannelRef, Reply
from bot.core.schedule import Weekly
from bot.settings import Settings
from bot.store.models import DigestDelivery, TeamChannel
from bot.teams.digest import WEEK, run_digests
from tests.checkins_helpers import until
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


def enable_channels(app, count: int) -> list[str]:
    """`count` team channels with the default Friday 16:00 UTC digest (first due at FRIDAY); their ids."""
    tracks, teams = app.deps.tracks, app.deps.teams
    admin = tracks.ensure_user(console_user("alice", admin=True))
    ids = [f"team-{i:02d}" for i in range(count)]
    for channel_id in ids:
        teams.enable(console_channel(channel_id), admin.id, Weekly(4, 16 * 60, "UTC"))
    return ids


def set_next_digest(app, due_at) -> None:
    with app.engine.begin() as conn:
        conn.execute(update(TeamChannel).values(next_digest_at=due_at))


def digest_statuses(app) -> dict[str, int]:
    with app.engine.connect() as conn:
        return dict(conn.execute(select(DigestDelivery.status, func.count()).group_by(DigestDelivery.status)).all())


def channel_rows(app) -> list[tuple[int, str]]:
    with app.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(select(TeamChannel.id, TeamChannel.channel_id).order_by(TeamChannel.id))]


def per_channel(*senders: RecordingSender) -> Counter[str]:
    return Counter(channel.channel_id for sender in senders for channel, _ in sender.posts)


# -- after a long outage --------------------------------------------------------------------------

async def test_after_8_days_down_the_digest_due_30s_ago_is_posted_once_and_the_stale_one_is_not(replicas):
    app = replicas[0]
    ids = enable_channels(app, 3)
    set_next_digest(app, FRIDAY - WEEK)  # down since before the digest due a week earlier: 8 days
    now = FRIDAY + timedelta(seconds=30)
    sender = RecordingSender()
    assert await asyncio.wait_for(run_digests(app, {"console": sender}, now), 30) == 3
    # A second tick (here another replica's) a minute later posts nothing more.
    assert await asyncio.wait_for(run_digests(replicas[1], {"console": sender}, now + timedelta(minutes=1)), 30) == 0
    assert per_channel(sender) == dict.fromkeys(ids, 1)
    # Each channel sees this week's digest (week of 23 Nov), never the stale one of the week before.
    assert {reply.title for _, reply in sender.posts} == {"Team digest · week of 23 Nov"}
    teams = app.deps.teams
    for row_id, _ in channel_rows(app):
        assert teams.deliveries(row_id) == [("2026-W48", "sent")]
        assert teams.channel_by_id(row_id).next_digest_at == FRIDAY + WEEK


async def test_after_a_long_outage_with_no_fresh_digest_nothing_is_posted_and_next_week_comes(replicas):
    app = replicas[0]
    ids = enable_channels(app, 2)
    set_next_digest(app, FRIDAY - WEEK)
    sender = RecordingSender()
    # The latest occurrence (FRIDAY) is itself 2 days old: stale too.
    assert await asyncio.wait_for(run_digests(app, {"console": sender}, FRIDAY + timedelta(days=2)), 30) == 0
    assert sender.posts == [] and digest_statuses(app) == {}
    teams = app.deps.teams
    assert {teams.channel_by_id(row_id).next_digest_at for row_id, _ in channel_rows(app)} == {FRIDAY + WEEK}
    # And the next one, a week after the stale one, is posted as usual, once.
    next_week = FRIDAY + WEEK + timedelta(minutes=1)
    assert await asyncio.wait_for(run_digests(app, {"console": sender}, next_week), 30) == 2
    assert per_channel(sender) == dict.fromkeys(ids, 1)


# -- fencing: a slow platform and a late second worker ----------------------------------------------

class SlowPlatform(RecordingSender):
    """Every post reaches the platform (it is counted at once) and then hangs until the test lets the
    answers through: far longer, in the tick's clock, than a claim lease."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = asyncio.Event()

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        self.posts.append((channel, reply))
        await self.answer.wait()
        return SENT


async def test_a_late_digest_tick_never_takes_over_what_a_slow_worker_still_holds(replicas):
    """Digest claims have no lease: only a digest handed back as "retry" ever passes to another worker,
    so however late the next tick comes, a slow worker's claims (sending or still waiting) stay its own."""
    first_app, late_app = replicas
    ids = enable_channels(first_app, 6)
    slow = SlowPlatform()
    first = asyncio.create_task(run_digests(first_app, {"console": slow}, FRIDAY + timedelta(minutes=1)))
    try:
        await until(lambda: slow.posts, what="the first digest to reach the slow platform")
        # The first worker holds every claim: one post hanging, the others waiting behind it.
        assert digest_statuses(first_app) == {"sending": 1, "claimed": 5}
        late = RecordingSender()
        # Another worker ticks past the check-in lease (10 min), later (2 h), and near the end of the
        # 12-hour window (11 h): the tick's clock, so nobody sleeps.
        for later in (timedelta(minutes=10), timedelta(hours=2), timedelta(hours=11)):
            assert await asyncio.wait_for(run_digests(late_app, {"console": late}, FRIDAY + later), 30) == 0
        assert late.posts == []
        # The fence: only the worker holding a claim can move it to "sending".
        with first_app.engine.connect() as conn:
            deliveries = conn.scalars(select(DigestDelivery.id)).all()
        assert not any(late_app.deps.teams.start_sending(delivery_id, "late-worker") for delivery_id in deliveries)
        assert digest_statuses(first_app) == {"sending": 1, "claimed": 5}
        slow.answer.set()
        assert await asyncio.wait_for(first, 30) == 6
    finally:
        slow.answer.set()
        if not first.done():
            first.cancel()
    assert per_channel(slow, late) == dict.fromkeys(ids, 1)
    assert digest_statuses(first_app) == {"sent": 6}


async def test_a_digest_handed_back_for_retry_is_posted_by_one_of_two_late_workers(replicas):
    ids = enable_channels(replicas[0], 20)
    limited = RecordingSender()
    limited.status = dict.fromkeys(ids, Delivery(DeliveryStatus.RATE_LIMITED, retry_after=0.01))
    assert await asyncio.wait_for(run_digests(replicas[0], {"console": limited}, FRIDAY), 30) == 0
    assert digest_statuses(replicas[0]) == {"retry": 20}
    senders = [RecordingSender(delay=0.002), RecordingSender(delay=0.002)]
    posted = await asyncio.wait_for(asyncio.gather(*(
        run_digests(app, {"console": sender}, FRIDAY + timedelta(minutes=10))
        for app, sender in zip(replicas, senders, strict=True))), timeout=30)
    assert sum(posted) == 20
    assert per_channel(*senders) == dict.fromkeys(ids, 1)
    assert digest_statuses(replicas[0]) == {"sent": 20}
