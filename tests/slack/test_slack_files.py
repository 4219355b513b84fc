"""Attachments on Slack: uploaded with files_upload_v2 (upload URL, the bytes, complete) against FakeSlack."""
from __future__ import annotations

import io
import json

from PIL import Image

from tests.fakes.slack import USERS


async def test_the_matrix_picture_is_uploaded_to_the_users_dm(driver, fake):
    out = await driver.say("/skill matrix")
    assert "Your skill matrix" in out and "*MLOps*: not assessed" in out
    (file,) = fake.files
    assert file.filename == "skill-matrix.png" and file.mimetype == "image/png"
    assert file.length == len(file.data) > 1000
    # Files cannot be ephemeral: a private answer's picture goes to the DM, not the public channel.
    assert file.channel == "D" + USERS["alice"]["id"]
    assert "Skill matrix" in file.alt_txt
    image = Image.open(io.BytesIO(file.data))
    assert image.format == "PNG" and image.size[0] >= 600
    methods = [c.method for c in fake.calls if c.method.startswith("files.")]
    assert methods == ["files.getUploadURLExternal", "files.completeUploadExternal"]


async def test_a_reply_in_a_dm_uploads_there(driver, fake):
    await driver.say("/skill matrix", channel="DU0ALICE")
    (file,) = fake.files
    assert file.channel == "DU0ALICE"


async def test_replies_without_attachments_upload_nothing(driver, fake):
    await driver.say("/skill mlops")
    assert fake.files == [] and not fake.called("files.getUploadURLExternal")


async def test_the_fake_refuses_a_broken_upload(fake):
    """The fake checks the protocol: announced length, bytes matching the file name, complete after upload."""
    import aiohttp

    from tests.fakes.slack import ApiError
    answer = fake._m_files_getUploadURLExternal({"filename": "x.png", "length": "4"})
    async with aiohttp.ClientSession() as session, session.post(answer["upload_url"], data=b"\x89PNG") as response:
        assert response.status == 400  # 4 bytes, but not a PNG
    fake.upload_errors.clear()
    try:
        fake._m_files_completeUploadExternal({"files": [{"id": answer["file_id"]}], "channel_id": "C1"})
    except ApiError as exc:
        assert str(exc) == "file_not_found"
    else:
        raise AssertionError("completing an upload that never arrived must fail")



async def test_the_team_digest_matrix_names_only_opted_in_members(driver, fake):
    import asyncio
    from datetime import timedelta

    from bot.core.model import UserRef
    from bot.teams.digest import run_digests
    from tests.fakes.slack import TEAM
    from tests.teams_helpers import FRIDAY
    from tests.test_team_matrix import place

    def slack_user(name: str) -> UserRef:
        return UserRef("slack", TEAM, USERS[name]["id"], name=name)

    await driver.say("/skill team here", user="carol")  # carol is a workspace admin
    await driver.say("/skill share on", user="alice")
    place(driver.app, "", "mlops", "mid", platform_user=slack_user("alice"))
    place(driver.app, "", "mlops", "senior", platform_user=slack_user("bob"))  # bob never opted in
    mark = len(fake.calls)
    posted = await asyncio.wait_for(run_digests(driver.app, {"slack": driver.adapter.sender},
                                                FRIDAY + timedelta(minutes=1)), 10)
    assert posted == 1
    posts = [c.args for c in fake.calls[mark:] if c.method == "chat.postMessage"]
    text = json.dumps(posts)
    assert "Skill matrix" in text and "alice" in text and "mid" in text
    assert "bob" not in text and USERS["bob"]["id"] not in text
