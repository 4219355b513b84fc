"""Slack behaviour a user (or an operator) would notice, end to end through FakeSlack."""
from __future__ import annotations

import asyncio
import json
import time

import pytest

from bot.adapters import slack_blocks
from bot.core.delivery import DeliveryStatus
from bot.core.model import Button, ChannelRef, Field, Reply, Result, Style, UserRef
from bot.core.text import mention
from tests.fakes.slack import BOT_USER, TEAM, USERS, http_body, sign, signed_post
from tests.slack.conftest import SECRET, TIMEOUT, SlackDriver, flatten


@pytest.fixture
async def http_driver(fake, db_url, catalog, clock):
    d = SlackDriver(fake, db_url, catalog, clock, "http")
    await d.start()
    yield d
    await d.stop()


@pytest.fixture
async def socket_driver(fake, db_url, catalog, clock):
    d = SlackDriver(fake, db_url, catalog, clock, "socket")
    await d.start()
    yield d
    await d.stop()


def count_core_calls(driver) -> list:
    """Wrap core so the test sees every command that reached it."""
    seen: list = []
    original = driver.app.bot.handle

    def handle(cmd):
        seen.append(cmd)
        return original(cmd)

    driver.app.bot.handle = handle
    return seen


def alice() -> UserRef:
    return UserRef("slack", TEAM, USERS["alice"]["id"], name="alice")


# -- request verification (HTTP mode) --------------------------------------------------------------
async def test_forged_signature_is_rejected_before_any_handler(http_driver, fake):
    reached = count_core_calls(http_driver)
    body, content_type = http_body("slash_commands", fake.slash_payload("mlops", "alice"))
    status, _, _ = await signed_post(http_driver.events_url, body, content_type, SECRET, signature="v0=" + "0" * 64)
    assert status == 401
    status, _, _ = await signed_post(http_driver.events_url, body, content_type, "not-the-secret")
    assert status == 401
    await http_driver.settle()
    assert reached == []
    assert not any(entry.posts for entry in fake.response_urls.values())


async def test_old_timestamp_is_rejected(http_driver, fake):
    reached = count_core_calls(http_driver)
    body, content_type = http_body("slash_commands", fake.slash_payload("mlops", "alice"))
    old = int(time.time()) - 6 * 60  # correctly signed, but older than Slack's 5 minutes
    status, _, _ = await signed_post(http_driver.events_url, body, content_type, SECRET, timestamp=old)
    assert status == 401
    await http_driver.settle()
    assert reached == []


async def test_replayed_request_is_rejected(http_driver, fake):
    reached = count_core_calls(http_driver)
    payload = fake.slash_payload("mlops", "alice")
    body, content_type = http_body("slash_commands", payload)
    ts = int(time.time())
    signature = sign(SECRET, str(ts), body)
    first, _, _ = await signed_post(http_driver.events_url, body, content_type, SECRET, timestamp=ts,
                                    signature=signature)
    again, _, _ = await signed_post(http_driver.events_url, body, content_type, SECRET, timestamp=ts,
                                    signature=signature)
    assert (first, again) == (200, 401)
    await http_driver.settle()
    assert len(reached) == 1
    assert len(fake.responses(payload["response_url"])) == 1


# -- the 3-second rule -----------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["socket", "http"])
async def test_slow_core_is_acknowledged_at_once_and_answers_later(mode, fake, db_url, catalog, clock):
    driver = SlackDriver(fake, db_url, catalog, clock, mode)
    await driver.start()
    try:
        original = driver.app.bot.handle

        def slow(cmd):
            time.sleep(3.2)  # longer than Slack waits for an acknowledgement
            return original(cmd)

        driver.app.bot.handle = slow
        payload = fake.slash_payload("mlops", "alice")
        status, seconds = await driver.send("slash_commands", payload)
        assert status == 200 and seconds < 0.5
        assert fake.responses(payload["response_url"]) == []  # the answer is not there yet
        await fake.wait_for(lambda: fake.responses(payload["response_url"]), TIMEOUT)
        assert "MLOps" in flatten(fake.responses(payload["response_url"]))
    finally:
        await driver.stop()


async def test_handler_error_is_acknowledged_and_apologised(driver, fake, caplog):
    def broken(cmd):
        raise RuntimeError("secret body text")

    driver.app.bot.handle = broken
    out = await driver.say("/skill mlops")
    assert "Sorry, something went wrong" in out
    logged = [r for r in caplog.records if r.name == "bot.adapters.slack" and r.levelname == "ERROR"]
    assert logged and "workspace=T0TEAM" in logged[0].getMessage() and "kind=command" in logged[0].getMessage()
    assert "xoxb-test" not in caplog.text


# -- buttons ---------------------------------------------------------------------------------------
async def test_buttons_carry_action_and_value_and_replace_the_ephemeral(driver, fake):
    await driver.say("/skill track mlops")
    await driver.say("/skill track genai")
    button = driver.button("Switch to", "alice")
    action_id, _, n = button["action_id"].rpartition("~")
    assert action_id == "track.switch" and n.isdigit() and button["value"]
    payload = fake.click_payload(button, "alice")
    await driver.send("interactive", payload)
    await driver.settle()
    posts = fake.responses(payload["response_url"])
    assert posts[0]["replace_original"] is True and posts[0]["response_type"] == "ephemeral"


async def test_only_buttons_the_bot_posted_can_be_clicked(driver, fake):
    with pytest.raises(AssertionError):
        fake.click_payload({"action_id": "forget.confirm~0", "value": "x", "block_id": "b0",
                            "text": {"type": "plain_text", "text": "Yes"}}, "alice")


# -- mentions, DMs and App Home --------------------------------------------------------------------
async def test_mention_is_answered_in_a_thread(driver, fake):
    """Private answers stay private in a channel: ephemeral, but in the thread of the question."""
    event = {"type": "app_mention", "user": USERS["alice"]["id"], "channel": "C0GENERAL", "ts": "1700.000100",
             "text": f"<@{BOT_USER}> what is mlops", "team": TEAM}
    await driver.send("events_api", fake.event_payload(event))
    answered = lambda: fake.called("chat.postEphemeral") + fake.called("chat.postMessage")
    await fake.wait_for(answered, TIMEOUT)
    await driver.settle()
    post = answered()[0].args
    assert post["thread_ts"] == "1700.000100" and post["channel"] == "C0GENERAL"
    assert post.get("user", USERS["alice"]["id"]) == USERS["alice"]["id"]
    assert "MLOps" in flatten([post])


async def test_dm_is_answered_and_bot_messages_and_edits_are_ignored(driver, fake):
    base = {"type": "message", "channel": "D0ALICE", "channel_type": "im", "ts": "1700.000200"}
    await driver.send("events_api", fake.event_payload({**base, "bot_id": "B0BOT", "user": BOT_USER, "text": "hi"}))
    await driver.send("events_api", fake.event_payload({**base, "subtype": "message_changed", "text": "mlops"}))
    await driver.send("events_api", fake.event_payload({**base, "user": USERS["alice"]["id"], "text": "mlops"}))
    await fake.wait_for(lambda: fake.called("chat.postMessage"), TIMEOUT)
    await driver.settle()
    posts = fake.called("chat.postMessage")
    assert len(posts) >= 1 and all(p.args["thread_ts"] == "1700.000200" for p in posts)
    assert "MLOps" in flatten([p.args for p in posts])


async def test_app_home_shows_progress_and_schedule(driver, fake):
    await driver.say("/skill track mlops")
    event = {"type": "app_home_opened", "user": USERS["alice"]["id"], "channel": "D0ALICE", "tab": "home"}
    await driver.send("events_api", fake.event_payload(event))
    await fake.wait_for(lambda: fake.called("views.publish"), TIMEOUT)
    view = fake.called("views.publish")[0].args
    assert view["user_id"] == USERS["alice"]["id"] and view["view"]["type"] == "home"
    shown = flatten([view["view"]])
    assert "step 1 of" in shown and "weekly check-in" in shown.lower()


async def test_app_home_after_forget_me_stores_nothing_again(driver, fake):
    await driver.say("/skill track mlops")
    await driver.say("/skill forget-me")
    assert "gone" in await driver.press("Delete my data")
    event = {"type": "app_home_opened", "user": USERS["alice"]["id"], "channel": "D0ALICE", "tab": "home"}
    await driver.send("events_api", fake.event_payload(event))
    await fake.wait_for(lambda: fake.called("views.publish"), TIMEOUT)
    await driver.settle()
    shown = flatten([fake.called("views.publish")[0].args["view"]])
    assert "not on a track" in shown and "(the default)" in shown
    alice = UserRef("slack", TEAM, USERS["alice"]["id"])
    assert driver.app.deps.tracks.find_user(alice) is None
    assert "nothing stored" in await driver.say("/skill export")


async def test_team_digest_names_members_without_pinging_them(driver, fake, clock):
    from bot.teams.digest import run_digests
    from tests.teams_helpers import FRIDAY
    await driver.say("/skill team here", user="carol")  # carol is a workspace admin
    for user in ("alice", "bob"):
        await driver.say("/skill track ml", user=user)
        await driver.say("/skill done", user=user)
        await driver.say("/skill share on", user=user)
    clock.now = FRIDAY
    mark = len(fake.calls)
    await run_digests(driver.app, {"slack": driver.adapter.sender}, FRIDAY)
    [digest] = [c.args for c in fake.calls[mark:] if c.method == "chat.postMessage"]
    text = json.dumps(digest)
    assert "<@" not in text and USERS["alice"]["id"] not in text
    assert "alice" in flatten([digest]) and "bob" in flatten([digest])


# -- users -----------------------------------------------------------------------------------------
async def test_users_info_gives_time_zone_and_admin_and_is_cached(socket_driver, fake):
    carol = await socket_driver.adapter.user(TEAM, USERS["carol"]["id"], "carol")
    bob = await socket_driver.adapter.user(TEAM, USERS["bob"]["id"], "bob")
    await socket_driver.adapter.user(TEAM, USERS["bob"]["id"], "bob")
    assert carol.is_admin and carol.tz == "UTC"
    assert not bob.is_admin and bob.tz == "America/New_York"
    assert len(fake.called("users.info")) == 2


# -- sending on our own (check-ins, digests) -------------------------------------------------------
async def test_a_dm_is_one_request_posted_to_the_user_id(socket_driver, fake):
    delivery = await socket_driver.adapter.sender.send_dm(alice(), Reply(title="Check-in", sections=("How did it go?",)))
    assert delivery.ok
    assert not fake.called("conversations.open")
    post = fake.called("chat.postMessage")[0].args
    assert post["channel"] == USERS["alice"]["id"] and post["text"] and post["blocks"]


async def test_rate_limit_is_retried_after_retry_after(socket_driver, fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1)
    channel = ChannelRef("slack", TEAM, "C0TEAM", "team")
    delivery = await socket_driver.adapter.sender.post(channel, Reply(title="Digest"))
    calls = fake.called("chat.postMessage")
    assert delivery.ok and len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.9


async def test_rate_limit_that_persists_is_reported_with_retry_after(socket_driver, fake):
    fake.fail("chat.postMessage", "ratelimited", status=429, retry_after=1, times=2)
    channel = ChannelRef("slack", TEAM, "C0TEAM", "team")
    delivery = await socket_driver.adapter.sender.post(channel, Reply(title="Digest"))
    assert delivery.status is DeliveryStatus.RATE_LIMITED and delivery.retry_after == 1.0


@pytest.mark.parametrize("method,error,status", [
    ("chat.postMessage", "not_in_channel", DeliveryStatus.CHANNEL_GONE),
    ("chat.postMessage", "channel_not_found", DeliveryStatus.CHANNEL_GONE),
    ("chat.postMessage", "is_archived", DeliveryStatus.CHANNEL_GONE),
    ("dm", "user_not_found", DeliveryStatus.UNREACHABLE),
    ("dm", "cannot_dm_bot", DeliveryStatus.UNREACHABLE),
    ("dm", "account_inactive", DeliveryStatus.UNREACHABLE),
    ("dm", "channel_not_found", DeliveryStatus.UNREACHABLE),
    ("chat.postMessage", "msg_too_long", DeliveryStatus.FAILED),
])
async def test_named_errors_have_defined_outcomes(socket_driver, fake, method, error, status):
    fake.fail("chat.postMessage", error)
    sender = socket_driver.adapter.sender
    if method == "dm":
        delivery = await sender.send_dm(alice(), Reply(title="Check-in"))
    else:
        delivery = await sender.post(ChannelRef("slack", TEAM, "C0GONE"), Reply(title="Digest"))
    assert delivery.status is status and delivery.detail == error  # reported, never raised


async def test_posts_from_core_are_delivered_after_the_reply(driver, fake):
    original = driver.app.bot.handle

    def with_post(cmd):
        from bot.core.model import Post
        result = original(cmd)
        return Result(result.replies, [Post(Reply(title="Team news"), to_channel=ChannelRef("slack", TEAM, "C0TEAM"))])

    driver.app.bot.handle = with_post
    out = await driver.say("/skill mlops")
    assert "MLOps" in out and "Team news" in out
    assert fake.called("chat.postMessage")[0].args["channel"] == "C0TEAM"


# -- Block Kit -------------------------------------------------------------------------------------
def huge_reply() -> Reply:
    sections = tuple(f"Section {n} " + ("word " * 1500) for n in range(100))  # 7,500 chars each
    fields = tuple(Field(f"Field {n}", f"value {n}") for n in range(30))
    buttons = tuple(Button(f"Button {n}", f"demo.{n}", str(n), Style.PRIMARY) for n in range(60))
    return Reply(title="T" * 400, sections=sections, fields=fields, buttons=buttons, footer="foot " * 800)


def test_block_kit_limits_are_respected_by_splitting():
    reply = huge_reply()
    messages = slack_blocks.render(reply)
    assert len(messages) > 1
    blocks = [b for m in messages for b in m.blocks]
    for message in messages:
        assert 0 < len(message.blocks) <= 50 and message.text
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= 3000
        if block["type"] == "section" and "fields" in block:
            assert len(block["fields"]) <= 10
        if block["type"] == "actions":
            assert len(block["elements"]) <= 25
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
    words = sum(b["text"]["text"].count("word") for b in blocks if b["type"] == "section" and "text" in b)
    assert words == 100 * 1500  # split, nothing lost
    assert len([e for b in blocks if b["type"] == "actions" for e in b["elements"]]) == 60


async def test_huge_reply_reaches_the_user_in_pieces(driver, fake):
    driver.app.bot.handle = lambda cmd: Result.of(huge_reply())
    payload = fake.slash_payload("mlops", "alice")
    await driver.send("slash_commands", payload)
    await driver.settle()
    via_url = fake.responses(payload["response_url"])
    extra = fake.called("chat.postEphemeral")
    assert len(via_url) == 5  # Slack's limit per response_url; the rest goes through the Web API
    assert extra and all(c.args["user"] == USERS["alice"]["id"] for c in extra)
    assert all(len(m["blocks"]) <= 50 for m in via_url)


def test_text_is_escaped_and_members_are_named_without_a_ping():
    reply = Reply(title="<!channel>", sections=(f"Hi {mention('U123', 'Bob <b>')} & <!here> <@U999> **bold**\n- item",))
    blocks = slack_blocks.render(reply)[0].blocks
    text = json.dumps(blocks)
    assert "<!here>" not in text and "<!channel>" not in text and "<@U999>" not in text
    section = blocks[1]["text"]["text"]
    assert section == "Hi Bob &lt;b&gt; &amp; &lt;!here&gt; &lt;@U999&gt; *bold*\n• item"
    assert "<@" not in text
    assert "<!" not in slack_blocks.render(reply)[0].text


# -- Socket Mode connection ------------------------------------------------------------------------
async def test_socket_mode_reconnects_when_slack_asks(socket_driver, fake):
    assert fake.connections == 1
    await fake.ask_to_reconnect()
    await fake.wait_for(lambda: fake.connections == 2 and len(fake.sockets) == 1, TIMEOUT)
    assert "MLOps" in await socket_driver.say("/skill mlops")
    assert socket_driver.adapter.ready()


async def test_stop_closes_the_socket(fake, db_url, catalog, clock):
    driver = SlackDriver(fake, db_url, catalog, clock, "socket")
    await driver.start()
    await driver.stop()
    await fake.wait_for(lambda: not fake.sockets, TIMEOUT)
    assert not driver.adapter.ready()


def test_response_url_allows_five_uses():
    async def run():
        import aiohttp

        from tests.fakes.slack import FakeSlack
        server = await FakeSlack().start()
        url = server.new_response_url()
        statuses = []
        async with aiohttp.ClientSession() as session:
            for _ in range(6):
                async with session.post(url, json={"text": "x"}) as response:
                    statuses.append(response.status)
        await server.stop()
        return statuses

    assert asyncio.run(run()) == [200] * 5 + [404]


def test_manifest_for_both_modes(capsys):
    from types import SimpleNamespace

    from bot.cli.slack import cmd_manifest
    assert cmd_manifest(SimpleNamespace(socket_mode="on", url=None)) == 0
    socket = json.loads(capsys.readouterr().out)
    assert socket["settings"]["socket_mode_enabled"] is True
    assert socket["features"]["slash_commands"][0]["command"] == "/skill"
    assert {"commands", "chat:write", "im:write", "users:read"} <= set(socket["oauth_config"]["scopes"]["bot"])
    assert cmd_manifest(SimpleNamespace(socket_mode="off", url="https://bot.example.com/")) == 0
    http = json.loads(capsys.readouterr().out)
    assert http["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.com/slack/events"
    assert http["settings"]["interactivity"]["request_url"] == "https://bot.example.com/slack/events"
    assert cmd_manifest(SimpleNamespace(socket_mode="off", url=None)) == 2

