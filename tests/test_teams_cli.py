"""The issue's console scenario, with the real `skillbot` command in subprocesses on one database."""
from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.schedule import Weekly, next_occurrence
from tests.helpers import clean_env

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)


def _run(args, stdin: str, tmp_path):
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, input=stdin, capture_output=True,
                          text=True, env=env, timeout=60, cwd=tmp_path)


def _say(tmp_path, user: str, lines: list[str], admin: bool = False) -> str:
    done = _run(["--user", user, "--channel", "team-ml", *(["--admin"] if admin else [])],
                "".join(f"/skill {line}\n" for line in lines), tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done.stdout


def test_console_team_scenario(tmp_path, catalog):
    assert "Only workspace admins" in _say(tmp_path, "bob", ["team here"])
    assert "now a team channel" in _say(tmp_path, "alice", ["team here", "share on", "track ml"], admin=True)
    _say(tmp_path, "bob", ["share on", "track ml", "done"])
    carol = _say(tmp_path, "carol", ["track ml", "done"])
    assert "[#team-ml]" not in carol  # no opt-in: nothing posted

    finishing = _say(tmp_path, "alice", ["done"] * len(catalog.skill("ml").track))
    assert finishing.count("[#team-ml]") == 1 and "Track finished" in finishing
    assert "@alice finished the Machine learning track" in finishing

    due = next_occurrence(Weekly(4, 16 * 60, "UTC"), datetime.now(UTC))  # default: Friday 16:00
    at = (due + timedelta(minutes=1)).isoformat()
    digest = _run(["digest", "run-once", "--now", at], "", tmp_path)
    assert digest.returncode == 0, digest.stderr
    assert "[#team-ml]" in digest.stdout and "Team digest" in digest.stdout
    assert "@alice" in digest.stdout and "@bob" in digest.stdout and "carol" not in digest.stdout
    assert "posted 1" in digest.stderr
    again = _run(["digest", "run-once", "--now", at], "", tmp_path)
    assert "[#team-ml]" not in again.stdout and "posted 0" in again.stderr
