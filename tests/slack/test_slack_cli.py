"""`skillbot doctor` as a real subprocess against FakeSlack: token, scopes, and no secret printed."""
from __future__ import annotations

import asyncio
import sys

import pytest

from tests.fakes.slack import BOT_TOKEN, FakeSlack
from tests.helpers import clean_env


async def doctor(fake: FakeSlack, db_url: str, token: str = BOT_TOKEN) -> tuple[int, str]:
    env = clean_env(DATABASE_URL=db_url, SLACK_BOT_TOKEN=token, SLACK_SIGNING_SECRET="doctor-secret",
                    SLACK_API_URL=fake.api_url)
    upgrade = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "db", "upgrade", env=env)
    assert await upgrade.wait() == 0, "doctor is read-only: the release phase migrates first"
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "doctor", env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, out.decode()


def slack_line(out: str) -> str:
    return next(line for line in out.splitlines() if "slack" in line.lower())


async def test_doctor_passes_with_a_valid_token_and_scopes(fake, db_url):
    code, out = await doctor(fake, db_url)
    assert code == 0, out
    assert "token valid for team" in slack_line(out) and "HTTP mode" in slack_line(out)
    assert BOT_TOKEN not in out and "doctor-secret" not in out
    assert fake.called("auth.test") and not fake.unknown


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
async def test_doctor_names_a_missing_scope_and_fails(fake, db_url):
    fake.scopes.remove("im:write")
    code, out = await doctor(fake, db_url)
    assert code != 0 and "missing scopes: im:write" in slack_line(out)


@pytest.mark.slow  # real `skillbot` processes: CI runs them (`pytest -m slow`)
async def test_doctor_fails_on_a_revoked_token(fake, db_url):
    code, out = await doctor(fake, db_url, token="xoxb-revoked")
    assert code != 0 and "invalid_auth" in slack_line(out)
    assert "xoxb-revoked" not in out
