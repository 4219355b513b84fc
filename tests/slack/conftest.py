"""Fixtures for the Slack tests: a FakeSlack and a driver speaking through it to the real slack-bolt."""
from __future__ import annotations

import asyncio
import json
import re

import pytest
from aiohttp import web

from bot.adapters.slack import SlackAdapter
from bot.app import build_app
from bot.settings import Settings
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, USERS, FakeSlack, buttons_in, http_body, signed_post

TIMEOUT = 5.0
SECRET = "test-signing-secret"
_PINGS = re.compile(r"<!(here|channel|everyone)|<!subteam|<@")  # names, never pings


def flatten(messages: list[dict]) -> str:
    """What a user reads in Slack: header, sections, fields, context, button labels; escapes resolved."""
    parts: list[str] = []
    for message in messages:
        blocks = message.get("blocks") or []
        if not blocks:
            parts.append(message.get("text") or "")
        for block in blocks:
            if block.get("text"):
                parts.append(block["text"]["text"])
            parts += [f["text"] for f in block.get("fields") or []]
            parts += [e.get("text", "") if isinstance(e.get("text"), str) else e["text"]["text"]
                      for e in block.get("elements") or []]
    text = "\n".join(p for p in parts if p)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


class SlackDriver:
    """The conformance Driver on Slack: every say/press goes through FakeSlack to the real bolt app."""

    def __init__(self, fake: FakeSlack, db_url: str, catalog, clock, mode: str):
        self.fake, self.db_url, self.catalog, self.clock, self.mode = fake, db_url, catalog, clock, mode
        self.last: dict[str, list[dict]] = {}
        self.ack_seconds: list[float] = []
        self.site_runner: web.AppRunner | None = None
        self.events_url = ""

    def settings(self) -> Settings:
        extra = {"SLACK_APP_TOKEN": APP_TOKEN} if self.mode == "socket" else {"SLACK_SIGNING_SECRET": SECRET}
        return Settings(DATABASE_URL=self.db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=self.fake.api_url,
                        **extra)

    async def start(self) -> None:
        self.app = build_app(self.settings(), catalog=self.catalog, clock=self.clock)
        self.adapter = SlackAdapter(self.app)
        if self.mode == "http":
            web_app = web.Application()
            self.adapter.add_routes(web_app)
            self.site_runner = web.AppRunner(web_app, handle_signals=False)
            await self.site_runner.setup()
            site = web.TCPSite(self.site_runner, "127.0.0.1", 0)
            await site.start()
            self.events_url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"
        await asyncio.wait_for(self.adapter.start(), TIMEOUT)
        assert self.adapter.ready()

    async def stop(self) -> None:
        await asyncio.wait_for(self.adapter.stop(), TIMEOUT)
        if self.site_runner is not None:
            await self.site_runner.cleanup()
            self.site_runner = None
        self.app.engine.dispose()

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def send(self, kind: str, payload: dict, **signing) -> tuple[int, float]:
        """Deliver as Slack would; returns (HTTP status or 200, seconds to the acknowledgement)."""
        if self.mode == "socket":
            envelope = await self.fake.push(kind, payload)
            seconds = await self.fake.wait_ack(envelope, 3.0)
            status = 200
        else:
            body, content_type = http_body(kind, payload)
            status, _, seconds = await signed_post(self.events_url, body, content_type, SECRET, **signing)
        self.ack_seconds.append(seconds)
        return status, seconds

    async def settle(self) -> None:
        await asyncio.sleep(0)
        await asyncio.wait_for(self.adapter.idle(), TIMEOUT)

    def seen_since(self, mark: int, response_url: str, user: str) -> list[dict]:
        messages = list(self.fake.responses(response_url))
        for call in self.fake.calls[mark:]:
            mine = call.method == "chat.postEphemeral" and call.args.get("user") == USERS[user]["id"]
            if mine or call.method == "chat.postMessage":
                messages.append(call.args)
        return messages

    async def say(self, text: str, user: str = "alice", channel: str = "C0GENERAL") -> str:
        text = text.strip()
        text = text[len("/skill"):].strip() if text.lower().startswith("/skill") else text
        payload = self.fake.slash_payload(text, user, channel)
        mark = len(self.fake.calls)
        status, _ = await self.send("slash_commands", payload)
        assert status == 200
        await self.settle()
        self.last[user] = self.seen_since(mark, payload["response_url"], user)
        return flatten(self.last[user])

    def button(self, label: str, owner: str) -> dict:
        for message in self.last.get(owner, []):
            for button in buttons_in(message.get("blocks") or []):
                if button["text"]["text"].startswith(label):
                    return button
        raise AssertionError(f"no button {label!r} in {owner}'s last reply")

    async def press_as(self, label: str, owner: str, presser: str) -> str:
        payload = self.fake.click_payload(self.button(label, owner), presser)
        mark = len(self.fake.calls)
        status, _ = await self.send("interactive", payload)
        assert status == 200
        await self.settle()
        return flatten(self.seen_since(mark, payload["response_url"], presser))

    async def press(self, label: str, user: str = "alice") -> str:
        return await self.press_as(label, user, user)


def sent_texts(fake: FakeSlack) -> list[str]:
    """Every text the bot sent anywhere (Web API and response_url), for the no-ping check."""
    texts = [json.dumps(c.args) for c in fake.calls if c.method in ("chat.postMessage", "chat.postEphemeral",
                                                                     "views.publish")]
    texts += [json.dumps(p) for entry in fake.response_urls.values() for p in entry.posts]
    return texts


@pytest.fixture
async def fake():
    server = await FakeSlack(SECRET).start()
    yield server
    await server.stop()
    assert server.unknown == [], f"the bot called endpoints Slack does not have: {server.unknown}"
    assert server.upload_errors == [], f"file uploads broke Slack's protocol: {server.upload_errors}"
    assert not [t for t in sent_texts(server) if _PINGS.search(t)], "a message could ping @here/@channel"


@pytest.fixture(params=["socket", "http"])
async def driver(request, fake, db_url, catalog, clock):
    d = SlackDriver(fake, db_url, catalog, clock, request.param)
    await d.start()
    yield d
    await d.stop()
