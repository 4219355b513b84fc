"""10,000 due check-ins through a local fake platform API that answers after 50 ms and sometimes
answers 429 with a retry-after. SQLite with one dispatcher; PostgreSQL with two racing.

Prints delivered per second, duplicates and missing (both must be 0) and peak memory.

Run: python bench/nudges.py [--count 10000] [--pg postgresql://postgres@127.0.0.1:5432/test]
     (--pg defaults to SKILLBOT_TEST_DATABASE_URL; without it only SQLite runs)
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.app import build_app
from bot.checkins.dispatch import run_checkins
from bot.content.loader import load_catalog
from bot.core.delivery import SENT, Delivery, DeliveryStatus
from bot.settings import Settings
from tests.checkins_helpers import seed_due

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATENCY = float(os.environ.get("BENCH_LATENCY", "0.05"))
RATE_LIMIT_SHARE = float(os.environ.get("BENCH_429_SHARE", "0.005"))
RETRY_AFTER = 0.2


class FakePlatform:
    """An HTTP 'send a DM' endpoint: 50 ms per call, an occasional 429, every delivery counted."""

    def __init__(self) -> None:
        self.delivered: Counter[str] = Counter()
        self.rate_limited = 0
        self.rng = random.Random(7)

    async def handle(self, request: web.Request) -> web.Response:
        await asyncio.sleep(LATENCY)
        if self.rng.random() < RATE_LIMIT_SHARE:
            self.rate_limited += 1
            return web.json_response({"retry_after": RETRY_AFTER}, status=429)
        body = await request.json()
        self.delivered[body["user"]] += 1
        return web.json_response({"ok": True})


class HttpSender:
    platform = "console"

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session, self.url = session, url

    async def send_dm(self, user, reply) -> Delivery:
        async with self.session.post(self.url, json={"user": user.user_id, "text": reply.title}) as response:
            if response.status == 429:
                return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=(await response.json())["retry_after"])
            return SENT if response.status == 200 else Delivery(DeliveryStatus.FAILED)

    async def post(self, channel, reply) -> Delivery:
        return SENT


async def run(url: str, count: int, dispatchers: int, catalog) -> None:
    fake = FakePlatform()
    web_app = web.Application()
    web_app.router.add_post("/dm", fake.handle)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    apps = [build_app(Settings(DATABASE_URL=url), catalog=catalog) for _ in range(dispatchers)]
    seed_due(apps[0].engine, count, DUE)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200)) as session:
        sender = HttpSender(session, f"http://127.0.0.1:{port}/dm")
        started = time.perf_counter()
        await asyncio.gather(*(run_checkins(app, {"console": sender}, DUE + timedelta(minutes=1), f"bench-{i}")
                               for i, app in enumerate(apps)))
        elapsed = time.perf_counter() - started
    await runner.cleanup()
    for app in apps:
        app.engine.dispose()
    duplicates = sum(n - 1 for n in fake.delivered.values() if n > 1)
    missing = count - len(fake.delivered)
    backend = url.split(":")[0]
    print(f"{backend:<22} dispatchers={dispatchers} delivered={len(fake.delivered)} in {elapsed:.1f}s "
          f"({len(fake.delivered) / elapsed:.0f}/s) duplicates={duplicates} missing={missing} "
          f"429s={fake.rate_limited} peak_rss={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}MB")


def reset_postgres(url: str) -> None:
    from bot.store.db import make_engine
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--pg", default=os.environ.get("SKILLBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite:///{tmp}/bench.db", args.count, 1, catalog))
    if args.pg:
        reset_postgres(args.pg)
        asyncio.run(run(args.pg, args.count, 2, catalog))
    else:
        print("PostgreSQL skipped: pass --pg URL or set SKILLBOT_TEST_DATABASE_URL")


if __name__ == "__main__":
    main()
