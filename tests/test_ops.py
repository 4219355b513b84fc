"""What an operator sees: doctor on a fresh clone, config with secrets masked, start-up refusals."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.helpers import clean_env

SECRET = "xoxb-1111-2222-very-secret-token"


def _skillbot(args, tmp_path, stdin="", **env):
    full_env = clean_env(**{"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}", **env})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=full_env, timeout=60, cwd=tmp_path, check=False)


def test_doctor_on_a_migrated_database_passes_and_names_missing_tokens(tmp_path):
    assert _skillbot(["db", "upgrade"], tmp_path).returncode == 0
    done = _skillbot(["doctor"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "✔ database" in out and "(the latest)" in out
    assert "✔ content: 11 skills" in out
    assert "slack: not configured: set SLACK_BOT_TOKEN" in out
    assert "discord: not configured: set DISCORD_TOKEN" in out
    assert "✔ scheduler" in out


def test_doctor_fails_on_an_unreachable_database(tmp_path):
    done = _skillbot(["doctor"], tmp_path, DATABASE_URL="postgresql://nobody:pw@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "✘ database" in done.stdout and "pw@" not in done.stdout


def test_config_masks_secrets(tmp_path):
    done = _skillbot(["config"], tmp_path, SLACK_BOT_TOKEN=SECRET, SLACK_SIGNING_SECRET="s3cr3t-signing-value")
    assert done.returncode == 0
    assert SECRET not in done.stdout and "s3cr3t-signing-value" not in done.stdout
    assert "SLACK_BOT_TOKEN=****** (set)" in done.stdout and "SLACK_SIGNING_SECRET=****** (set)" in done.stdout
    assert "s3cr" not in done.stdout and "xoxb" not in done.stdout  # wholly, not even a prefix
    assert "DISCORD_TOKEN=(not set)" in done.stdout


def test_config_hides_passwords_in_url_query_parameters(tmp_path):
    url = "postgresql://bob:userinfo-pw@db.example/skill?sslmode=require&password=query-pw&sslpassword=k3y"
    done = _skillbot(["config"], tmp_path, DATABASE_URL=url, SLACK_API_URL="https://proxy.example/api/?token=t0k")
    assert done.returncode == 0, done.stderr
    for secret in ("userinfo-pw", "query-pw", "k3y", "t0k"):
        assert secret not in done.stdout
    assert "sslmode=require" in done.stdout and "password=***" in done.stdout and "bob:***@db.example" in done.stdout


def test_invalid_setting_is_named(tmp_path):
    done = _skillbot(["config"], tmp_path, LOG_FORMAT="xml")
    assert done.returncode == 2 and "LOG_FORMAT" in done.stderr and "Traceback" not in done.stderr


def test_run_without_platforms_says_what_to_set(tmp_path):
    done = _skillbot(["run"], tmp_path)
    assert done.returncode == 2
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "skillbot"):
        assert variable in done.stderr


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
def test_auto_migrate_off_refuses_a_database_that_is_behind(tmp_path):
    done = _skillbot([], tmp_path, "/skill progress\n", SKILLBOT_AUTO_MIGRATE="0")
    assert done.returncode == 1 and "skillbot db upgrade" in done.stderr
    assert _skillbot(["db", "upgrade"], tmp_path).returncode == 0
    after = _skillbot([], tmp_path, "/skill progress\n", SKILLBOT_AUTO_MIGRATE="0")
    assert after.returncode == 0 and "not on a track" in after.stdout
