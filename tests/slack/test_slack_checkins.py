"""Weekly check-ins on Slack: sent by DM through the real adapter, answered with their buttons there."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.checkins.dispatch import run_checkins
from tests.fakes.slack import USERS, buttons_in
from tests.slack.conftest import flatten

ALICE = USERS["alice"]["id"]


async def click_in_dm(driver, fake, button: dict) -> str:
    """Alice clicks `button` on the check-in in her DM; returns what she reads back."""
    dm = "D" + ALICE
    payload = fake.click_payload(button, "alice", channel=dm, ephemeral=False)
    mark = len(fake.calls)
    status, _ = await driver.send("interactive", payload)
    assert status == 200
    await driver.settle()
    return flatten(driver.seen_since(mark, payload["response_url"], "alice"))


async def test_weekly_checkin_arrives_by_dm_and_its_done_button_works_once(driver, fake, clock):
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday: the default check-in is Monday 09:00
    await driver.say("/skill track mlops")
    clock.now += timedelta(days=7)
    mark = len(fake.calls)

    report = await run_checkins(driver.app, {"slack": driver.adapter.sender}, clock.now, "test")

    assert not fake.called("conversations.open"), "one request per check-in: posted to the user id"
    [checkin] = [c.args for c in fake.calls[mark:] if c.method == "chat.postMessage"]
    assert checkin["channel"] == ALICE, report
    assert "Weekly check-in: MLOps" in flatten([checkin])
    done = next(b for b in buttons_in(checkin["blocks"]) if b["text"]["text"].startswith("Done"))

    assert "Done: week 1" in await click_in_dm(driver, fake, done)
    assert "step 2 of" in await driver.say("/skill progress")

    again = await click_in_dm(driver, fake, done)
    assert "already marked" in again and "nothing changed" in again
    assert "step 2 of" in await driver.say("/skill progress")
