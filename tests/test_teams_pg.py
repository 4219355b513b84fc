"""Team digests on one PostgreSQL (issue 16): two ticks racing post each channel's digest exactly once;
after a long outage only a fresh occurrence is posted, once; a digest handed back for retry is taken by
one worker. Claims carry a lease: those of a worker that died are posted once by another after it (never
one it had begun posting), a slow worker that wakes up after losing its claims posts none of them, and
a worker stopping hands its unposted claims back for the next to post at once. Time is the ticks'
clock, so nobody sleeps through a lease."""
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
from bot.store.teams import LATE_LIMIT, LEASE
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


async def test_a_slow_worker_that_wakes_after_its_claims_were_taken_over_posts_none_of_them(replicas):
    """A hangs on its first post past the lease; B takes over A's other claims (not the one A is posting)
    and hangs on its own first post; A wakes and posts nothing more, B finishes: one post per channel."""
    first_app, late_app = replicas
    ids = enable_channels(first_app, 6)
    slow, late = SlowPlatform(), SlowPlatform()
    first = asyncio.create_task(run_digests(first_app, {"console": slow}, FRIDAY + timedelta(minutes=1), "worker-a"))
    second: asyncio.Task | None = None
    try:
        await until(lambda: slow.posts, what="the first digest to reach the slow platform")
        # A holds every claim: one post hanging, the others waiting behind it.
        assert digest_statuses(first_app) == {"sending": 1, "claimed": 5}
        # Within the lease another worker takes nothing over.
        early = RecordingSender()
        assert await asyncio.wait_for(run_digests(late_app, {"console": early}, FRIDAY + timedelta(minutes=3),
                                                  "worker-b"), 30) == 0
        assert early.posts == [] and digest_statuses(first_app) == {"sending": 1, "claimed": 5}
        # Past it, B takes over the five A had not begun (never the one A is posting).
        second = asyncio.create_task(run_digests(late_app, {"console": late}, FRIDAY + timedelta(minutes=10),
                                                 "worker-b"))
        await until(lambda: late.posts, what="B's first digest to reach the platform")
        assert digest_statuses(first_app) == {"sending": 2, "claimed": 4}
        # A wakes: its post is answered, and every other claim it held fails start_sending.
        slow.answer.set()
        assert await asyncio.wait_for(first, 30) == 1
        assert len(slow.posts) == 1 and digest_statuses(first_app) == {"sent": 1, "sending": 1, "claimed": 4}
        late.answer.set()
        assert await asyncio.wait_for(second, 30) == 5
    finally:
        slow.answer.set()
        late.answer.set()
        for task in (first, second):
            if task is not None and not task.done():
                task.cancel()
    assert per_channel(slow, late) == dict.fromkeys(ids, 1)
    assert digest_statuses(first_app) == {"sent": 6}


# -- a worker that died, and one that stopped -------------------------------------------------------

async def test_claims_of_a_worker_that_died_are_posted_once_after_the_lease_never_before(replicas):
    """A claims 20 digests and dies: 19 never begun, one mid-post. Before the lease nothing is taken
    over; after it two workers racing post the 19 once between them; the one A had begun is never posted."""
    ids = enable_channels(replicas[0], 20)
    claimed_at = FRIDAY + timedelta(minutes=1)
    claims, _ = replicas[0].deps.teams.claim_due(claimed_at, ["console"], "worker-a")
    assert len(claims) == 20
    assert replicas[0].deps.teams.start_sending(claims[0].delivery_id, "worker-a")  # died mid-post
    began = claims[0].channel.channel_id
    # A second worker ticking within the lease posts nothing.
    early = RecordingSender()
    assert await asyncio.wait_for(run_digests(replicas[1], {"console": early}, claimed_at + LEASE - timedelta(seconds=5),
                                              "worker-b"), 30) == 0
    assert early.posts == [] and digest_statuses(replicas[0]) == {"claimed": 19, "sending": 1}
    # After the lease, two workers tick at once: each unbegun digest is taken by one and posted once.
    senders = [RecordingSender(delay=0.002), RecordingSender(delay=0.002)]
    posted = await asyncio.wait_for(asyncio.gather(*(
        run_digests(app, {"console": sender}, claimed_at + LEASE + timedelta(minutes=1), f"worker-{name}")
        for app, sender, name in zip(replicas, senders, "bc", strict=True))), timeout=30)
    assert sum(posted) == 19
    assert per_channel(*senders) == {channel_id: 1 for channel_id in ids if channel_id != began}
    assert digest_statuses(replicas[0]) == {"sent": 19, "sending": 1}
    # Later ticks, to the end of the 12-hour window, post nothing more (the one begun stays unposted).
    for later in (timedelta(hours=2), timedelta(hours=11)):
        assert await asyncio.wait_for(run_digests(replicas[1], {"console": early}, claimed_at + later), 30) == 0
    assert early.posts == [] and digest_statuses(replicas[0]) == {"sent": 19, "sending": 1}


async def test_claims_of_a_worker_that_died_are_not_posted_past_the_12_hour_window(replicas):
    enable_channels(replicas[0], 3)
    claimed_at = FRIDAY + timedelta(minutes=1)
    assert len(replicas[0].deps.teams.claim_due(claimed_at, ["console"], "worker-a")[0]) == 3
    sender = RecordingSender()
    late = claimed_at + LATE_LIMIT + timedelta(minutes=1)  # nobody ticked for 12 hours
    assert await asyncio.wait_for(run_digests(replicas[1], {"console": sender}, late, "worker-b"), 30) == 0
    assert sender.posts == [] and digest_statuses(replicas[0]) == {"expired": 3}


async def test_a_stopping_worker_hands_its_unposted_claims_back_and_the_next_posts_each_once(replicas):
    ids = enable_channels(replicas[0], 20)
    old, new = RecordingSender(delay=0.02), RecordingSender()
    now = FRIDAY + timedelta(minutes=1)
    stopping = asyncio.Event()
    task = asyncio.create_task(run_digests(replicas[0], {"console": old}, now, "worker-old", stopping))
    await until(lambda: old.posts, what="the first digest")
    stopping.set()
    posted = await asyncio.wait_for(task, 10)  # the post in flight finishes; no other is begun
    assert 0 < posted < 20 and digest_statuses(replicas[0]) == {"sent": posted, "claimed": 20 - posted}
    # The shutdown hands the rest back, so the next worker needs no lease to run out.
    assert replicas[0].deps.teams.release_all("worker-old") == 20 - posted
    assert digest_statuses(replicas[0]) == {"sent": posted, "retry": 20 - posted}
    follow = await asyncio.wait_for(run_digests(replicas[1], {"console": new}, now + timedelta(seconds=30),
                                                "worker-new"), 30)
    assert follow == 20 - posted
    assert per_channel(old, new) == dict.fromkeys(ids, 1)
    assert digest_statuses(replicas[0]) == {"sent": 20}


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
