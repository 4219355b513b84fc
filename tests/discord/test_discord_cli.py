"""`skillbot discord sync` and `skillbot doctor` as real subprocesses against FakeDiscord."""
from __future__ import annotations

import asyncio
import sys

import pytest

from tests.fakes.discord import GUILD_ID, FakeDiscord
from tests.helpers import clean_env

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)


async def skillbot(fake: FakeDiscord, db_url: str, *args: str) -> tuple[int, str]:
    env = clean_env(DATABASE_URL=db_url, DISCORD_TOKEN="test-token", DISCORD_API_URL=fake.api_url,
                    DISCORD_GATEWAY_URL=fake.gateway_url)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, out.decode()


async def test_sync_then_doctor_reports_commands_in_sync(fake, db_url):
    assert (await skillbot(fake, db_url, "db", "upgrade"))[0] == 0  # doctor is read-only; the release phase migrates
    code, out = await skillbot(fake, db_url, "doctor")
    assert "never synced" in out
    code, out = await skillbot(fake, db_url, "discord", "sync", "--guild", GUILD_ID)
    assert code == 0, out
    assert f"Synced /skill to guild {GUILD_ID}" in out
    assert [c["name"] for c in fake.commands[GUILD_ID]] == ["skill"]
    code, out = await skillbot(fake, db_url, "discord", "sync")
    assert code == 0 and fake.command_syncs == [GUILD_ID, "global"]
    code, out = await skillbot(fake, db_url, "doctor")
    discord_line = next(line for line in out.splitlines() if "discord" in line.lower())
    assert "token valid as skillbot" in discord_line and "commands in sync" in discord_line
    assert "test-token" not in out


async def test_skillbot_discord_answers_and_stops_cleanly_on_sigterm(fake, db_url):
    env = clean_env(DATABASE_URL=db_url, DISCORD_TOKEN="test-token", DISCORD_API_URL=fake.api_url,
                    DISCORD_GATEWAY_URL=fake.gateway_url)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "discord", "--port", "0",
                                                   "--no-scheduler", env=env, stdout=asyncio.subprocess.PIPE,
                                                   stderr=asyncio.subprocess.STDOUT)
    try:
        await fake.wait_for(lambda: fake.identifies == 1 and fake.sockets and fake.commands.get("global"), 20)
        state = await fake.slash("mlops", "800000000000000009", "dana")
        # answered directly, or (on a busy machine, past the 50 ms budget) deferred and then edited in: the
        # user sees the same card either way
        await fake.wait_for(lambda: state.callback is not None and (
            "MLOps" in str((state.callback.get("data") or {}).get("embeds")) or "MLOps" in str(state.original)), 10)
        process.terminate()
        out, _ = await asyncio.wait_for(process.communicate(), 15)
        assert process.returncode == 0, out.decode()
        assert "test-token" not in out.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_wrong_token_is_reported_not_leaked(fake, db_url):
    fake.token = "the-real-token"
    code, out = await skillbot(fake, db_url, "discord", "sync")
    assert code == 1 and "rejected DISCORD_TOKEN" in out and "test-token" not in out
