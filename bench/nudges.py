"""Due check-ins sent by two `skillbot nudges run-once` processes on PostgreSQL, through the real
discord.py client, against FakeDiscord enforcing Discord's caps (50 requests/s global per bot, a
channel's messages 5 per 5 s), with X-RateLimit-* headers and 429s as Discord answers them.

Prints: delivered, duplicates and missing (both must be 0), the share of requests answered 429
(must stay under 1%), throughput as a share of the cap, and each dispatcher's own memory growth
(RSS at its first send to its peak; the seeding runs in this process, not theirs).

Run: python bench/nudges.py [--count 100000] [--cap 50] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/db]
     (--pg defaults to SKILLBOT_TEST_DATABASE_URL; the database is emptied first)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text

from bot.store.db import make_engine
from bot.store.models import Enrollment, User
from tests.fakes.discord import FakeDiscord

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def reset_and_seed(url: str, count: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    subprocess.run([sys.executable, "-m", "bot.cli", "db", "upgrade"], env=_env(url, None, 0), check=True,
                   capture_output=True)
    engine = make_engine(url)
    joined = DUE - timedelta(days=7)
    with engine.begin() as conn:
        for start in range(0, count, 10_000):
            conn.execute(insert(User), [{
                "platform": "discord", "workspace": "discord", "platform_user_id": str(10**17 + i),
                "display_name": f"user {i}", "created_at": joined, "checkin_weekday": DUE.weekday(),
                "checkin_minute": DUE.hour * 60, "checkin_tz": "UTC", "schedule_set": True, "unanswered_checkins": 0,
            } for i in range(start, min(count, start + 10_000))])
        ids = conn.scalars(select(User.id)).all()
        for start in range(0, len(ids), 10_000):
            conn.execute(insert(Enrollment), [{
                "user_id": uid, "track_id": "mlops", "status": "active", "current_step": 0, "started_at": joined,
                "updated_at": joined, "next_checkin_at": DUE} for uid in ids[start:start + 10_000]])
    engine.dispose()


def _env(url: str, fake: FakeDiscord | None, cap: float) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(DATABASE_URL=url, LOG_LEVEL="WARNING", SKILLBOT_DISCORD_RATE=str(cap))
    if fake is not None:
        env.update(DISCORD_TOKEN=fake.token, DISCORD_API_URL=fake.api_url, DISCORD_GATEWAY_URL=fake.gateway_url)
    return env


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def launch(env: dict, cwd: str, index: int) -> subprocess.Popen:
    """One dispatcher: `skillbot nudges run-once`, its log in cwd."""
    log = open(f"{cwd}/d{index}.log", "w")  # noqa: SIM115 - the child owns it until it exits
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "nudges", "run-once", "--now",
                             (DUE + timedelta(minutes=1)).isoformat()], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=log)


async def run(url: str, count: int, cap: float, dispatchers: int) -> None:
    fake = await FakeDiscord(token="bench-token").start()
    fake.enforce_limits(global_per_second=int(cap))
    fake.weather.max_calls = 2_000  # keep the fake's log small: we measure the bot
    env = _env(url, fake, cap)
    with tempfile.TemporaryDirectory() as tmp:
        procs = [launch(env, tmp, i) for i in range(dispatchers)]
        base: dict[int, int] = {}
        peak: dict[int, int] = {}
        started = None
        while any(p.poll() is None for p in procs):
            await asyncio.sleep(0.5)
            if started is None and fake.delivered:
                started = time.perf_counter()
            for p in procs:
                rss = rss_kib(p.pid)
                if rss and fake.delivered:
                    base.setdefault(p.pid, rss)
                    peak[p.pid] = max(peak.get(p.pid, 0), rss)
        elapsed = time.perf_counter() - (started or time.perf_counter())
        for i, p in enumerate(procs):
            if p.returncode:
                print(f"dispatcher {i} exited {p.returncode}:\n" + Path(f"{tmp}/d{i}.log").read_text()[-3000:])
    requests = len(fake.calls) + fake.weather.dropped_calls
    await fake.stop()
    delivered = len(fake.delivered)
    duplicates = sum(n - 1 for n in fake.delivered.values() if n > 1)
    print(f"postgresql dispatchers={dispatchers} due={count} delivered={delivered} duplicates={duplicates} "
          f"missing={count - delivered} in {elapsed:.1f}s")
    print(f"requests={requests} answered_429={fake.rate_limited} ({100 * fake.rate_limited / max(requests, 1):.2f}%) "
          f"throughput={requests / max(elapsed, 1e-9):.1f} req/s = {100 * requests / max(elapsed, 1e-9) / cap:.0f}% "
          f"of the {cap:g}/s cap ({delivered / max(elapsed, 1e-9):.1f} check-ins/s)")
    for pid, first in base.items():
        print(f"dispatcher pid={pid} rss at first send={first / 1024:.1f}MiB peak={peak[pid] / 1024:.1f}MiB "
              f"growth={(peak[pid] - first) / 1024:.1f}MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--cap", type=float, default=50.0)
    parser.add_argument("--dispatchers", type=int, default=2)
    parser.add_argument("--pg", default=os.environ.get("SKILLBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    if not args.pg:
        raise SystemExit("pass --pg URL or set SKILLBOT_TEST_DATABASE_URL")
    reset_and_seed(args.pg, args.count)
    asyncio.run(run(args.pg, args.count, args.cap, args.dispatchers))


if __name__ == "__main__":
    main()
