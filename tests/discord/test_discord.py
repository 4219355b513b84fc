"""Discord behaviour a user (or an operator) would notice, through discord.py and FakeDiscord."""
from __future__ import annotations

import asyncio
import re
import time

import aiohttp
import pytest

from bot.adapters.discord_render import render
from bot.adapters.discord_sync import state_key
from bot.cli.discord import sync_state
from bot.core.delivery import DeliveryStatus
from bot.core.model import Button, ChannelRef, Field, Reply, UserRef
from bot.core.text import mention
from bot.store.state import StateStore
from tests.discord.conftest import TIMEOUT, USERS, flatten
from tests.fakes.discord import APP_ID, GUILD_ID, validate_message

ALICE = UserRef("discord", "discord", USERS["alice"], name="alice")
CHANNEL = ChannelRef("discord", GUILD_ID, "700000000000000001", name="learning")


def callback_choices(state) -> list[str]:
    assert state.callback["type"] == 8
    return [c["value"] for c in state.callback["data"]["choices"]]


async def test_autocomplete_offers_subcommands_skills_and_topics(driver, fake):
    states = [await fake.autocomplete(text) for text in ("tr", "track ml", "mlo", "")]
    for state in states:
        await fake.wait_for(lambda s=state: s.callback is not None, TIMEOUT)
    typed_tr, track_ml, mlo, empty = (callback_choices(s) for s in states)
    assert "track" in typed_tr
    assert any(c.startswith("track ml") for c in track_ml)
    assert any("mlops" in c for c in mlo)
    assert "help" in empty and len(empty) <= 25


async def test_stale_or_foreign_button_gets_a_kind_private_answer(driver, fake):
    for custom_id in ("sb:no.such.action:1", "someone-elses-button"):
        state = await fake.click(custom_id, {"id": "1", "channel_id": "2"} | _stub_message(), USERS["bob"])
        messages = await driver.settle(state)
        assert state.callback["type"] == 4 and state.callback["data"]["flags"] & 64
        assert "expired" in flatten(messages).lower()


async def test_slow_core_defers_at_once_then_edits_in_the_answer(driver, fake):
    driver.adapter.defer_after = 0.05
    handle = driver.app.bot.handle

    def slow(cmd):
        time.sleep(0.3)
        return handle(cmd)

    driver.app.bot.handle = slow
    started = time.monotonic()
    out = await driver.say("/skill mlops")
    state = driver.states[-1]
    assert state.callback["type"] == 5 and state.callback["data"]["flags"] & 64
    assert state.callback_at - started < 0.25
    assert fake.calls_to("PATCH", r"/messages/@original$")
    assert "MLOps" in out


async def test_a_crash_in_the_adapter_is_answered_with_an_apology(driver, fake, caplog):
    def broken(cmd):
        raise RuntimeError("boom")

    driver.app.bot.handle = broken
    out = await driver.say("/skill mlops")
    assert "Sorry, something went wrong" in out
    assert driver.states[-1].callback["data"]["flags"] & 64
    assert any("discord interaction failed" in r.message and "kind=command" in r.message for r in caplog.records)


async def test_mention_injection_never_pings(driver, fake):
    await driver.say("/skill qqzx @everyone @here <@&123456789012345678> <@&123>")
    body = driver.states[-1].callback["data"]
    raw = str(body["embeds"])
    assert "@everyone" not in raw and "@here" not in raw and "<@&" not in raw
    assert body["allowed_mentions"] == {"parse": []}


_LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")  # [text]( with neither bracket escaped


@pytest.mark.parametrize("evil", ["[**click**](http://evil.example)", "[`click`](http://evil.example)",
                                  "[click](http://evil.example)", "\\[click](http://evil.example)"])
async def test_masked_links_in_user_text_are_escaped(evil):
    reply = Reply(title="You said", sections=(f"**{evil}** and {evil}", f"- {evil}"),
                  fields=(Field("Note", evil),))
    [message] = render(reply)
    embed = message.embeds[0]
    for text in (embed.description, embed.fields[0].value):
        assert not _LIVE_LINK.search(text.replace("\\\\", "")), text


async def test_neutral_mentions_ping_only_that_user():
    reply = Reply(title="Team", sections=(f"{mention('123456789012345678', 'Ann')} finished @everyone",))
    [message] = render(reply)
    description = message.embeds[0].description
    assert "<@123456789012345678>" in description and "@\u200beveryone" in description
    assert message.allowed_mentions.to_dict() == {"parse": [], "users": [123456789012345678]}


async def test_a_huge_reply_is_split_to_discord_limits(driver, fake):
    huge = Reply(title="T" * 400, sections=tuple(f"- line {i} " + "x" * 90 for i in range(300)),
                 fields=tuple(Field(f"f{i}", "v" * 1500) for i in range(40)),
                 buttons=tuple(Button(f"Button {i}", "noop", str(i)) for i in range(30)), footer="end")
    messages = render(huge)
    assert len(messages) > 1
    for message in messages:
        payload = {"content": message.content, "embeds": [e.to_dict() for e in message.embeds],
                   "components": message.view().to_components() if message.buttons else []}
        assert validate_message(payload) is None
    delivery = await driver.adapter.sender.post(CHANNEL, huge)
    assert delivery.status is DeliveryStatus.SENT
    sent = fake.messages[CHANNEL.channel_id]
    text = flatten(sent)
    assert "line 299" in text and "f39" in text and "Button 29" in text and "end" in text
    assert all(m["allowed_mentions"]["parse"] == [] for m in sent)


async def test_closed_dms_mark_the_user_unreachable_without_retries(driver, fake):
    fake.inject("POST", r"/channels/\d+/messages$", 403, code=50007)
    delivery = await driver.adapter.sender.send_dm(ALICE, Reply(title="Week 2"))
    assert delivery.status is DeliveryStatus.UNREACHABLE
    assert len(fake.calls_to("POST", r"/channels/\d+/messages$")) == 1


async def test_a_short_429_is_waited_out_and_a_long_one_reported(driver, fake):
    fake.inject("POST", r"/channels/\d+/messages$", 429, retry_after=0.05)
    assert (await driver.adapter.sender.send_dm(ALICE, Reply(title="Week 2"))).ok
    assert len(fake.calls_to("POST", r"/channels/\d+/messages$")) == 2

    fake.inject("POST", r"/channels/\d+/messages$", 429, retry_after=120)
    started = time.monotonic()
    delivery = await driver.adapter.sender.post(CHANNEL, Reply(title="Digest"))
    assert delivery.status is DeliveryStatus.RATE_LIMITED and delivery.retry_after == 120
    assert time.monotonic() - started < 2

    fake.inject("POST", r"/users/@me/channels$", 403, code=40003)
    other = UserRef("discord", "discord", USERS["carol"], name="carol")
    assert (await driver.adapter.sender.send_dm(other, Reply(title="Hi"))).status is DeliveryStatus.RATE_LIMITED


async def test_a_deleted_or_forbidden_channel_is_reported_gone(driver, fake):
    for code, status in ((10003, 404), (50001, 403)):
        fake.inject("POST", r"/channels/\d+/messages$", status, code=code)
        delivery = await driver.adapter.sender.post(CHANNEL, Reply(title="Digest"))
        assert delivery.status is DeliveryStatus.CHANNEL_GONE


async def test_reconnect_and_invalid_session_are_survived(driver, fake):
    await fake.send_op(7)
    await fake.wait_for(lambda: fake.resumes == 1 and fake.sockets, TIMEOUT)
    assert "MLOps" in await driver.say("/skill mlops")
    await fake.send_op(9, False)
    await fake.wait_for(lambda: fake.identifies == 2 and fake.sockets, TIMEOUT)
    await asyncio.wait_for(_until(driver.adapter.ready), TIMEOUT)
    assert "Week 1" in await driver.say("/skill track mlops")


async def test_commands_sync_once_and_not_again_when_unchanged(driver, fake):
    assert fake.command_syncs == ["global"]
    assert [c["name"] for c in fake.commands["global"]] == ["skill"]
    assert sync_state(driver.settings()) == "commands in sync"
    await driver.restart()
    assert fake.command_syncs == ["global"]

    await asyncio.to_thread(StateStore(driver.app.engine).set, state_key(), "an older definition")
    assert "changed" in sync_state(driver.settings())
    await driver.restart()
    assert fake.command_syncs == ["global", "global"]


async def test_skillbot_discord_sync_to_one_guild(driver, fake, monkeypatch):
    from argparse import Namespace

    from bot.cli.discord import cmd_sync
    settings = driver.settings()
    for name, value in (("DATABASE_URL", settings.database_url), ("DISCORD_TOKEN", "test-token"),
                        ("DISCORD_API_URL", fake.api_url), ("DISCORD_GATEWAY_URL", fake.gateway_url)):
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(cmd_sync, Namespace(guild=GUILD_ID)) == 0
    assert [c["name"] for c in fake.commands[GUILD_ID]] == ["skill"]
    assert fake.calls_to("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands$")


async def test_dm_and_admin_identity_reach_core(driver, fake):
    seen = []
    handle = driver.app.bot.handle

    def spy(cmd):
        seen.append(cmd)
        return handle(cmd)

    driver.app.bot.handle = spy
    await driver.say("/skill help", user="bob", guild=False)
    await driver.say("/skill help", user="carol", admin=True)
    dm, admin = seen
    assert dm.channel.workspace == "dm" and dm.channel.is_dm and not dm.user.is_admin
    assert admin.channel.workspace == GUILD_ID and admin.user.is_admin and admin.user.name == "carol"
    assert dm.user.workspace == admin.user.workspace  # one learner across servers and DMs


async def test_fake_enforces_one_callback_and_the_three_second_rule(fake):
    fake.deadline = 0.05
    fake.commands["global"] = [{"id": "1", "name": "skill"}]
    fake.sockets.append(_NullSocket())
    first, late = await fake.slash("x", USERS["alice"]), await fake.slash("y", USERS["alice"])
    url = fake.api_url + "/interactions/{}/{}/callback?with_response=1"
    async with aiohttp.ClientSession() as session:
        async with session.post(url.format(first.id, first.token), json={"type": 5}) as response:
            assert response.status == 200 and response.headers["Content-Type"] == "application/json"
        async with session.post(url.format(first.id, first.token), json={"type": 5}) as response:
            assert response.status == 400
        await asyncio.sleep(0.06)
        async with session.post(url.format(late.id, late.token), json={"type": 5}) as response:
            assert response.status == 404
        long_message = {"content": "x" * 2001}
        async with session.post(fake.api_url + "/channels/5/messages", json=long_message) as response:
            assert response.status == 401  # no token
        async with session.post(fake.api_url + "/channels/5/messages", json=long_message,
                                headers={"Authorization": "Bot test-token"}) as response:
            assert response.status == 400
    fake.sockets.clear()
    fake.calls.clear()  # these raw calls were the test's, not the bot's


class _NullSocket:
    async def send_str(self, data: str) -> None:
        return None


async def _until(predicate) -> None:
    while not predicate():
        await asyncio.sleep(0.01)


def _stub_message() -> dict:
    return {"type": 0, "content": "", "embeds": [], "components": [], "attachments": [], "mentions": [],
            "mention_roles": [], "mention_everyone": False, "pinned": False, "tts": False,
            "timestamp": "2026-11-24T10:00:00+00:00", "edited_timestamp": None, "flags": 0,
            "author": {"id": "900000000000000002", "username": "skillbot", "discriminator": "0",
                       "avatar": None, "bot": True}}


async def test_a_public_answer_after_a_deferral_is_posted_publicly(driver, fake):
    from bot.core.model import Result
    driver.adapter.defer_when_busy = 0
    driver.app.bot.handle = lambda cmd: Result.of(Reply(title="Shared with the channel", private=False))
    out = await driver.say("/skill share")
    state = driver.states[-1]
    assert "Shared with the channel" in out
    assert state.original is None and not state.followups[0]["flags"] & 64


async def test_no_privileged_intents_and_shards_identify_themselves(driver, fake, db_url, catalog, clock):
    privileged = (1 << 1) | (1 << 8) | (1 << 15)  # server members, presences, message content
    assert fake.identify_payloads[0]["intents"] & privileged == 0
    from bot.adapters.discord import DiscordAdapter
    from bot.app import build_app
    from bot.runtime.runner import build_adapters
    other = build_app(driver.settings(), catalog=catalog, clock=clock)
    [shard] = build_adapters(other, ["discord"], discord={"shard_id": 1, "shard_count": 2,
                                                          "guild_ready_timeout": 0.01})
    assert isinstance(shard, DiscordAdapter)
    await asyncio.wait_for(shard.start(), TIMEOUT)
    try:
        assert shard.ready()
        assert fake.identify_payloads[-1]["shard"] == [1, 2]
        assert fake.command_syncs == ["global"]  # only shard 0 (or an unsharded bot) syncs
    finally:
        await shard.stop()
        other.engine.dispose()
    assert not shard.ready()


async def test_a_reply_with_a_list_inside_still_renders():
    reply = Reply(title="Odd", sections=["built with a list"])  # type: ignore[arg-type]
    assert "built with a list" in render(reply)[0].embeds[0].description


async def test_an_empty_result_leaves_no_thinking_message_behind(driver, fake):
    from bot.core.model import Result
    driver.app.bot.handle = lambda cmd: Result()
    await driver.say("/skill quiet")
    assert driver.states[-1].original is None and not driver.states[-1].followups
    state = await fake.click("sb:quiet:1", _stub_message() | {"id": "5", "channel_id": "6"}, USERS["bob"])
    await driver.settle(state)
    assert state.callback["type"] == 6


async def test_buttons_that_cannot_fit_discord_are_left_out_not_fatal():
    reply = Reply(title="Pick", buttons=(Button("Keep", "track.switch", "mlops|1"), Button("Too long", "x", "v" * 120),
                                         Button("L" * 200, "track.switch", "genai|1")))
    [message] = render(reply)
    rows = message.view().to_components()
    buttons = [b for row in rows for b in row["components"]]
    assert [b["custom_id"] for b in buttons] == ["sb:track.switch:mlops|1", "sb:track.switch:genai|1"]
    assert len(buttons[1]["label"]) == 80


async def test_weekly_checkin_arrives_by_dm_and_its_button_works_there(driver, fake, clock):
    from datetime import UTC, datetime, timedelta

    from bot.checkins.dispatch import run_checkins
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday: the default check-in is Monday 09:00
    await driver.say("/skill track mlops")
    clock.now += timedelta(days=7)
    report = await run_checkins(driver.app, {"discord": driver.adapter.sender}, clock.now, "test")
    dm_channel = fake.dm_channels[USERS["alice"]]
    [checkin] = fake.messages[dm_channel]
    assert "Weekly check-in: MLOps" in flatten([checkin]), report
    done = next(b for row in checkin["components"] for b in row["components"] if b["label"].startswith("Done"))
    state = await fake.click(done["custom_id"], checkin, USERS["alice"], "alice", guild=False)
    assert "Done: week 1" in flatten(await driver.settle(state))
    assert "step 2 of" in await driver.say("/skill progress")
