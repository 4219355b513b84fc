"""`skillbot run` as a deployed process: the real SDKs against the local fakes, health and metrics
over HTTP, and SIGTERM in the middle of a check-in batch with nothing lost or sent twice."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from sqlalchemy import insert, select

from bot.store.db import make_engine
from bot.store.models import Enrollment, User
from tests.discord.conftest import flatten, seen
from tests.fakes.discord import FakeDiscord

START_TIMEOUT = 30
DISCORD_USERS = 120


class SlowDMDiscord(FakeDiscord):
    """Takes 50 ms per channel message, so a batch of check-ins is still running when SIGTERM comes."""

    async def _channel_message(self, body, request, channel_id):
        await asyncio.sleep(0.05)
        return await super()._channel_message(body, request, channel_id)

    def dms_per_user(self) -> Counter[str]:
        return Counter({user: len(self.messages.get(channel, [])) for user, channel in self.dm_channels.items()
                        if self.messages.get(channel)})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed_discord_checkins(url: str, count: int, due_at: datetime) -> None:
    engine = make_engine(url)
    joined = due_at - timedelta(days=7)
    with engine.begin() as conn:
        conn.execute(insert(User), [{
            "platform": "discord", "workspace": "700000000000000001", "platform_user_id": str(810000000000000000 + i),
            "display_name": f"learner{i}", "created_at": joined, "checkin_weekday": due_at.weekday(),
            "checkin_minute": due_at.hour * 60 + due_at.minute, "checkin_tz": "UTC", "schedule_set": True,
            "unanswered_checkins": 0,
        } for i in range(count)])
        ids = conn.scalars(select(User.id).where(User.platform == "discord")).all()
        conn.execute(insert(Enrollment), [{
            "user_id": user_id, "track_id": "mlops", "status": "active", "current_step": 0,
            "started_at": joined, "updated_at": joined, "next_checkin_at": due_at,
        } for user_id in ids])
    engine.dispose()


class BotProcess:
    running: list[subprocess.Popen] = []  # killed after each test, pass or fail

    def __init__(self, env: dict, port: int, cwd):
        self.env, self.port, self.cwd = env, port, cwd
        self.proc: subprocess.Popen | None = None

    async def start(self) -> None:
        self.log = open(self.cwd / f"run-{time.monotonic_ns()}.log", "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=self.env, cwd=self.cwd,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        BotProcess.running.append(self.proc)
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
    for proc in BotProcess.running:
        if proc.poll() is None:
            proc.kill()
    BotProcess.running.clear()
    await fake.stop()


async def test_run_answers_serves_health_and_survives_sigterm_mid_batch(tmp_path, discord_fake):
    db_url = f"sqlite:///{tmp_path / 'run.db'}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(DATABASE_URL=db_url, PORT=str(port), LOG_LEVEL="INFO", DISCORD_TOKEN="e2e-secret-token",
               DISCORD_API_URL=discord_fake.api_url, DISCORD_GATEWAY_URL=discord_fake.gateway_url)
    assert subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=env, cwd=tmp_path,
                          capture_output=True, check=False, timeout=60).returncode == 0
    seed_discord_checkins(db_url, DISCORD_USERS, datetime.now(UTC) - timedelta(minutes=5))

    bot = BotProcess(env, port, tmp_path)
    await bot.start()
    assert (await bot.get("/healthz"))[0] == 200
    status, ready = await bot.get("/readyz")
    assert status == 200 and '"discord": true' in ready and '"database": true' in ready

    # A command on Discord, answered through the real discord.py client.
    state = await discord_fake.slash("mlops", user_id="820000000000000001", name="dana")
    await discord_fake.wait_for(lambda: "Senior level" in flatten(seen(state)), timeout=10)
    assert "MLOps" in flatten(seen(state))

    # SIGTERM while the start-up tick is still sending the batch of check-ins.
    await discord_fake.wait_for(lambda: 0 < sum(discord_fake.dms_per_user().values()), timeout=15)
    assert sum(discord_fake.dms_per_user().values()) < DISCORD_USERS, "the batch should still be running"
    _status, metrics = await bot.get("/metrics")
    assert 'skillbot_commands_total{kind="question",platform="discord"} 1.0' in metrics
    assert "skillbot_checkins_total" in metrics
    code, took = await bot.terminate()
    assert code == 0 and took < 10, bot.output()

    # The next process sends what the first handed back: everyone exactly once.
    again = BotProcess(env, port, tmp_path)
    await again.start()
    await discord_fake.wait_for(lambda: len(discord_fake.dms_per_user()) >= DISCORD_USERS, timeout=30)
    await asyncio.sleep(0.5)
    code, _ = await again.terminate()
    counts = discord_fake.dms_per_user()
    assert len(counts) == DISCORD_USERS and set(counts.values()) == {1}
    assert code == 0
    assert "e2e-secret-token" not in again.output() + bot.output()
