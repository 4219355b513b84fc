"""Attachments on Discord: sent as discord.File with the message or interaction response, against FakeDiscord."""
from __future__ import annotations

import io

from PIL import Image

from bot.adapters.discord_render import render
from bot.core.model import Attachment, Reply
from tests.discord.conftest import TIMEOUT
from tests.fakes.discord import CHANNEL_ID


async def test_the_matrix_picture_is_attached_to_the_answer(driver, fake):
    driver.adapter.defer_after = 5.0  # the direct answer path (the deferred one is tested below)
    out = await driver.say("/skill matrix")
    assert "Your skill matrix" in out
    (file,) = fake.files
    assert file.filename == "skill-matrix.png" and file.content_type == "image/png"
    assert "/callback" in file.path  # on the interaction response itself, not a second message
    assert "Skill matrix" in file.description
    image = Image.open(io.BytesIO(file.data))
    assert image.format == "PNG" and image.size[0] >= 600
    (message,) = driver.last["alice"]
    (attachment,) = message["attachments"]
    assert attachment["filename"] == "skill-matrix.png" and attachment["size"] == len(file.data)
    assert message["embeds"][-1]["image"]["url"] == "attachment://skill-matrix.png"
    assert message["flags"] & 64  # still private


async def test_a_deferred_answer_attaches_the_picture_when_edited_in(driver, fake):
    driver.adapter.defer_after = 0.0  # every answer is deferred, then edited in
    await driver.say("/skill matrix")
    (file,) = fake.files
    assert file.path.endswith("/messages/@original")
    assert driver.last["alice"][0]["attachments"][0]["filename"] == "skill-matrix.png"


async def test_a_post_to_a_channel_carries_its_files(driver, fake):
    reply = Reply(title="Export", sections=("Your data",), private=False,
                  attachments=(Attachment("data.json", b'{"a": 1}', "application/json"),))
    delivery = await driver.adapter.sender.post(driver_channel(), reply)
    assert delivery.ok
    await fake.wait_for(lambda: bool(fake.files), TIMEOUT)
    (file,) = fake.files
    assert (file.filename, file.content_type, file.data) == ("data.json", "application/json", b'{"a": 1}')
    (message,) = fake.messages[CHANNEL_ID]
    assert message["attachments"][0]["filename"] == "data.json"
    assert "image" not in message["embeds"][-1]  # only pictures are shown in the embed


def driver_channel():
    from bot.core.model import ChannelRef
    from tests.fakes.discord import GUILD_ID
    return ChannelRef("discord", GUILD_ID, CHANNEL_ID, name="general")


def test_render_puts_files_on_the_last_message_only():
    reply = Reply(title="t", sections=("x" * 5000,), attachments=(Attachment("m.png", b"\x89PNG\r\n\x1a\n", "image/png"),))
    messages = render(reply)
    assert [bool(m.attachments) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert [f.filename for f in messages[-1].kwargs()["files"]] == ["m.png"]


async def test_the_team_digest_matrix_names_only_opted_in_members(driver, fake):
    import asyncio
    import json
    from datetime import timedelta

    from bot.core.model import UserRef
    from bot.teams.digest import run_digests
    from tests.discord.conftest import USERS
    from tests.teams_helpers import FRIDAY
    from tests.test_team_matrix import place

    def discord_user(name: str) -> UserRef:
        return UserRef("discord", "discord", USERS[name], name=name)

    await driver.say("/skill team here", user="carol", admin=True)
    await driver.say("/skill share on", user="alice")
    place(driver.app, "", "mlops", "mid", platform_user=discord_user("alice"))
    place(driver.app, "", "mlops", "senior", platform_user=discord_user("bob"))  # bob never opted in
    posted = await asyncio.wait_for(run_digests(driver.app, {"discord": driver.adapter.sender},
                                                FRIDAY + timedelta(minutes=1)), 10)
    assert posted == 1
    text = json.dumps(fake.messages[CHANNEL_ID])
    assert "Skill matrix" in text and "alice" in text and "mid" in text
    assert "bob" not in text and USERS["bob"] not in text
