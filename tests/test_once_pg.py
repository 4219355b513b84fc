"""Exactly once in bad weather (issue 16), on PostgreSQL, against the fakes with the real SDKs:
a slow platform and a late second dispatcher, a 429 storm with two `skillbot run` replicas, sends the
platform accepted before the connection dropped or timed out (Slack and Discord), and an 8-day outage.

The scenarios that start `skillbot` processes are marked slow (`pytest -m slow`); the in-process ones
take seconds and run by default."""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import func, select, update

from bot.adapters.discord import DiscordAdapter, DiscordSender
from bot.adapters.slack import SlackSender
from bot.app import build_app
from bot.checkins.dispatch import run_checkins
from bot.core.pacing import Pacer
from bot.settings import Settings
from bot.store.models import CheckinDelivery, Enrollment, User
from tests.checkins_helpers import RecordingSender, seed_due
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, FakeSlack
from tests.test_run_e2e import BotProcess, db_upgrade, free_port

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # a Monday
# The storm's length and Retry-After: the 5-minute storm, shortened (the same code paths run).
STORM_SECONDS = float(os.environ.get("SKILLBOT_TEST_STORM_SECONDS", "4"))
RETRY_AFTER = 1


class StormySlack(FakeSlack):
    """Answers every chat.postMessage with 429 + Retry-After during a storm, and notes, for each 429,
    the window in which no process may send to Slack."""

    def __init__(self) -> None:
        super().__init__()
        self.storm_until = 0.0
        self.windows: list[tuple[float, float]] = []
        self.posts_at: list[float] = []

    async def _api(self, request):
        if request.match_info["method"] == "chat.postMessage":
            now = asyncio.get_running_loop().time()
            self.posts_at.append(now)
            if now < self.storm_until:
                self.windows.append((now, now + RETRY_AFTER))
                self.fail("chat.postMessage", "ratelimited", status=429, retry_after=RETRY_AFTER)
        return await super()._api(request)

    def sends_inside_windows(self, grace: float = 0.3) -> int:
        """Requests that arrived inside another 429's window (after `grace` for requests already in flight)."""
        return sum(1 for at in self.posts_at for start, end in self.windows if start + grace < at < end - 0.05)


def _env(pg_url: str, fake: FakeSlack, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(DATABASE_URL=pg_url, LOG_LEVEL="INFO", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
               SLACK_API_URL=fake.api_url, **extra)
    return env


def _dm_counts(fake: FakeSlack) -> Counter[str]:
    return Counter({channel[1:]: n for channel, n in fake.delivered.items() if channel.startswith("D")})


def _statuses(pg_url: str) -> dict[str, int]:
    from bot.store.db import make_engine
    engine = make_engine(pg_url)
    with engine.connect() as conn:
        rows = dict(conn.execute(select(CheckinDelivery.status, func.count()).group_by(CheckinDelivery.status)).all())
        counters = set(conn.scalars(select(User.unanswered_checkins)))
    engine.dispose()
    return {**rows, "_unanswered": counters}  # type: ignore[dict-item]


@pytest.fixture
async def fake_slack():
    fake = await StormySlack().start()
    yield fake
    await fake.stop()
    BotProcess.kill_all()


async def _run_once(env: dict, cwd, now: datetime) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.cli", "nudges", "run-once",
                                                    "--now", now.isoformat()],
                                   env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
async def test_a_late_second_dispatcher_never_resends_what_a_slow_one_is_sending(pg_url, tmp_path, fake_slack):
    """Slack answers each message in 1 s; dispatcher B starts 6 (simulated) minutes after A, past the
    5-minute lease, while A is still sending: every user gets exactly one check-in."""
    users = 48
    fake_slack.weather.latency = 1.0
    env = _env(pg_url, fake_slack, SKILLBOT_SLACK_RATE="0")
    await asyncio.to_thread(db_upgrade, env, tmp_path)
    from bot.store.db import make_engine
    engine = make_engine(pg_url)
    seed_due(engine, users, DUE, platform="slack")
    engine.dispose()

    first = asyncio.create_task(_run_once(env, tmp_path, DUE + timedelta(minutes=1)))
    await fake_slack.wait_for(lambda: sum(fake_slack.delivered.values()) >= 4, timeout=60)  # A is mid-batch
    second = await _run_once(env, tmp_path, DUE + timedelta(minutes=7))
    first_done = await first
    assert first_done.returncode == 0 and second.returncode == 0, first_done.stderr + second.stderr

    counts = _dm_counts(fake_slack)
    assert len(counts) == users and set(counts.values()) == {1}, counts
    statuses = _statuses(pg_url)
    assert statuses.get("sent") == users and statuses["_unanswered"] == {1}, statuses


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
async def test_a_429_storm_with_two_replicas_sends_once_and_nobody_sends_inside_a_window(pg_url, tmp_path,
                                                                                         fake_slack):
    users = 40
    env = _env(pg_url, fake_slack, SKILLBOT_SLACK_RATE="20")
    await asyncio.to_thread(db_upgrade, env, tmp_path)
    from bot.store.db import make_engine
    engine = make_engine(pg_url)
    seed_due(engine, users, datetime.now(UTC) - timedelta(minutes=1), platform="slack")
    engine.dispose()
    fake_slack.storm_until = asyncio.get_running_loop().time() + STORM_SECONDS + 30  # ends once both are up

    replicas = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        port = free_port()
        replicas.append(BotProcess({**env, "PORT": str(port)}, port, tmp_path / name))
    for replica in replicas:
        replica.launch()
    await asyncio.gather(*(replica.until_ready() for replica in replicas))
    fake_slack.storm_until = asyncio.get_running_loop().time() + STORM_SECONDS
    await fake_slack.wait_for(lambda: len(_dm_counts(fake_slack)) >= users, timeout=STORM_SECONDS + 60)
    for replica in replicas:
        code, _ = await replica.terminate()
        assert code == 0, replica.output()

    counts = _dm_counts(fake_slack)
    assert len(counts) == users and set(counts.values()) == {1}, counts
    assert fake_slack.windows, "the storm answered 429s"
    assert fake_slack.sends_inside_windows() == 0, "a process sent to Slack inside another's 429 window"
    statuses = _statuses(pg_url)
    assert statuses.get("sent") == users and statuses["_unanswered"] == {1}, statuses


@pytest.fixture
def pg_app(pg_url, catalog, clock):
    app = build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock)
    yield app
    app.engine.dispose()


@pytest.mark.parametrize("mode", ["drop", "timeout", "500"])
async def test_a_send_the_platform_accepted_is_never_sent_again(pg_app, mode):
    fake = await FakeSlack().start()
    try:
        fake.weather.hang = 3.0
        fake.weather.accept_then(mode)
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url, retry_handlers=[], timeout=1)
        sender = SlackSender(client, pg_app.metrics, Pacer(pg_app.limits, "slack", 0))
        seed_due(pg_app.engine, 1, DUE, platform="slack")
        report = await run_checkins(pg_app, {"slack": sender}, DUE + timedelta(minutes=1), "w1")
        assert report.uncertain == 1 and report.sent == 0
        # Later ticks, past the lease and within the 12-hour window, never send it again.
        for later in (timedelta(minutes=10), timedelta(hours=2)):
            await run_checkins(pg_app, {"slack": sender}, DUE + later, "w2")
        assert sum(fake.delivered.values()) == 1 and len(fake.called("chat.postMessage")) == 1
        assert pg_app.deps.checkins.counts() == {"uncertain": 1}
        assert "skillbot_uncertain_sends_total" in pg_app.metrics.render().decode()
    finally:
        await fake.stop()


DISCORD_USER = "800000000000000001"


@pytest.fixture
async def discord_bot(pg_url, catalog, clock, fake_discord):
    """The real discord.py client (the adapter, connected to the fake's gateway) and an app on PostgreSQL."""
    settings = Settings(DATABASE_URL=pg_url, DISCORD_TOKEN=fake_discord.token, DISCORD_API_URL=fake_discord.api_url,
                        DISCORD_GATEWAY_URL=fake_discord.gateway_url)
    app = build_app(settings, catalog=catalog, clock=clock)
    adapter = DiscordAdapter(app, guild_ready_timeout=0.01, identify_delay=0.01)
    await asyncio.wait_for(adapter.start(), 10)
    yield app, adapter
    await asyncio.wait_for(adapter.stop(), 10)
    app.engine.dispose()


def seed_discord_learner(engine) -> None:
    """One Discord learner whose check-in is due at DUE (a Discord user id is a snowflake)."""
    seed_due(engine, 1, DUE, platform="discord")
    with engine.begin() as conn:
        conn.execute(update(User).where(User.platform == "discord").values(platform_user_id=DISCORD_USER))


def discord_checkin_posts(fake: FakeDiscord) -> list:
    return fake.calls_to("POST", r"/channels/\d+/messages$")


@pytest.mark.parametrize("mode", ["drop", "timeout", "500"])
async def test_a_discord_send_the_platform_accepted_is_never_sent_again(discord_bot, fake_discord, mode):
    """Discord creates the check-in, then the connection drops, the answer never comes, or it answers 500
    (discord.py would retry that after 1 s; the send timeout comes first): "uncertain", one message ever."""
    app, adapter = discord_bot
    fake_discord.weather.hang = 1.5  # past the 1 s send timeout
    fake_discord.weather.accept_then(mode)
    sender = DiscordSender(adapter.client, app.metrics, adapter.pacer, timeout=1)
    seed_discord_learner(app.engine)
    report = await run_checkins(app, {"discord": sender}, DUE + timedelta(minutes=1), "w1")
    assert report.uncertain == 1 and report.sent == 0, report
    # Later ticks, by another worker, past the lease and within the 12-hour window, never send it again.
    for later in (timedelta(minutes=10), timedelta(hours=2)):
        again = await run_checkins(app, {"discord": sender}, DUE + later, "w2")
        assert again.sent == again.uncertain == 0, again
    dm = fake_discord.dm_channels[DISCORD_USER]
    assert fake_discord.delivered == {dm: 1} and len(discord_checkin_posts(fake_discord)) == 1
    assert "Weekly check-in" in str(fake_discord.messages[dm][0]["embeds"])
    assert app.deps.checkins.counts() == {"uncertain": 1}
    assert 'skillbot_uncertain_sends_total{kind="checkin",platform="discord"} 1.0' in app.metrics.render().decode()


async def test_a_discord_500_after_the_message_was_created_is_retried_under_its_nonce_and_arrives_once(
        discord_bot, fake_discord):
    """With the usual send timeout discord.py retries the 500 itself, with the same nonce and enforce_nonce:
    Discord hands back the message it made, so the learner has one check-in and it is recorded sent."""
    app, adapter = discord_bot
    fake_discord.weather.accept_then("500")
    sender = DiscordSender(adapter.client, app.metrics, adapter.pacer, timeout=10)
    seed_discord_learner(app.engine)
    report = await run_checkins(app, {"discord": sender}, DUE + timedelta(minutes=1), "w1")
    assert report.sent == 1 and report.uncertain == 0, report
    for later in (timedelta(minutes=10), timedelta(hours=2)):
        await run_checkins(app, {"discord": sender}, DUE + later, "w2")
    first, retry = discord_checkin_posts(fake_discord)
    assert first.status == 500 and retry.status == 200 and first.body["nonce"] == retry.body["nonce"]
    assert first.body["enforce_nonce"] is True
    assert fake_discord.delivered == {fake_discord.dm_channels[DISCORD_USER]: 1}
    assert app.deps.checkins.counts() == {"sent": 1}


async def test_after_8_days_down_the_checkin_due_30s_ago_is_sent_once_and_the_stale_one_is_not(pg_app):
    now = DUE + timedelta(seconds=30)
    seed_due(pg_app.engine, 3, DUE - timedelta(days=7))  # the schedule stopped a week before: 8 days down
    sender = RecordingSender()
    report = await run_checkins(pg_app, {"console": sender}, now, "w1")
    again = await run_checkins(pg_app, {"console": sender}, now + timedelta(minutes=1), "w1")
    assert report.sent == 3 and report.stale == 3 and again.sent == 0
    assert Counter(uid for uid, _ in sender.sent) == {"u0": 1, "u1": 1, "u2": 1}
    with pg_app.engine.connect() as conn:
        weeks = set(conn.scalars(select(CheckinDelivery.week)))
        upcoming = set(conn.scalars(select(Enrollment.next_checkin_at)))
    assert weeks == {"2026-W49"} and upcoming == {DUE + timedelta(days=7)}


async def test_after_a_long_outage_with_no_fresh_occurrence_nothing_is_sent(pg_app):
    now = DUE + timedelta(days=2)  # the latest occurrence is 2 days old: stale too
    seed_due(pg_app.engine, 2, DUE - timedelta(days=7))
    sender = RecordingSender()
    report = await run_checkins(pg_app, {"console": sender}, now, "w1")
    assert report.sent == 0 and report.stale == 2 and not sender.sent
    with pg_app.engine.connect() as conn:
        assert set(conn.scalars(select(Enrollment.next_checkin_at))) == {DUE + timedelta(days=7)}
