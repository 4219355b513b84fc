"""The real `skillbot slack` HTTP server (a subprocess, HTTP mode, signing secret from the environment)
against FakeSlack: signature smuggling, replays across replicas and restarts, "payload" in a slash
command, and unsigned floods that must leave nothing in the log. On SQLite and on PostgreSQL."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.fakes.slack import BOT_TOKEN, FakeSlack, http_body, sign
from tests.slack.conftest import flatten

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)

SECRET = "process-signing-secret-0123456789"
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SlackProcess:
    """One `skillbot slack` replica; its whole output goes to a log file the test can grep."""

    def __init__(self, fake: FakeSlack, db_url: str, workdir: Path, log_level: str = "DEBUG"):
        self.port = free_port()
        self.log_path = workdir / f"slack-{self.port}.log"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
        self.env.update(DATABASE_URL=db_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET,
                        SLACK_API_URL=fake.api_url, LOG_LEVEL=log_level, PORT=str(self.port))
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def launch(self) -> None:
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "slack", "--no-scheduler"],
                                         env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)

    async def start(self) -> SlackProcess:
        self.launch()
        deadline = time.monotonic() + START_TIMEOUT
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                assert self.proc.poll() is None, self.log()
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/readyz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)  # polling a child process's readiness; there is no event to wait on
        raise AssertionError("skillbot slack never became ready:\n" + self.log())

    async def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.to_thread(self.proc.wait), 15)
        except TimeoutError:
            self.proc.kill()

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""


async def post(url: str, body: str | bytes, headers: list[tuple[str, str]],
               content_type: str = "application/x-www-form-urlencoded") -> int:
    """POST with headers given as a list, so a header can appear twice (as a smuggler would send it)."""
    data = body.encode() if isinstance(body, str) else body
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session, \
            session.post(url, data=data, headers=[("Content-Type", content_type), *headers]) as response:
        return response.status


def signed(body: str) -> list[tuple[str, str]]:
    ts = str(int(time.time()))
    return [("X-Slack-Request-Timestamp", ts), ("X-Slack-Signature", sign(SECRET, ts, body))]


def command(fake: FakeSlack, text: str, user: str = "alice", channel: str = "C0GENERAL",
            channel_name: str | None = None) -> tuple[dict, str]:
    payload = fake.slash_payload(text, user, channel)
    if channel_name is not None:
        payload["channel_name"] = channel_name
    return payload, http_body("slash_commands", payload)[0]


def done_events(fake: FakeSlack, response_url: str) -> int:
    return len(fake.responses(response_url))


@pytest.fixture(params=["sqlite", "postgres"])
def database(request, tmp_path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("pg_url")
    return f"sqlite:///{tmp_path / 'slack.db'}"


@pytest.fixture
async def fake():
    server = await FakeSlack(SECRET).start()
    yield server
    await server.stop()


@pytest.fixture
async def replicas(fake, database, tmp_path):
    started: list[SlackProcess] = []

    async def start(count: int = 1) -> list[SlackProcess]:
        new = [SlackProcess(fake, database, tmp_path) for _ in range(count)]
        # One at a time: each migrates the database on start, like a rolling deploy.
        for process in new:
            await process.start()
        started.extend(new)
        return new

    yield start
    for process in started:
        await process.stop()


async def answered(fake: FakeSlack, payload: dict) -> str:
    await fake.wait_for(lambda: bool(fake.responses(payload["response_url"])), timeout=15)
    return flatten(fake.responses(payload["response_url"]))


async def say(fake: FakeSlack, bot: SlackProcess, text: str) -> str:
    payload, body = command(fake, text)
    assert await post(bot.url, body, signed(body)) == 200
    return await answered(fake, payload)


async def test_a_smuggled_second_signature_header_is_refused(fake, replicas):
    (bot,) = await replicas(1)
    await say(fake, bot, "track mlops")
    payload, body = command(fake, "done")
    genuine = signed(body)
    assert await post(bot.url, body, genuine) == 200
    await answered(fake, payload)
    junk = ("X-Slack-Signature", "v0=" + "0" * 64)
    for headers in ([junk, *genuine], [*genuine, junk], [*genuine, genuine[0]],
                    [genuine[0], *genuine]):
        assert await post(bot.url, body, headers) == 401
    # One signed `/skill done` recorded one step, however often it was re-sent.
    assert "step 2 of" in await say(fake, bot, "progress")
    assert done_events(fake, payload["response_url"]) == 1


async def test_a_replay_to_another_replica_or_after_a_restart_is_refused(fake, replicas):
    first, second = await replicas(2)
    await say(fake, first, "track mlops")
    payload, body = command(fake, "done")
    headers = signed(body)
    assert await post(first.url, body, headers) == 200
    await answered(fake, payload)
    assert await post(second.url, body, headers) == 401
    await first.stop()
    (restarted,) = await replicas(1)
    assert await post(restarted.url, body, headers) == 401
    assert "step 2 of" in await say(fake, second, "progress")
    assert done_events(fake, payload["response_url"]) == 1


@pytest.mark.parametrize(("text", "channel_name"), [
    ("what is a payload", None),
    ("how do I version a payload schema?", None),
    ("list", "payload-team"),
])
async def test_slash_commands_mentioning_payload_are_answered(fake, replicas, text, channel_name):
    (bot,) = await replicas(1)
    payload, body = command(fake, text, channel_name=channel_name)
    assert await post(bot.url, body, signed(body)) == 200
    reply = await answered(fake, payload)
    assert reply.strip() and "went wrong" not in reply.lower()


async def test_unsigned_and_malformed_requests_get_401_and_leave_nothing_in_the_log(fake, replicas):
    (bot,) = await replicas(1)
    marker = "FORGEDLOGLINE"
    huge = ("payload=" + marker + "x" * (1024 * 1024 - 100))
    stale = str(int(time.time()) - 600)
    cases = [
        (huge, []),
        (huge, [("X-Slack-Request-Timestamp", str(int(time.time()))), ("X-Slack-Signature", "v0=bad")]),
        (f"payload={marker}%7Bnot-json", [("X-Slack-Request-Timestamp", "nonsense"), ("X-Slack-Signature", "x")]),
        (f"command=%2Fskill&text={marker}", [("X-Slack-Request-Timestamp", stale),
                                             ("X-Slack-Signature", sign(SECRET, stale, f"command=%2Fskill&text={marker}"))]),
        (f"{marker}\r\nINFO forged line", [("X-Slack-Request-Timestamp", "1"), ("X-Slack-Signature", "")]),
    ]
    for body, headers in cases:
        assert await post(bot.url, body, headers) == 401
    payload, good = command(fake, "list")
    assert await post(bot.url, good, signed(good)) == 200
    await answered(fake, payload)
    await bot.stop()
    log = bot.log()
    assert marker not in log and "forged line" not in log
    assert len(log) < 50_000, f"the log grew to {len(log)} characters"


async def test_debug_logs_hold_no_user_text_urls_tokens_or_secrets(fake, replicas):
    (bot,) = await replicas(1)  # LOG_LEVEL=DEBUG
    marker = "zebracornmarker"
    payloads = []
    for text in (f"track mlops {marker}", f"done {marker} my private note", f"what is {marker}"):
        payload, body = command(fake, text)
        assert await post(bot.url, body, signed(body)) == 200
        await answered(fake, payload)
        payloads.append(payload)
    event = fake.event_payload({"type": "message", "channel": "D0ALICE", "channel_type": "im", "ts": "1.2",
                                "user": "U0ALICE", "text": f"{marker} in a DM"})
    unhandled = fake.event_payload({"type": "reaction_added", "user": "U0ALICE", "reaction": marker})
    for extra, status in ((event, 200), (unhandled, 404)):  # bolt answers an event nobody handles 404
        body = http_body("events_api", extra)[0]
        assert await post(bot.url, body, signed(body), "application/json") == status
    await fake.wait_for(lambda: fake.called("chat.postMessage"), timeout=15)
    await bot.stop()
    log = bot.log()
    assert "DEBUG" in log or "INFO" in log  # the process really logged
    for secret in (marker, SECRET, BOT_TOKEN, *(p["response_url"] for p in payloads),
                   *(p["response_url"].rsplit("/", 1)[1] for p in payloads), *(p["trigger_id"] for p in payloads)):
        assert secret not in log, f"{secret!r} is in the log"
