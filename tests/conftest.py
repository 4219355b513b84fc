"""Shared fixtures: the catalog (loaded once), a fresh database per test, and a console `bot`."""
from __future__ import annotations

import io
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleSession, console_channel, console_user
from bot.app import App, build_app
from bot.content.loader import load_catalog
from bot.settings import Settings
from tests.fakes.discord import FakeDiscord

PG_URL = os.environ.get("SKILLBOT_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


class Clock:
    """A settable clock for core; tests move time explicitly."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'skillbot.db'}"


@pytest.fixture
def app(db_url, catalog, clock) -> App:
    built = build_app(Settings(DATABASE_URL=db_url), catalog=catalog, clock=clock)
    yield built
    built.engine.dispose()


class BotDriver:
    """Speak as different console users; `say` returns the rendered text."""

    def __init__(self, app: App, folder=None):
        self.app = app
        self.folder = folder  # where attachments (an export) are saved; never the checkout
        self.sessions: dict[tuple[str, str], ConsoleSession] = {}
        self.out = io.StringIO()

    def session(self, user: str = "alice", channel: str = "console", admin: bool = False) -> ConsoleSession:
        key = (user, channel)
        if key not in self.sessions:
            self.sessions[key] = ConsoleSession(self.app.bot, console_user(user, admin), console_channel(channel), self.out,
                                                folder=self.folder or Path.cwd())
        return self.sessions[key]

    def say(self, text: str, user: str = "alice", channel: str = "console", admin: bool = False) -> str:
        return self.session(user, channel, admin).say(text)

    def export(self, user: str = "alice") -> dict:
        """`/skill export` as data, read from the saved file (a long export comes only as a file)."""
        out = self.say("/skill export", user)
        saved = re.search(r"\[file saved: ([^\]]+)\]", out)
        if saved:
            return json.loads(((self.folder or Path.cwd()) / saved.group(1)).read_text())
        return json.loads(out[out.index("{"):out.rindex("}") + 1])


@pytest.fixture
def bot(app, tmp_path) -> BotDriver:
    return BotDriver(app, tmp_path)


def postgres_url() -> str:
    """The PostgreSQL test database, or a skip (a failure in CI, where it must be there)."""
    if not PG_URL:
        if os.environ.get("SKILLBOT_REQUIRE_POSTGRES") or os.environ.get("CI"):
            pytest.fail("SKILLBOT_TEST_DATABASE_URL is not set in CI")
        pytest.skip("set SKILLBOT_TEST_DATABASE_URL to run PostgreSQL tests")
    return PG_URL


@pytest.fixture
def pg_url() -> str:
    """A clean PostgreSQL database (all tables dropped) for one test."""
    url = postgres_url()
    from sqlalchemy import text

    from bot.store.db import make_engine
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
async def fake_discord():
    """A FakeDiscord on 127.0.0.1 that fails the test if the bot did something real Discord would refuse."""
    server = await FakeDiscord().start()
    yield server
    await server.stop()
    assert server.unknown == [], f"the bot called endpoints Discord does not have: {server.unknown}"
    assert server.upload_errors == [], f"files were attached in a way Discord rejects: {server.upload_errors}"
    assert server.unlocked_messages() == [], "a message was sent that could ping @everyone, @here or a role"
