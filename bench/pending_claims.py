"""The pending-claims query (run every minute in every replica) at 2,000 and 200,000 delivery rows,
on SQLite and PostgreSQL, with the (status, due_at) index. Almost every row is in a final state
(sent), as in a real database after a few weeks; a handful are pending.

Run: python bench/pending_claims.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/db]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text

from bot.app import build_app
from bot.settings import Settings
from bot.store.models import CheckinDelivery, Enrollment
from tests.checkins_helpers import seed_due

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def measure(url: str, rows: int) -> float:
    app = build_app(Settings(DATABASE_URL=url))
    users = 2_000
    seed_due(app.engine, users, NOW + timedelta(days=1))
    with app.engine.begin() as conn:
        enrollments = conn.scalars(select(Enrollment.id)).all()
        for start in range(0, rows, 20_000):
            conn.execute(insert(CheckinDelivery), [{
                "enrollment_id": enrollments[i % users], "week": f"W{i // users:05d}", "attempt": 0,
                "step_index": 0, "due_at": NOW - timedelta(days=7 * (i // users) + 1),
                "status": "sent" if i % 1000 else "retry", "claimed_by": "x", "claimed_at": NOW - timedelta(days=30),
            } for i in range(start, min(rows, start + 20_000))])
        if app.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
    store = app.deps.checkins
    times = []
    for _ in range(20):
        started = time.perf_counter()
        # The first run expires the few stale pending rows; the rest measure the every-minute query finding nothing.
        store.claim_pending(NOW, "bench", ["console"], 16)
        times.append(time.perf_counter() - started)
    app.engine.dispose()
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("SKILLBOT_TEST_DATABASE_URL"))
    args = parser.parse_args()
    for rows in (2_000, 200_000):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"sqlite      rows={rows:>7}: pending-claims query {measure(f'sqlite:///{tmp}/b.db', rows):.2f} ms")
        if args.pg:
            from bot.store.db import make_engine
            engine = make_engine(args.pg)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            engine.dispose()
            print(f"postgresql  rows={rows:>7}: pending-claims query {measure(args.pg, rows):.2f} ms")


if __name__ == "__main__":
    main()
