"""The real `skillbot` command in a subprocess: piped console, persistence across restarts, ask --json."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import clean_env


def _run(args, stdin: str, tmp_path, extra_env=None):
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", **(extra_env or {}))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, input=stdin, capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)


def test_piped_console_prints_card_and_exits_zero(tmp_path):
    done = _run([], "/skill mlops\n", tmp_path)
    assert done.returncode == 0, done.stderr
    assert "MLOps" in done.stdout and "Senior level" in done.stdout
    assert "Traceback" not in done.stderr


def test_progress_survives_restart(tmp_path):
    first = _run(["--user", "alice"], "/skill track mlops\n/skill done\n/skill done\n", tmp_path)
    assert first.returncode == 0, first.stderr
    second = _run(["--user", "alice"], "/skill progress\n", tmp_path)
    assert "step 3 of" in second.stdout and "Steps done: 2" in second.stdout


def test_default_database_is_skillbot_db_in_cwd(tmp_path):
    env = clean_env()
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bot.cli"], check=False, input="/skill list\n", capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "skillbot.db").exists()


def test_ask_json(tmp_path):
    done = _run(["ask", "--json"], "what is lora\nzxqv blorp\n", tmp_path)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert lines[0]["skill"] == "genai" and lines[0]["topic"] and isinstance(lines[0]["score"], float)
    assert isinstance(lines[0]["alternatives"], list)
    assert lines[1] == {"skill": None, "topic": None, "score": lines[1]["score"], "alternatives": []}


def test_ask_text(tmp_path):
    done = _run(["ask", "feature", "store"], "", tmp_path)
    assert done.returncode == 0 and "Feast" in done.stdout


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
def test_nudges_run_once_prints_the_console_dm_once(tmp_path):
    from datetime import UTC, datetime, timedelta

    from bot.core.schedule import Weekly, next_occurrence
    joined = _run(["--user", "alice"], "/skill schedule fri 17:30 Europe/Berlin\n/skill track mlops\n", tmp_path)
    assert joined.returncode == 0, joined.stderr
    due = next_occurrence(Weekly(4, 17 * 60 + 30, "Europe/Berlin"), datetime.now(UTC))
    at = (due + timedelta(minutes=1)).isoformat()
    first = _run(["nudges", "run-once", "--now", at], "", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "[DM to alice]" in first.stdout and "Weekly check-in: MLOps" in first.stdout
    assert "sent 1" in first.stderr
    again = _run(["nudges", "run-once", "--now", at], "", tmp_path)
    assert "[DM to alice]" not in again.stdout and "sent 0" in again.stderr


def test_nudges_run_once_rejects_a_bad_instant(tmp_path):
    done = _run(["nudges", "run-once", "--now", "next tuesday"], "", tmp_path)
    assert done.returncode != 0 and "ISO-8601" in done.stderr and "Traceback" not in done.stderr
