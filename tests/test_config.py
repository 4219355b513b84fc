"""Configuration as an operator meets it: one line per bad value, exit 2, no traceback; read-only checks."""
from __future__ import annotations

import subprocess
import sys

import pytest

from bot.app import build_app
from bot.settings import Settings
from tests.helpers import clean_env


def skillbot(tmp_path, *args: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=clean_env(isolated=True, **env), cwd=tmp_path, timeout=60, check=False)


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("DATABASE_URL", "garbage", "postgresql://"),
    ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING"),
    ("LOG_FORMAT", "xml", "text or json"),
    ("PORT", "eighty", "whole number"),
    ("SKILLBOT_AUTO_MIGRATE", "maybe", "1 or 0"),
    ("SKILLBOT_SEMANTIC", "perhaps", "1 or 0"),
    ("SKILLBOT_CONTENT_DIR", "/no/such/folder", "folder"),
])
def test_a_bad_value_is_one_line_naming_the_variable(tmp_path, variable, value, expected):
    done = skillbot(tmp_path, "ask", "what is mlops", **{variable: value})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert variable in lines[0] and expected in lines[0] and "Traceback" not in done.stderr


def test_dotenv_is_read_for_log_settings_and_content_dir(tmp_path):
    (tmp_path / ".env").write_text("LOG_LEVEL=LOUD\n")
    done = skillbot(tmp_path, "content", "check")
    assert done.returncode == 2 and "LOG_LEVEL" in done.stderr, "LOG_LEVEL from .env is read and checked"
    (tmp_path / ".env").write_text(f"SKILLBOT_CONTENT_DIR={tmp_path / 'empty'}\n")
    (tmp_path / "empty").mkdir()
    done = skillbot(tmp_path, "content", "check")
    assert done.returncode == 1 and "no *.yaml skill files" in done.stderr, "content check uses SKILLBOT_CONTENT_DIR from .env"
    (tmp_path / ".env").write_text("LOG_FORMAT=json\nLOG_LEVEL=INFO\n")
    done = skillbot(tmp_path, "db", "upgrade")
    assert done.returncode == 0
    assert done.stderr.startswith("{") or done.stderr == "", "LOG_FORMAT=json from .env gives JSON lines"


@pytest.mark.slow
def test_an_unreachable_database_is_one_line_with_the_host_and_no_password(tmp_path):
    url = "postgresql://bob:hunter2secret@127.0.0.1:1/skills"
    for args in (["db", "upgrade"], [], ["db", "current"]):  # [] is the console
        done = skillbot(tmp_path, *args, stdin="/skill progress\n", DATABASE_URL=url)
        assert done.returncode == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr and "hunter2secret" not in done.stderr + done.stdout
        assert "127.0.0.1:1/skills" in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@pytest.mark.parametrize(("platform", "variable"), [("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN")])
def test_a_platform_without_credentials_names_the_variable(tmp_path, platform, variable):
    done = skillbot(tmp_path, platform, "--no-scheduler")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and variable in done.stderr
    assert not any(tmp_path.iterdir()), "nothing created"


def test_slack_with_only_a_bot_token_names_the_missing_pair(tmp_path):
    done = skillbot(tmp_path, "slack", SLACK_BOT_TOKEN="xoxb-1-2-3")
    assert done.returncode == 2 and "SLACK_APP_TOKEN" in done.stderr and "SLACK_SIGNING_SECRET" in done.stderr


def test_doctor_in_an_empty_folder_leaves_it_empty_and_says_what_to_run(tmp_path):
    done = skillbot(tmp_path, "doctor")
    assert done.returncode == 1
    assert "does not exist" in done.stdout and "skillbot db upgrade" in done.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_db_current_and_doctor_never_migrate_an_old_database(tmp_path):
    assert skillbot(tmp_path, "db", "upgrade").returncode == 0
    assert skillbot(tmp_path, "db", "downgrade", "0001").returncode == 0
    current = skillbot(tmp_path, "db", "current")
    assert current.returncode == 1
    assert "database is at 0001, code expects" in current.stdout and "run `skillbot db upgrade`" in current.stdout
    doctor = skillbot(tmp_path, "doctor")
    assert doctor.returncode == 1 and "database is at 0001, code expects" in doctor.stdout
    assert "database is at 0001" in skillbot(tmp_path, "db", "current").stdout, "still at 0001: nothing migrated"


def test_doctor_says_no_platform_configured_instead_of_all_passed(tmp_path):
    assert skillbot(tmp_path, "db", "upgrade").returncode == 0
    done = skillbot(tmp_path, "doctor")
    assert done.returncode == 0, done.stdout
    assert "No platform configured" in done.stdout and "All checks passed" not in done.stdout


def test_version(tmp_path):
    from importlib.metadata import version
    done = skillbot(tmp_path, "--version")
    assert done.returncode == 0 and done.stdout.strip() == f"skillbot {version('skillbot')}"


def test_skillbot_semantic_0_from_dotenv_answers_without_the_extra(tmp_path, monkeypatch, catalog):
    pytest.importorskip("wordllama")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SKILLBOT_SEMANTIC", raising=False)
    (tmp_path / ".env").write_text("SKILLBOT_SEMANTIC=0\n")
    off = build_app(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'off.db'}"), catalog=catalog)
    (tmp_path / ".env").write_text("")
    on = build_app(Settings(DATABASE_URL=f"sqlite:///{tmp_path / 'on.db'}"), catalog=catalog)
    try:
        assert not off.deps.searcher.semantic and on.deps.searcher.semantic
    finally:
        off.engine.dispose()
        on.engine.dispose()
