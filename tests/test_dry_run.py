"""`nudges run-once` and `digest run-once` with --dry-run print what would go out and change nothing;
a real run that sends nothing says why and when the next one is due."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text

from bot.store.db import make_engine
from bot.store.models import Enrollment, TeamChannel
from tests.helpers import clean_env

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)


def skillbot(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = clean_env(isolated=True, DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=60, check=False)


def snapshot(tmp_path) -> dict:
    """Row counts of every table and every next instant: what a dry run must leave as it found it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        with engine.connect() as conn:
            counts = {t: conn.scalar(text(f'SELECT COUNT(*) FROM "{t}"')) for t in inspect(conn).get_table_names()}
            checkins = conn.execute(select(Enrollment.id, Enrollment.next_checkin_at, Enrollment.status)).all()
            digests = conn.execute(select(TeamChannel.id, TeamChannel.next_digest_at)).all()
        return {"counts": counts, "checkins": checkins, "digests": digests}
    finally:
        engine.dispose()


def iso(instant: datetime) -> str:
    return instant.replace(tzinfo=UTC).isoformat() if instant.tzinfo is None else instant.isoformat()


@pytest.fixture
def seeded(tmp_path):
    done = skillbot(tmp_path, "--user", "alice", "--channel", "team-ml", "--admin",
                    stdin="/skill team here\n/skill share on\n/skill track ml\n/skill done read chapter 1\n")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_nudges_dry_run_prints_the_checkin_and_changes_nothing(seeded):
    due_at = snapshot(seeded)["checkins"][0][1]
    now = iso(due_at + timedelta(minutes=1))
    before = snapshot(seeded)
    dry = skillbot(seeded, "nudges", "run-once", "--dry-run", "--now", now)
    assert dry.returncode == 0, dry.stderr
    assert "[would DM alice on console]" in dry.stdout and "Weekly check-in: Machine learning" in dry.stdout
    assert "Last week you wrote: “read chapter 1”" in dry.stdout
    assert "would send 1" in dry.stderr and "nothing was sent or changed" in dry.stderr
    assert snapshot(seeded) == before
    real = skillbot(seeded, "nudges", "run-once", "--now", now)
    assert "[DM to alice]" in real.stdout and "sent 1" in real.stderr
    assert snapshot(seeded) != before, "the snapshot does see what a real run changes"


def test_digest_dry_run_prints_the_digest_and_changes_nothing(seeded):
    due_at = snapshot(seeded)["digests"][0][1]
    now = iso(due_at + timedelta(minutes=1))
    before = snapshot(seeded)
    dry = skillbot(seeded, "digest", "run-once", "--dry-run", "--now", now)
    assert dry.returncode == 0, dry.stderr
    assert "[would post to #team-ml on console]" in dry.stdout and "Team digest · week of" in dry.stdout
    assert "would post 1" in dry.stderr
    assert snapshot(seeded) == before
    real = skillbot(seeded, "digest", "run-once", "--now", now)
    assert "posted 1" in real.stderr and snapshot(seeded) != before


def test_nothing_due_says_why_and_when_next(seeded):
    next_checkin = snapshot(seeded)["checkins"][0][1]
    now = iso(next_checkin - timedelta(hours=1))
    for args, expected in ((("nudges", "run-once"), "sent 0"), (("digest", "run-once"), "posted 0")):
        done = skillbot(seeded, *args, "--now", now)
        assert expected in done.stderr and "was due; next" in done.stderr, done.stderr
    dry = skillbot(seeded, "nudges", "run-once", "--dry-run", "--now", now)
    assert "would send 0 (none is due; next check-in" in dry.stderr
    assert f"{next_checkin:%a %d %b %Y %H:%M} UTC" in dry.stderr
