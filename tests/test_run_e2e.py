"""`skillbot run` as a deployed process: Slack (HTTP mode) and Discord through the real SDKs against
the local fakes, health and metrics over HTTP, and SIGTERM in the middle of a check-in batch that
spans both platforms, with nothing lost or sent twice."""
from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import aiohttp
import pytest
from sqlalchemy import insert, select

from bot.store.db import make_engine
from bot.store.models import Enrollment, User
from tests.discord.conftest import flatten, seen
from tests.fakes.discord import FakeDiscord
from tests.fakes.slack import BOT_TOKEN, TEAM, FakeSlack, http_body, signed_post
from tests.helpers import clean_env
from tests.slack.conftest import flatten as slack_flatten

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)

START_TIMEOUT = 30
DISCORD_USERS = 120
SLACK_USERS = 60
SLACK_SECRET = "e2e-slack-signing-secret"


class SlowDMDiscord(FakeDiscord):
    """Takes 50 ms per channel message, so a batch of check-ins is still running when SIGTERM comes."""

    async def _channel_message(self, body, request, channel_id):
        await asyncio.sleep(0.05)
        return await super()._channel_message(body, request, channel_id)

    def dms_per_user(self) -> Counter[str]:
        return Counter({user: len(self.messages.get(channel, [])) for user, channel in self.dm_channels.items()
                        if self.messages.get(channel)})


class SlowDMSlack(FakeSlack):
    """Takes 50 ms per chat.postMessage, like SlowDMDiscord, so Slack check-ins are mid-batch too."""

    async def _api(self, request):
        if request.match_info["method"] == "chat.postMessage":
            await asyncio.sleep(0.05)
        return await super()._api(request)

    def dms_per_user(self) -> Counter[str]:
        """Check-ins are posted to the user id (Slack puts them in the app's DM with the user)."""
        return Counter(str(call.args["channel"]) for call in self.called("chat.postMessage")
                       if call.status == 200 and not str(call.args.get("channel", "C")).startswith(("C", "G", "D")))


def db_upgrade(env: dict, cwd) -> None:
    """The Procfile's release phase: migrate once before any process starts."""
    done = subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, cwd=cwd,
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_checkins(url: str, users: list[tuple[str, str, str]], due_at: datetime) -> None:
    """One due weekly check-in per (platform, workspace, user id); the k-th is due k seconds after
    `due_at`, so interleaving the list interleaves the platforms within the batch."""
    engine = make_engine(url)
    joined = due_at - timedelta(days=7)
    with engine.begin() as conn:
        conn.execute(insert(User), [{
            "platform": platform, "workspace": workspace, "platform_user_id": user_id,
            "display_name": f"learner{k}", "created_at": joined, "checkin_weekday": due_at.weekday(),
            "checkin_minute": due_at.hour * 60 + due_at.minute, "checkin_tz": "UTC", "schedule_set": True,
            "unanswered_checkins": 0,
        } for k, (platform, workspace, user_id) in enumerate(users)])
        ids = dict(conn.execute(select(User.platform_user_id, User.id)).all())
        conn.execute(insert(Enrollment), [{
            "user_id": ids[user_id], "track_id": "mlops", "status": "active", "current_step": 0,
            "started_at": joined, "updated_at": joined, "next_checkin_at": due_at + timedelta(seconds=k),
        } for k, (_platform, _workspace, user_id) in enumerate(users)])
    engine.dispose()


def interleaved_learners() -> list[tuple[str, str, str]]:
    """Discord and Slack learners alternating (two Discord per Slack), so every send group has both."""
    discord = [("discord", "700000000000000001", str(810000000000000000 + i)) for i in range(DISCORD_USERS)]
    slack = [("slack", TEAM, f"U0LEARN{i:03d}") for i in range(SLACK_USERS)]
    out = []
    for i, learner in enumerate(discord):
        out.append(learner)
        if i % 2 and slack:
            out.append(slack.pop(0))
    return out + slack


async def slack_command(port: int, fake: FakeSlack, text: str, user: str) -> str:
    """`/skill text` posted to the process's /slack/events, signed as Slack signs; the answer text."""
    payload = fake.slash_payload(text, user)
    body, content_type = http_body("slash_commands", payload)
    status, _, _ = await signed_post(f"http://127.0.0.1:{port}/slack/events", body, content_type, SLACK_SECRET)
    assert status == 200
    await fake.wait_for(lambda: bool(fake.responses(payload["response_url"])), timeout=10)
    return slack_flatten(fake.responses(payload["response_url"]))


class BotProcess:
    running: ClassVar[list[subprocess.Popen]] = []  # killed after each test, pass or fail

    def __init__(self, env: dict, port: int, cwd):
        self.env, self.port, self.cwd = env, port, cwd
        self.proc: subprocess.Popen | None = None

    @classmethod
    def kill_all(cls) -> None:
        for proc in cls.running:
            if proc.poll() is None:
                proc.kill()
        cls.running.clear()

    def launch(self) -> None:
        """Spawn `skillbot run` without waiting for it (Popen returns at once)."""
        self.log = open(self.cwd / f"run-{time.monotonic_ns()}.log", "w")  # noqa: SIM115 - closed in terminate()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=self.env, cwd=self.cwd,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        BotProcess.running.append(self.proc)

    async def start(self) -> None:
        self.launch()
        await self.until_ready()

    async def until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, self.output()
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError("skillbot run never became ready:\n" + self.output())

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{self.port}{path}") as r:
            return r.status, await r.text()

    async def terminate(self) -> tuple[int, float]:
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        while self.proc.poll() is None and time.monotonic() - started < 15:
            await asyncio.sleep(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
        self.log.close()
        return self.proc.returncode, time.monotonic() - started

    def output(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return "".join(path.read_text() for path in sorted(self.cwd.glob("run-*.log")))


@pytest.fixture
async def discord_fake():
    fake = await SlowDMDiscord(token="e2e-secret-token").start()
    yield fake
    BotProcess.kill_all()
    await fake.stop()


@pytest.fixture
async def slack_fake():
    fake = await SlowDMSlack(signing_secret=SLACK_SECRET).start()
    yield fake
    await fake.stop()


async def test_run_answers_serves_health_and_survives_sigterm_mid_batch(tmp_path, discord_fake, slack_fake):
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    port = free_port()
    env = clean_env(
        DATABASE_URL=db_url, PORT=str(port), LOG_LEVEL="INFO", DISCORD_TOKEN="e2e-secret-token",
               DISCORD_API_URL=discord_fake.api_url, DISCORD_GATEWAY_URL=discord_fake.gateway_url,
               SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SLACK_SECRET, SLACK_API_URL=slack_fake.api_url)
    await asyncio.to_thread(db_upgrade, env, tmp_path)
    seed_checkins(db_url, interleaved_learners(), datetime.now(UTC) - timedelta(minutes=5))

    def delivered() -> tuple[Counter[str], Counter[str]]:
        return discord_fake.dms_per_user(), slack_fake.dms_per_user()

    bot = BotProcess(env, port, tmp_path)
    await bot.start()
    assert (await bot.get("/healthz"))[0] == 200
    status, ready = await bot.get("/readyz")
    assert status == 200 and '"discord": true' in ready and '"slack": true' in ready and '"database": true' in ready

    # A command on each platform, answered through the real discord.py client and slack-bolt.
    state = await discord_fake.slash("mlops", user_id="820000000000000001", name="dana")
    slack_answer = await slack_command(port, slack_fake, "mlops", user="alice")
    await discord_fake.wait_for(lambda: "Senior level" in flatten(seen(state)), timeout=10)
    assert "MLOps" in flatten(seen(state)) and "MLOps" in slack_answer

    # SIGTERM while the start-up tick is still sending the batch, on both platforms.
    await discord_fake.wait_for(lambda: all(delivered()), timeout=15)
    assert sum(delivered()[0].values()) < DISCORD_USERS, "the Discord batch should still be running"
    assert sum(delivered()[1].values()) < SLACK_USERS, "the Slack batch should still be running"
    _status, metrics = await bot.get("/metrics")
    assert 'skillbot_commands_total{kind="question",platform="discord"} 1.0' in metrics
    assert 'skillbot_commands_total{kind="question",platform="slack"} 1.0' in metrics
    assert "skillbot_checkins_total" in metrics
    code, took = await bot.terminate()
    assert code == 0 and took < 10, bot.output()

    # The next process sends what the first handed back: everyone exactly once, on both platforms.
    again = BotProcess(env, port, tmp_path)
    await again.start()
    try:
        await discord_fake.wait_for(lambda: len(delivered()[0]) >= DISCORD_USERS, timeout=30)
        await slack_fake.wait_for(lambda: len(delivered()[1]) >= SLACK_USERS, timeout=30)
    except TimeoutError:
        counts = tuple(len(c) for c in delivered())
        raise AssertionError(f"delivered (discord, slack) {counts}; logs of both runs:\n{again.output()}") from None
    code, _ = await again.terminate()  # counted after it exits, so a late duplicate would show
    discord_counts, slack_counts = delivered()
    assert len(discord_counts) == DISCORD_USERS and set(discord_counts.values()) == {1}
    assert len(slack_counts) == SLACK_USERS and set(slack_counts.values()) == {1}
    assert code == 0
    logs = again.output() + bot.output()
    assert "e2e-secret-token" not in logs and BOT_TOKEN not in logs and SLACK_SECRET not in logs
