"""The real `skillbot` in a subprocess: done a step, and the check-in 8 days later carries a recall question."""
from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.schedule import Weekly, next_occurrence
from tests.test_cli import _run

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_checkin_eight_days_after_done_prints_a_recall_question(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith(("SLACK_", "DISCORD_"))]:
        monkeypatch.delenv(key)  # console only
    now = datetime.now(UTC)
    tomorrow = now + timedelta(days=1)
    # Check-ins the day after tomorrow's weekday, at this hour: the first comes a day after the step is
    # done (nothing due yet), the next 8 days after it (the step's questions are due).
    schedule = f"{WEEKDAYS[tomorrow.weekday()]} {tomorrow:%H:%M} UTC"
    joined = _run(["--user", "alice"], f"/skill schedule {schedule}\n/skill track mlops\n/skill done\n", tmp_path)
    assert joined.returncode == 0, joined.stderr
    first = next_occurrence(Weekly(tomorrow.weekday(), tomorrow.hour * 60 + tomorrow.minute, "UTC"), now)
    early = _run(["nudges", "run-once", "--now", (first + timedelta(minutes=1)).isoformat()], "", tmp_path)
    assert "[DM to alice]" in early.stdout and "Quick recall" not in early.stdout, early.stderr
    later = first + timedelta(days=7)
    assert later - now >= timedelta(days=7)
    out = _run(["nudges", "run-once", "--now", (later + timedelta(minutes=1)).isoformat()], "", tmp_path)
    assert out.returncode == 0, out.stderr
    dm = out.stdout
    assert "[DM to alice]" in dm and "Weekly check-in: MLOps" in dm and "Quick recall:" in dm
    assert "[1] Done" in dm and "[4] " in dm and "[6] " in dm  # the options, numbered after the step's buttons
    assert dm.count("Quick recall:") == 1 and "sent 1" in out.stderr
