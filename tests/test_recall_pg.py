"""Recall under racing dispatchers on one PostgreSQL: each learner's check-in carries at most one
recall question, the one recorded with its delivery, and pressing its answer twice counts once."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import build_app
from bot.checkins.dispatch import run_checkins
from bot.core.model import Action, ChannelRef, Command, UserRef
from bot.core.records import NewRecallItem
from bot.recall.messages import CHECKIN_ANSWER
from bot.settings import Settings
from bot.store.db import make_session_factory
from bot.store.models import CheckinDelivery, Enrollment, User
from bot.store.recall import RecallStore
from tests.checkins_helpers import RecordingSender, seed_due

DUE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LEARNERS = 300


@pytest.fixture
def replicas(pg_url, catalog, clock):
    apps = [build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock) for _ in range(2)]
    yield apps
    for app in apps:
        app.engine.dispose()


def seed_recall(app, catalog, clock) -> None:
    """Every learner has done week 1 of MLOps two weeks ago: its questions are due."""
    store = RecallStore(make_session_factory(app.engine), clock)
    topics = catalog.skill("mlops").track[0].topics
    items = [NewRecallItem(q.id, q.topic, "mlops", DUE - timedelta(days=7 - i % 3), 7)
             for t in topics for i, q in enumerate(catalog.questions_for(t))]
    with app.engine.connect() as conn:
        user_ids = conn.scalars(select(User.id)).all()
    for user_id in user_ids:
        store.add_items(user_id, items)


def questions_in(reply) -> set[str]:
    return {b.value.split("|")[1] for b in reply.buttons if b.action_id == CHECKIN_ANSWER}


async def test_racing_dispatchers_show_each_learner_one_recall_question(replicas, catalog, clock):
    seed_due(replicas[0].engine, LEARNERS, DUE)
    seed_recall(replicas[0], catalog, clock)
    senders = [RecordingSender(delay=0.001), RecordingSender(delay=0.001)]
    now = DUE + timedelta(minutes=1)
    reports = await asyncio.wait_for(asyncio.gather(*(
        run_checkins(app, {"console": sender}, now, f"replica-{i}", batch=50)
        for i, (app, sender) in enumerate(zip(replicas, senders, strict=True))
    )), timeout=120)
    sent = [(uid, reply) for sender in senders for uid, reply in sender.sent]
    assert Counter(uid for uid, _ in sent).most_common(1)[0][1] == 1 and len(sent) == LEARNERS
    assert all(report.sent > 0 for report in reports), "both replicas should have taken a share"
    with replicas[0].engine.connect() as conn:
        recorded = dict(conn.execute(select(User.platform_user_id, CheckinDelivery.recall_question)
                                     .join(Enrollment, Enrollment.user_id == User.id)
                                     .join(CheckinDelivery, CheckinDelivery.enrollment_id == Enrollment.id)).all())
    for uid, reply in sent:
        assert reply.plain_text().count("Quick recall:") == 1
        assert questions_in(reply) == {recorded[uid]}
    again = await run_checkins(replicas[1], {"console": senders[1]}, now + timedelta(minutes=5), "replica-1")
    assert again.sent == 0


async def test_checkin_answer_pressed_on_both_replicas_counts_once(replicas, catalog, clock):
    seed_due(replicas[0].engine, 1, DUE)
    seed_recall(replicas[0], catalog, clock)
    sender = RecordingSender()
    await run_checkins(replicas[0], {"console": sender}, DUE + timedelta(minutes=1), "replica-0")
    (uid, reply), = sender.sent
    button = next(b for b in reply.buttons if b.action_id == CHECKIN_ANSWER)
    cmd = Command(UserRef("console", "w", uid), ChannelRef("console", "w", uid, is_dm=True),
                  action=Action(button.action_id, button.value))
    results = await asyncio.gather(*(asyncio.to_thread(app.bot.handle, cmd) for app in replicas * 2))
    texts = [r.replies[0].plain_text() for r in results]
    assert sum("Already answered" in t for t in texts) == 3, texts
    store = RecallStore(make_session_factory(replicas[1].engine), clock)
    with replicas[1].engine.connect() as conn:
        user_id = conn.scalar(select(User.id))
    assert store.stats(user_id, clock()).answered == 1
    assert len(store.answers(user_id)) == 1
