"""Scale-out: two `skillbot run` replicas on one PostgreSQL, both in Slack Socket Mode on the same
(fake) Slack app. Slack hands each envelope to one of the app's connections, so both replicas answer
commands; both schedulers send from one batch of due check-ins, and every learner gets exactly one."""
from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.checkins.dispatch import CONCURRENCY
from bot.store.db import make_engine
from bot.store.models import CheckinDelivery
from tests.checkins_helpers import seed_due
from tests.fakes.slack import APP_TOKEN, BOT_TOKEN, Envelope, FakeSlack
from tests.helpers import clean_env
from tests.slack.conftest import flatten
from tests.test_run_e2e import BotProcess, db_upgrade, free_port

pytestmark = pytest.mark.slow  # process-level scenarios: CI runs them (`pytest -m slow`)

# One claim takes at most 200 (the dispatcher's batch), so with more than that due the second
# replica always finds a share left, whichever starts first.
LEARNERS = 400


class SharedSlack(FakeSlack):
    """One Slack app with several Socket Mode connections.

    Envelopes go to the connection the test names (Slack picks one per envelope). Check-in DMs are
    held at chat.postMessage until both replicas have a full send group waiting: one process never
    has more than CONCURRENCY sends in flight, so 2 x CONCURRENCY held calls prove both schedulers
    took a share of the batch at the same time.
    """

    def __init__(self, hold_until: int):
        super().__init__()
        self.hold_until = hold_until
        self.held = 0
        self.released = asyncio.Event()

    async def _api(self, request):
        if request.match_info["method"] == "chat.postMessage" and not self.released.is_set():
            self.held += 1
            if self.held >= self.hold_until:
                self.released.set()
            self._notify()
            await self.released.wait()
        return await super()._api(request)

    async def push_to(self, connection: int, kind: str, payload: dict) -> Envelope:
        """Like push(), on the named connection (push() always uses the newest)."""
        envelope = Envelope(uuid.uuid4().hex, kind, payload, time.monotonic())
        self.envelopes[envelope.envelope_id] = envelope
        await self.sockets[connection].send_json({
            "envelope_id": envelope.envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": kind != "events_api", "retry_attempt": 0, "retry_reason": ""})
        return envelope

    def dms_per_user(self) -> Counter[str]:
        """Check-ins are posted to the user id (Slack puts them in the app's DM with the user)."""
        return Counter(str(call.args["channel"]) for call in self.called("chat.postMessage")
                       if call.status == 200 and not str(call.args.get("channel", "C")).startswith(("C", "G", "D")))


def metric(text: str, name: str, **labels: str) -> float:
    """One sample's value from a Prometheus text page (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


@pytest.fixture
async def shared_slack():
    fake = await SharedSlack(hold_until=2 * CONCURRENCY).start()
    yield fake
    BotProcess.kill_all()
    await fake.stop()


async def test_two_replicas_answer_commands_and_share_one_checkin_batch_exactly_once(pg_url, tmp_path,
                                                                                       shared_slack):
    env = clean_env(
        DATABASE_URL=pg_url, LOG_LEVEL="INFO", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=shared_slack.api_url,
        SKILLBOT_SLACK_RATE="0")  # no pacing: the fake holds a full send group from each replica at once
    await asyncio.to_thread(db_upgrade, env, tmp_path)
    engine = make_engine(pg_url)
    seed_due(engine, LEARNERS, datetime.now(UTC) - timedelta(minutes=5), platform="slack")

    replicas = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        port = free_port()
        replicas.append(BotProcess({**env, "PORT": str(port)}, port, tmp_path / name))
    for replica in replicas:  # started together, as a deploy would
        replica.launch()
    await asyncio.gather(*(replica.until_ready() for replica in replicas))
    await shared_slack.wait_for(lambda: len(shared_slack.sockets) == 2, timeout=10)

    # Slack spreads envelopes over the connections: two commands for each replica.
    commands = [("alice", 0), ("bob", 1), ("carol", 0), ("alice", 1)]
    payloads = [shared_slack.slash_payload("mlops", user) for user, _ in commands]
    for payload, (_user, connection) in zip(payloads, commands, strict=True):
        await shared_slack.wait_ack(await shared_slack.push_to(connection, "slash_commands", payload))
    await shared_slack.wait_for(lambda: all(shared_slack.responses(p["response_url"]) for p in payloads), timeout=10)
    assert all("MLOps" in flatten(shared_slack.responses(p["response_url"])) for p in payloads)

    # Both schedulers are sending at once (see SharedSlack); then every learner gets one check-in.
    await shared_slack.wait_for(shared_slack.released.is_set, timeout=15)
    await shared_slack.wait_for(lambda: len(shared_slack.dms_per_user()) >= LEARNERS, timeout=30)
    pages = [(await replica.get("/metrics"))[1] for replica in replicas]
    for replica in replicas:
        code, took = await replica.terminate()
        assert code == 0 and took < 10, replica.output()

    counts = shared_slack.dms_per_user()  # counted after both exited, so a late duplicate would show
    assert len(counts) == LEARNERS and set(counts.values()) == {1}
    for page in pages:
        assert metric(page, "skillbot_commands_total", kind="question", platform="slack") == 2
        assert metric(page, "skillbot_checkins_total", outcome="sent", platform="slack") > 0
    assert sum(metric(page, "skillbot_checkins_total", outcome="sent", platform="slack") for page in pages) == LEARNERS
    with engine.connect() as conn:
        rows = conn.execute(select(CheckinDelivery.status, func.count()).group_by(CheckinDelivery.status)).all()
    engine.dispose()
    assert dict(rows) == {"sent": LEARNERS}
