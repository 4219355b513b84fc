"""The conformance scenarios on the console adapter (the reference)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.adapters.console import ConsoleSession, console_channel, console_user
from bot.app import build_app
from bot.settings import Settings
from tests.conformance import scenarios


class ConsoleDriver:
    def __init__(self, db_url: str, catalog, clock):
        self.db_url, self.catalog, self.clock = db_url, catalog, clock
        self.last: dict[str, list] = {}
        self._start()

    def _start(self) -> None:
        self.app = build_app(Settings(DATABASE_URL=self.db_url), catalog=self.catalog, clock=self.clock)

    def _session(self, user: str) -> ConsoleSession:
        return ConsoleSession(self.app.bot, console_user(user), console_channel("console"), io.StringIO(),
                              folder=Path(self.db_url.removeprefix("sqlite:///")).parent)

    async def say(self, text: str, user: str = "alice") -> str:
        session = self._session(user)
        out = session.say(text)
        self.last[user] = session.buttons
        return out

    async def press_as(self, label: str, owner: str, presser: str) -> str:
        button = next(b for b in self.last.get(owner, []) if b.label.startswith(label))
        session = self._session(presser)
        session.buttons = [button]
        return session.say("1")

    async def press(self, label: str, user: str = "alice") -> str:
        return await self.press_as(label, user, user)

    async def restart(self) -> None:
        self.app.engine.dispose()
        self._start()


@pytest.mark.parametrize("scenario", scenarios.ALL, ids=lambda s: s.__name__)
async def test_console_conformance(scenario, db_url, catalog, clock):
    driver = ConsoleDriver(db_url, catalog, clock)
    await scenario(driver)
    driver.app.engine.dispose()


def test_console_saves_an_attachment_and_names_the_file(tmp_path):
    from bot.adapters.console import save_attachments
    from bot.core.model import Attachment, Reply
    reply = Reply(title="Your matrix", attachments=(Attachment("matrix.png", b"\x89PNG...", "image/png"),))
    assert save_attachments(reply, tmp_path) == "[image saved: matrix.png]\n"
    assert save_attachments(reply, tmp_path) == "[image saved: matrix-2.png]\n", "never overwrite an earlier file"
    assert (tmp_path / "matrix.png").read_bytes() == b"\x89PNG..."
