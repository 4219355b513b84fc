"""Spaced recall as a learner lives it: questions from done steps in /skill review and in the weekly
check-in, the 7/14/28-day spacing, retirement, and presses that must count once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core import spacing
from bot.core.model import Action, Button, Command
from bot.recall.messages import CHECKIN_ANSWER, REVIEW_ANSWER
from bot.store.db import make_session_factory
from bot.store.models import CheckinDelivery, RecallAnswer, RecallItem, RecallSetting
from bot.store.recall import RecallStore
from tests.checkins_helpers import RecordingSender, tick
from tests.conftest import BotDriver

DAY = timedelta(days=1)


def recall_store(app, clock) -> RecallStore:
    return RecallStore(make_session_factory(app.engine), clock)


def user_id(app, name: str = "alice") -> int:
    from bot.adapters.console import console_user
    user = app.deps.tracks.find_user(console_user(name))
    assert user is not None
    return user.id


def option_number(bot: BotDriver, catalog, right: bool, user: str = "alice", action: str = REVIEW_ANSWER) -> str:
    """The console number to type for the right (or a wrong) option of the question on screen."""
    buttons = bot.session(user).buttons
    quiz = [b for b in buttons if b.action_id == action]
    question = catalog.question(quiz[0].value.split("|")[-2])
    for number, button in enumerate(buttons, start=1):
        if button.action_id == action and (int(button.value.split("|")[-1]) == question.answer) == right:
            return str(number)
    raise AssertionError("no such option")


def done_mlops(bot: BotDriver, user: str = "alice") -> None:
    """Check-ins on Wednesdays 10:00 UTC; the clock starts on Tuesday 24 November 2026, 10:00."""
    assert "saved" in bot.say("/skill schedule wed 10:00 UTC", user=user)
    assert "Week 1" in bot.say("/skill track mlops", user=user)
    assert "Done: week 1" in bot.say("/skill done", user=user)


# -- the console flow (Done when) --------------------------------------------------------------
def test_review_after_done_asks_about_the_step_and_progress_shows_recall(bot, catalog):
    done_mlops(bot)
    out = bot.say("/skill review")
    assert "Recall 1 of 3: MLOps" in out and "[1]" in out and "[3]" in out
    step_topics = set(catalog.skill("mlops").track[0].topics)
    asked = catalog.question(bot.session().buttons[0].value.split("|")[-2])
    assert asked.topic in step_topics
    feedback = bot.say("1")
    assert ("Right" in feedback) != ("Not quite" in feedback)
    assert asked.explain[:40] in feedback  # the explanation, whichever way it went
    assert "Recall 2 of 3" in feedback  # and the next question, one at a time
    progress = bot.say("/skill progress")
    right = 100 if "Right" in feedback else 0
    assert f"Recall: 1 answered, {right}% right, 0 due" in progress


def test_review_with_no_done_steps_explains_recall(bot):
    out = bot.say("/skill review")
    assert "Nothing to recall yet" in out and "7, 14, 28 days" in out
    bot.say("/skill track mlops")
    assert "Nothing to recall yet" in bot.say("/skill review")
    assert "Recall:" not in bot.say("/skill progress")


def test_review_asks_three_then_stops_and_never_repeats_a_question(bot, catalog):
    done_mlops(bot)
    out = bot.say("/skill review")
    asked = []
    for _ in range(3):
        asked.append(bot.session().buttons[-1].value.split("|")[-2])
        out = bot.say(option_number(bot, catalog, right=True))
    assert "That's 3 for now" in out and len(set(asked)) == 3
    assert bot.session().buttons == []


def test_review_answer_pressed_twice_counts_once(bot, catalog, app, clock):
    done_mlops(bot)
    bot.say("/skill review")
    number = option_number(bot, catalog, right=True)
    press = bot.session().buttons[int(number) - 1]
    assert "Right" in bot.say(number)
    again = app.bot.handle(Command(bot.session().user, bot.session().channel,
                                   action=Action(press.action_id, press.value)))
    assert "Already answered" in again.replies[0].plain_text()
    stats = recall_store(app, clock).stats(user_id(app), clock())
    assert (stats.answered, stats.right) == (1, 1)


def test_review_prefers_due_items_and_practice_moves_the_schedule(bot, catalog, app, clock):
    done_mlops(bot)
    store = recall_store(app, clock)
    uid = user_id(app)
    done_at = clock()
    assert "practice question" in bot.say("/skill review")  # nothing is due for a week
    bot.say(option_number(bot, catalog, right=True))
    practised = [i for i in store.items(uid) if i.right_count]
    assert len(practised) == 1 and practised[0].interval_days == 14 and practised[0].due_at == done_at + 14 * DAY
    clock.now = done_at + 7 * DAY
    assert "due for recall" in bot.say("/skill review")
    assert bot.session().buttons[0].value.split("|")[-2] != practised[0].question_id  # not due yet


def test_recall_metric_questions_still_reach_the_content(bot):
    out = bot.say("/skill recall vs precision")
    assert "Evaluation metrics" in out and "check-in" not in out


# -- the spacing (time travel) -----------------------------------------------------------------
def test_spacing_rules():
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    first = spacing.first(t0)
    assert (first.due_at, first.interval_days) == (t0 + 7 * DAY, 7)
    second = spacing.after_answer(first, True, first.due_at)
    third = spacing.after_answer(second, True, second.due_at)
    assert (second.interval_days, third.interval_days) == (14, 28)
    assert spacing.after_answer(third, True, third.due_at).retired
    reset = spacing.after_answer(third, False, third.due_at)
    assert (reset.interval_days, reset.streak, reset.retired) == (7, 0, False)
    assert spacing.at_or_below("mid", "mid") and not spacing.at_or_below("senior", "mid")
    assert spacing.at_or_below("senior", None)


def _one_item(app, bot, clock):
    done_mlops(bot)
    store = recall_store(app, clock)
    uid = user_id(app)
    item = store.items(uid)[0]
    return store, uid, item.question_id


def _due_ids(store, uid, now) -> set[str]:
    return {i.question_id for i in store.due(uid, now, 100)}


def test_time_travel_7_14_28_then_retired(app, bot, clock):
    start = clock()
    store, uid, qid = _one_item(app, bot, clock)
    schedule = [7, 14, 28]
    when = start
    for number, days in enumerate(schedule, start=1):
        assert qid not in _due_ids(store, uid, when + days * DAY - timedelta(minutes=1))
        when += days * DAY
        assert qid in _due_ids(store, uid, when)
        outcome = store.answer(uid, qid, f"test:{number}", 0, True, when)
        assert outcome.counted and outcome.item.streak == number
    assert outcome.item.retired
    assert qid not in _due_ids(store, uid, when + 1000 * DAY)
    assert qid not in {i.question_id for i in store.due(uid, when + 1000 * DAY, 1000)}


def test_time_travel_wrong_answer_resets_to_seven_days(app, bot, clock):
    start = clock()
    store, uid, qid = _one_item(app, bot, clock)
    store.answer(uid, qid, "t:1", 0, True, start + 7 * DAY)  # next in 14
    wrong_at = start + 21 * DAY
    item = store.answer(uid, qid, "t:2", 0, False, wrong_at).item
    assert (item.interval_days, item.streak, item.due_at) == (7, 0, wrong_at + 7 * DAY)
    assert qid not in _due_ids(store, uid, wrong_at + 6 * DAY)
    assert qid in _due_ids(store, uid, wrong_at + 7 * DAY)
    # Three right in a row from here, not two: the streak starts again.
    when = wrong_at
    for n, days in enumerate([7, 14], start=3):
        when += days * DAY
        assert not store.answer(uid, qid, f"t:{n}", 0, True, when).item.retired
    assert store.answer(uid, qid, "t:5", 0, True, when + 28 * DAY).item.retired


def test_levels_pick_questions_at_or_below_the_assessed_level(app, catalog, clock):
    from bot.recall.commands import Recall

    class Assessed:
        def latest_level(self, user_id: int, skill_id: str) -> str | None:
            return "entry"

    recall = Recall(app.deps, recall_store(app, clock), Assessed())
    bot = BotDriver(app)
    done_mlops(bot)
    user = app.deps.tracks.user_by_id(user_id(app))
    fresh = recall_store(app, clock)
    with app.engine.begin() as conn:
        conn.execute(RecallItem.__table__.delete())
    recall.sync(user, app.deps.tracks.enrollments(user.id))
    levels = {catalog.question(i.question_id).level for i in fresh.items(user.id)}
    assert levels == {"entry"}


# -- in the weekly check-in --------------------------------------------------------------------
async def week_later_checkin(app, bot, clock, sender, user="alice"):
    """Check-ins come on Wednesdays at 10:00 (done on Tuesday 10:00): the first, a day after done, has
    nothing due; the one 8 days after done carries a recall question."""
    start = clock.now
    clock.now = start + DAY
    await tick(app, sender, clock.now)
    assert len(sender.to(user)) == 1 and recall_buttons(sender.to(user)[0]) == []
    clock.now = start + 8 * DAY
    await tick(app, sender, clock.now)
    return sender.to(user)[-1]


def press(app, bot, button: Button, user: str = "alice"):
    session = bot.session(user)
    return app.bot.handle(Command(session.user, session.channel, action=Action(button.action_id, button.value)))


def recall_buttons(reply) -> list[Button]:
    return [b for b in reply.buttons if b.action_id == CHECKIN_ANSWER]


async def test_checkin_carries_one_due_question_below_the_step(app, bot, clock, catalog):
    done_mlops(bot)
    sender = RecordingSender()
    first = await week_later_checkin(app, bot, clock, sender)
    assert [b.label for b in first.buttons[:3]] == ["Done ✅", "Snooze a day", "Skip this week"]
    options = recall_buttons(first)
    assert 3 <= len(options) <= 4
    assert first.sections[-1].startswith("**Quick recall:**")
    qid = options[0].value.split("|")[1]
    with app.engine.connect() as conn:
        stored = conn.scalars(select(CheckinDelivery.recall_question).order_by(CheckinDelivery.id)).all()
    assert stored == [None, qid]  # recorded with the delivery
    question = catalog.question(qid)
    right = next(b for b in options if int(b.value.split("|")[-1]) == question.answer)
    out = press(app, bot, right).replies[0].plain_text()
    assert "Right" in out and question.explain[:40] in out and "14 days" in out
    twice = press(app, bot, options[0]).replies[0].plain_text()
    assert "Already answered" in twice and "counted it once" in twice
    stats = recall_store(app, clock).stats(user_id(app), clock())
    assert (stats.answered, stats.right) == (1, 1)


async def test_old_checkin_recall_changes_nothing(app, bot, clock):
    done_mlops(bot)
    sender = RecordingSender()
    old = await week_later_checkin(app, bot, clock, sender)
    clock.now += 7 * DAY
    await tick(app, sender, clock.now)
    assert len(sender.to("alice")) == 3
    out = press(app, bot, recall_buttons(old)[0]).replies[0].plain_text()
    assert "earlier check-in" in out
    assert recall_store(app, clock).stats(user_id(app), clock()).answered == 0


async def test_a_retried_checkin_shows_the_same_question(app, bot, clock):
    from bot.core.delivery import Delivery, DeliveryStatus
    from bot.store.checkins import LEASE
    done_mlops(bot)
    sender = RecordingSender()
    clock.now += DAY
    await tick(app, sender, clock.now)  # the first check-in, nothing due yet
    sender.outcomes["alice"] = [Delivery(DeliveryStatus.FAILED, detail="boom")]
    clock.now += 7 * DAY
    await tick(app, sender, clock.now)
    with app.engine.connect() as conn:
        chosen = conn.scalar(select(CheckinDelivery.recall_question).where(CheckinDelivery.week == "2026-W49"))
    assert chosen and len(sender.to("alice")) == 1
    # Another item becomes the longest due meanwhile, but the retry keeps what the claim recorded.
    from sqlalchemy import update
    with app.engine.begin() as conn:
        conn.execute(update(RecallItem).where(RecallItem.question_id != chosen).values(due_at=clock.now - 30 * DAY))
    assert recall_store(app, clock).due(user_id(app), clock.now, 1)[0].question_id != chosen
    clock.now += LEASE + timedelta(minutes=1)
    await tick(app, sender, clock.now)
    reply = sender.to("alice")[-1]
    assert {b.value.split("|")[1] for b in recall_buttons(reply)} == {chosen}


async def test_recall_off_keeps_questions_out_of_checkins(app, bot, clock):
    done_mlops(bot)
    assert "Recall in check-ins: off" in bot.say("/skill recall off")
    sender = RecordingSender()
    reply = await week_later_checkin(app, bot, clock, sender)
    assert recall_buttons(reply) == [] and "Quick recall" not in reply.plain_text()
    with app.engine.connect() as conn:
        assert conn.scalars(select(CheckinDelivery.recall_question)).all() == [None, None]
    assert "Recall 1 of 3" in bot.say("/skill review")  # review works either way
    assert "Recall in check-ins: on" in bot.say("/skill recall on")
    clock.now += 7 * DAY
    await tick(app, sender, clock.now)
    assert recall_buttons(sender.to("alice")[-1])


# -- export and forget-me ----------------------------------------------------------------------
def export_and_forget(bot: BotDriver, app, catalog) -> None:
    done_mlops(bot)
    bot.say("/skill recall off")
    bot.say("/skill review")
    bot.say(option_number(bot, catalog, right=False))
    recall = bot.export()["recall"]
    assert recall["in_checkins"] is False and recall["items"] and len(recall["answers"]) == 1
    assert recall["answers"][0]["right"] is False
    bot.say("/skill forget-me")
    assert "Deleted" in bot.say("1")
    with app.engine.connect() as conn:
        for table in (RecallItem, RecallAnswer, RecallSetting):
            assert conn.execute(select(table)).all() == []


def test_export_and_forget_me_cover_recall_sqlite(bot, app, catalog):
    export_and_forget(bot, app, catalog)


@pytest.fixture
def pg_app(pg_url, catalog, clock):
    from bot.app import build_app
    from bot.settings import Settings
    built = build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock)
    yield built
    built.engine.dispose()


def test_export_and_forget_me_cover_recall_postgres(pg_app, catalog, tmp_path):
    export_and_forget(BotDriver(pg_app, tmp_path), pg_app, catalog)


def test_every_bank_question_fits_a_checkin_on_slack_and_discord(catalog):
    """Each option becomes a button: none may be cut or dropped by Slack's or Discord's limits."""
    from bot.adapters import discord_render, slack_blocks
    from bot.checkins.messages import checkin_reply
    from bot.core.records import Due
    from bot.core.schedule import Weekly
    for question in catalog.questions:
        skill = catalog.owner(question.topic)
        due = Due(delivery_id=10**12, enrollment_id=1, user_id=1, week="2026-W49", attempt=0, step_index=0,
                  due_at=datetime(2026, 12, 2, tzinfo=UTC), track_id=skill.id, platform="slack", workspace="w",
                  platform_user_id="U1", display_name="a", checkin_tz="UTC", weekly=Weekly(2, 600, "UTC"),
                  schedule_set=True, unanswered=0, recall_question=question.id)
        reply = checkin_reply(catalog, due)
        assert len(recall_buttons(reply)) == len(question.options)
        slack = [e for m in slack_blocks.render(reply) for b in m.blocks if b["type"] == "actions" for e in b["elements"]]
        assert [e["text"]["text"] for e in slack][3:] == list(question.options)
        discord = [b for m in discord_render.render(reply) for b in m.buttons]
        assert len(discord) == 3 + len(question.options)
