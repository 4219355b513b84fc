"""`/skill progress` latency with 100,000 users on SQLite, and database size per user.

Run: python bench/store.py [--users N]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert

from bot.app import build_app
from bot.core.model import ChannelRef, Command, UserRef
from bot.settings import Settings
from bot.store.models import Enrollment, StepEvent, User


def populate(engine, users: int) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    rng = random.Random(1)
    tracks = ["mlops", "genai", "cloud", "ml", "math", "programming"]
    batch = 5000
    with engine.begin() as conn:
        for start in range(0, users, batch):
            ids = range(start + 1, min(users, start + batch) + 1)
            conn.execute(insert(User), [{"id": i, "platform": "slack", "workspace": "T1", "platform_user_id": f"U{i}",
                                             "display_name": f"user{i}", "created_at": now, "checkin_weekday": 0,
                                             "checkin_minute": 540, "checkin_tz": "UTC", "schedule_set": False,
                                             "unanswered_checkins": 0} for i in ids])
            conn.execute(insert(Enrollment), [{"id": i, "user_id": i, "track_id": rng.choice(tracks), "status": "active",
                                                   "current_step": 3, "started_at": now, "updated_at": now,
                                                   "next_checkin_at": now + timedelta(days=7)} for i in ids])
            conn.execute(insert(StepEvent), [{"enrollment_id": i, "step_index": s, "kind": "done",
                                                  "at": now + timedelta(days=7 * s)} for i in ids for s in range(3)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = folder / "bench.db"
    app = build_app(Settings(DATABASE_URL=f"sqlite:///{db}"))
    start = time.perf_counter()
    populate(app.engine, args.users)
    print(f"populated {args.users} users (3 steps each) in {time.perf_counter() - start:.1f} s")
    rng = random.Random(2)
    timings = []
    for _ in range(2000):
        uid = rng.randint(1, args.users)
        cmd = Command(UserRef("slack", "T1", f"U{uid}", f"user{uid}"), ChannelRef("slack", "T1", "C1"), "/skill progress")
        t0 = time.perf_counter()
        result = app.bot.handle(cmd)
        timings.append((time.perf_counter() - t0) * 1000)
        assert "step 4 of" in result.replies[0].title, result.replies[0].title
    timings.sort()
    print(f"/skill progress over 2000 random users: p50 {timings[len(timings) // 2]:.2f} ms, "
          f"p99 {timings[int(len(timings) * 0.99)]:.2f} ms (target p99 < 10 ms)")
    app.engine.dispose()
    size = sum(p.stat().st_size for p in folder.iterdir())
    print(f"database size: {size / 1e6:.1f} MB, {size / args.users:.0f} bytes per user (1 enrollment, 3 steps)")


if __name__ == "__main__":
    main()
