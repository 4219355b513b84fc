"""Fixtures for the Discord tests: a FakeDiscord and a driver speaking through it with discord.py."""
from __future__ import annotations

import asyncio
import re

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import build_app
from bot.settings import Settings
from tests.fakes.discord import FakeDiscord, InteractionState

TIMEOUT = 5.0
USERS = {"alice": "800000000000000001", "bob": "800000000000000002", "carol": "800000000000000003"}
_ESCAPE = re.compile(r"\\([^\w\s]|_)")


def flatten(messages: list[dict]) -> str:
    """What a user reads in Discord's client: content, embeds and button labels, escapes resolved."""
    parts: list[str] = []
    for message in messages:
        parts.append(message.get("content") or "")
        for embed in message.get("embeds") or []:
            parts += [embed.get("title") or "", embed.get("description") or ""]
            parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
            parts.append((embed.get("footer") or {}).get("text") or "")
        parts += [b.get("label", "") for row in message.get("components") or [] for b in row["components"]]
    text = "\n".join(p for p in parts if p).replace("\u200b", "")
    # Discord shows a code block's content as written; escapes are resolved only outside it.
    pieces = text.split("```")
    return "```".join(piece if i % 2 else _ESCAPE.sub(r"\1", piece) for i, piece in enumerate(pieces))


def seen(state: InteractionState) -> list[dict]:
    return ([state.original] if state.original else []) + state.followups


class DiscordDriver:
    """The conformance Driver on Discord: every say/press is a real INTERACTION_CREATE."""

    def __init__(self, fake: FakeDiscord, db_url: str, catalog, clock):
        self.fake, self.db_url, self.catalog, self.clock = fake, db_url, catalog, clock
        self.last: dict[str, list[dict]] = {}
        self.states: list[InteractionState] = []
        self.tuning: dict[str, float] = {}  # adapter attributes to set on every (re)start

    def settings(self) -> Settings:
        return Settings(DATABASE_URL=self.db_url, DISCORD_TOKEN="test-token",
                        DISCORD_API_URL=self.fake.api_url, DISCORD_GATEWAY_URL=self.fake.gateway_url)

    async def start(self) -> None:
        self.app = build_app(self.settings(), catalog=self.catalog, clock=self.clock)
        self.adapter = DiscordAdapter(self.app, guild_ready_timeout=0.01, identify_delay=0.01)
        for name, value in self.tuning.items():
            setattr(self.adapter, name, value)
        await asyncio.wait_for(self.adapter.start(), TIMEOUT)

    async def stop(self) -> None:
        await asyncio.wait_for(self.adapter.stop(), TIMEOUT)
        self.app.engine.dispose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def settle(self, state: InteractionState) -> list[dict]:
        await self.fake.wait_for(lambda: state.callback is not None, TIMEOUT)
        await asyncio.wait_for(self.adapter.idle(), TIMEOUT)
        self.states.append(state)
        return seen(state)

    async def say(self, text: str, user: str = "alice", guild: bool = True, admin: bool = False) -> str:
        text = text.strip()
        text = text[len("/skill"):].strip() if text.lower().startswith("/skill") else text
        state = await self.fake.slash(text, USERS[user], user, guild=guild, admin=admin)
        self.last[user] = await self.settle(state)
        return flatten(self.last[user])

    def button(self, label: str, owner: str) -> tuple[str, dict]:
        for message in self.last.get(owner, []):
            for row in message.get("components") or []:
                for button in row["components"]:
                    if button.get("label", "").startswith(label):
                        return button["custom_id"], message
        raise AssertionError(f"no button {label!r} in {owner}'s last reply")

    async def press_as(self, label: str, owner: str, presser: str) -> str:
        custom_id, message = self.button(label, owner)
        state = await self.fake.click(custom_id, message, USERS[presser], presser)
        return flatten(await self.settle(state))  # like a real message, the buttons stay pressable

    async def press(self, label: str, user: str = "alice") -> str:
        return await self.press_as(label, user, user)


@pytest.fixture
def fake(fake_discord):
    return fake_discord


@pytest.fixture
async def driver(fake, db_url, catalog, clock):
    d = DiscordDriver(fake, db_url, catalog, clock)
    await d.start()
    yield d
    await d.stop()
