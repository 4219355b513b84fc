"""Weekly check-ins as users live them: at their hour in their zone, once a week, through DST,
schedule changes, downtime, button presses and unreachable users. Time is moved with time-machine."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.app import build_app
from bot.core.delivery import Delivery, DeliveryStatus
from bot.core.deps import utc_now
from bot.settings import Settings
from tests.checkins_helpers import RecordingSender, tick
from tests.conftest import BotDriver


@pytest.fixture
def live_app(db_url, catalog):
    """An app on the real clock, which time-machine moves."""
    built = build_app(Settings(DATABASE_URL=db_url), catalog=catalog, clock=utc_now)
    yield built
    built.engine.dispose()


@pytest.fixture
def travel():
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def run_hours(app, sender, travel, start: datetime, end: datetime, step=timedelta(minutes=30),
                    answer=None) -> list[datetime]:
    """Tick every `step` from start to end; return the instants at which something was sent.

    `answer(user_id)` is called after each check-in, as an engaged learner would."""
    sent_at = []
    now = start
    while now <= end:
        travel.move_to(now)
        before = len(sender.sent)
        await tick(app, sender, now)
        for user_id, _reply in sender.sent[before:]:
            sent_at.append(now)
            if answer:
                answer(user_id)
        now += step
    return sent_at


def join(bot: BotDriver, user: str, schedule: str, track: str = "mlops") -> None:
    """Joined four days ago (past the wait before a first check-in); the schedule is set now."""
    with time_machine.travel(datetime.now(UTC) - timedelta(days=4), tick=False):
        assert "Week 1" in bot.say(f"/skill track {track}", user=user)
    assert "Check-in schedule saved" in bot.say(f"/skill schedule {schedule}", user=user)


def leave(bot: BotDriver, user: str) -> None:
    """/skill leave asks first; press "Leave the track"."""
    if "Leave the track" in bot.say("/skill leave", user=user):
        assert "You left" in bot.say("Leave the track", user=user)


@pytest.mark.parametrize("zone,spring,autumn", [
    ("Europe/Berlin", datetime(2027, 3, 28, tzinfo=UTC), datetime(2027, 10, 31, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 3, 14, tzinfo=UTC), datetime(2027, 11, 7, tzinfo=UTC)),
])
@pytest.mark.slow
async def test_nine_local_stays_nine_local_across_both_dst_changes(live_app, travel, zone, spring, autumn):
    bot = BotDriver(live_app)
    for change in (spring, autumn):
        start = change - timedelta(days=15)
        travel.move_to(start)
        user = f"ana-{change:%m}"
        leave(bot, "ana-03")  # spring's learner has moved on by autumn
        sender = RecordingSender()
        join(bot, user, f"mon 09:00 {zone}")
        sent_at = await run_hours(live_app, sender, travel, start, change + timedelta(days=15),
                                  answer=lambda uid: bot.say("/skill done", user=uid))
        assert len(sent_at) == 4, sent_at  # the Mondays 2 weeks either side of the change
        assert all(t.astimezone(ZoneInfo(zone)).strftime("%a %H:%M") == "Mon 09:00" for t in sent_at), sent_at
        offsets = {t.astimezone(ZoneInfo(zone)).utcoffset() for t in sent_at}
        assert len(offsets) == 2  # the same wall time on both sides of the change


@pytest.mark.slow
async def test_kolkata_half_hour_zone(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    start = datetime(2026, 11, 29, tzinfo=UTC)
    travel.move_to(start)
    join(bot, "ravi", "wed 09:00 Asia/Kolkata")
    sent_at = await run_hours(live_app, sender, travel, start, start + timedelta(days=14), timedelta(minutes=15))
    assert sent_at == [datetime(2026, 12, 2, 3, 30, tzinfo=UTC), datetime(2026, 12, 9, 3, 30, tzinfo=UTC)]


async def test_a_local_time_that_does_not_exist_is_sent_an_hour_later(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    start = datetime(2027, 3, 27, tzinfo=UTC)
    travel.move_to(start)
    join(bot, "ana", "sun 02:30 Europe/Berlin")  # clocks jump from 02:00 to 03:00 on 2027-03-28
    sent_at = await run_hours(live_app, sender, travel, start, start + timedelta(days=2), timedelta(minutes=15))
    assert sent_at == [local("Europe/Berlin", 2027, 3, 28, 3, 30)]


async def test_a_local_time_that_happens_twice_is_sent_once(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    start = datetime(2027, 10, 30, tzinfo=UTC)
    travel.move_to(start)
    join(bot, "ana", "sun 02:30 Europe/Berlin")  # 02:30 happens twice on 2027-10-31
    sent_at = await run_hours(live_app, sender, travel, start, start + timedelta(days=2), timedelta(minutes=15))
    assert sent_at == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]  # the first 02:30, CEST


async def test_schedule_change_mid_week_keeps_one_checkin_per_week(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    start = datetime(2026, 11, 29, 12, tzinfo=UTC)  # a Sunday
    travel.move_to(start)
    join(bot, "kim", "mon 09:00 UTC")
    sent = await run_hours(live_app, sender, travel, start, datetime(2026, 12, 1, 12, tzinfo=UTC))
    assert sent == [datetime(2026, 11, 30, 9, tzinfo=UTC)]
    bot.say("/skill schedule fri 17:00 UTC", user="kim")  # Tuesday: move to Friday
    sent = await run_hours(live_app, sender, travel, datetime(2026, 12, 1, 12, 30, tzinfo=UTC),
                           datetime(2026, 12, 12, tzinfo=UTC))
    # Not again this Friday (this week's check-in already came), then next Friday at the new time.
    assert sent == [datetime(2026, 12, 11, 17, tzinfo=UTC)]


async def test_schedule_change_before_the_checkin_moves_it(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    start = datetime(2026, 11, 29, 12, tzinfo=UTC)
    travel.move_to(start)
    join(bot, "kim", "mon 09:00 UTC")
    bot.say("/skill schedule wed 08:00 Europe/Berlin", user="kim")
    sent = await run_hours(live_app, sender, travel, start, datetime(2026, 12, 4, tzinfo=UTC))
    assert sent == [datetime(2026, 12, 2, 7, tzinfo=UTC)]


async def test_downtime_of_two_hours_sends_late_once(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    travel.move_to(datetime(2026, 11, 29, tzinfo=UTC))
    join(bot, "dev", "mon 09:00 UTC")
    back = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # the bot was down from 08:30 to 11:00
    sent = await run_hours(live_app, sender, travel, back, back + timedelta(days=8))
    assert sent == [back, datetime(2026, 12, 7, 9, tzinfo=UTC)]


async def test_downtime_of_three_days_skips_to_next_week(live_app, travel):
    bot, sender = BotDriver(live_app), RecordingSender()
    travel.move_to(datetime(2026, 11, 29, tzinfo=UTC))
    for user in ("dev", "eve", "fay"):
        join(bot, user, "mon 09:00 UTC")
    back = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # down from Sunday to Thursday
    sent = await run_hours(live_app, sender, travel, back, back + timedelta(days=5))
    assert sent == [datetime(2026, 12, 7, 9, tzinfo=UTC)] * 3  # no burst of stale nudges on Thursday


async def test_first_checkin_says_how_to_change_the_default(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="new")
    await tick(app, sender, clock.now + timedelta(days=7))
    (reply,) = sender.to("new")
    text = reply.plain_text()
    assert "Weekly check-in: MLOps" in text and "Week 1" in text
    assert "/skill schedule" in reply.footer and "Monday 09:00 (UTC)" in reply.footer
    assert [b.label for b in reply.buttons] == ["Done ✅", "Snooze a day", "Skip this week"]


async def test_platform_zone_is_the_default(app, clock):
    from bot.adapters.console import ConsoleSession, console_channel, console_user
    session = ConsoleSession(app.bot, console_user("tokyo", tz="Asia/Tokyo"), console_channel(), out=_Null())
    session.say("/skill track mlops")
    sender = RecordingSender()
    await tick(app, sender, clock.now + timedelta(days=7))
    assert "Monday 09:00 (Asia/Tokyo)" in sender.to("tokyo")[0].footer


@pytest.fixture(autouse=True)
def _monday(clock):
    """Start on a Monday morning, so a week later the default Monday 09:00 check-in is due."""
    clock.now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


class _Null:
    def write(self, _text):
        return 0


# -- buttons ------------------------------------------------------------------------------
async def _checkin(app, bot, clock, user="bea"):
    sender = RecordingSender()
    bot.say("/skill track mlops", user=user)
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    (reply,) = sender.to(user)
    return sender, reply


def press(bot, reply, label, user="bea"):
    session = bot.session(user)
    session.buttons = [b for b in reply.buttons if b.label.startswith(label)]
    return session.say("1")


async def test_done_button_moves_progress_once(app, bot, clock):
    _, reply = await _checkin(app, bot, clock)
    assert "Done: week 1" in press(bot, reply, "Done")
    assert "already marked" in press(bot, reply, "Done")
    assert "step 2 of" in bot.say("/skill progress", user="bea")


async def test_skip_button_skips_the_step(app, bot, clock):
    _, reply = await _checkin(app, bot, clock)
    assert "Skipped: week 1" in press(bot, reply, "Skip")
    out = bot.say("/skill progress", user="bea")
    assert "step 2 of" in out and "Skipped: 1" in out


async def test_old_weeks_button_changes_nothing(app, bot, clock):
    sender, old = await _checkin(app, bot, clock)
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert "earlier week" in press(bot, old, "Done")
    assert "step 1 of" in bot.say("/skill progress", user="bea")


async def test_someone_elses_checkin_button_is_refused(app, bot, clock):
    _, reply = await _checkin(app, bot, clock)
    bot.say("/skill track genai", user="mallory")
    assert "belongs to someone else" in press(bot, reply, "Done", user="mallory")
    assert "step 1 of" in bot.say("/skill progress", user="bea")


async def test_snooze_sends_the_same_checkin_once_a_day_later(app, bot, clock):
    sender, reply = await _checkin(app, bot, clock)
    assert "Snoozed for a day" in press(bot, reply, "Snooze")
    assert "Already snoozed" in press(bot, reply, "Snooze")
    pressed_at = clock.now
    for hours in (1, 23, 24, 25, 30):
        await tick(app, sender, pressed_at + timedelta(hours=hours))
    replies = sender.to("bea")
    assert len(replies) == 2 and "Reminder: MLOps" in replies[1].title and "Week 1" in replies[1].plain_text()


async def test_three_unanswered_checkins_pause_the_track(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="quiet")
    for _ in range(4):
        clock.now += timedelta(days=7)
        await tick(app, sender, clock.now)
    replies = sender.to("quiet")
    assert len(replies) == 4 and "paused" in replies[-1].title and "/skill resume" in replies[-1].plain_text()
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert len(sender.to("quiet")) == 4
    assert "paused" in bot.say("/skill progress", user="quiet")
    bot.say("/skill resume", user="quiet")
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert "Weekly check-in" in sender.to("quiet")[-1].title


async def test_answering_keeps_checkins_coming(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="keen")
    for week in range(5):
        clock.now += timedelta(days=7)
        await tick(app, sender, clock.now)
        if week == 2:
            bot.say("/skill done", user="keen")
    assert all("Weekly check-in" in r.title for r in sender.to("keen"))
    assert len(sender.to("keen")) == 5


# -- delivery failures --------------------------------------------------------------------
async def test_unreachable_user_is_not_retried_until_they_write(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="closed")
    sender.outcomes["closed"] = [Delivery(DeliveryStatus.UNREACHABLE, detail="dms closed")]
    clock.now += timedelta(days=7)
    for minutes in range(0, 180, 1):
        await tick(app, sender, clock.now + timedelta(minutes=minutes))
    assert sender.attempts["closed"] == 1
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert sender.attempts["closed"] == 1
    bot.say("/skill progress", user="closed")  # they are back, an hour after this week's was due
    await tick(app, sender, clock.now)
    assert len(sender.to("closed")) == 1
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert len(sender.to("closed")) == 2


async def test_rate_limit_is_waited_out(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="busy")
    sender.outcomes["busy"] = [Delivery(DeliveryStatus.RATE_LIMITED, retry_after=0.01)]
    clock.now += timedelta(days=7)
    report = await tick(app, sender, clock.now)
    assert report.sent == 1 and sender.attempts["busy"] == 2 and len(sender.to("busy")) == 1


async def test_one_failing_user_never_stops_the_others(app, bot, clock):
    sender = RecordingSender()
    for user in ("a1", "a2", "a3"):
        bot.say("/skill track mlops", user=user)
    sender.outcomes["a2"] = [RuntimeError("boom")]
    clock.now += timedelta(days=7)
    report = await tick(app, sender, clock.now)
    assert report.sent == 2 and report.failed == 1
    assert sender.to("a1") and sender.to("a3") and not sender.to("a2")
    # The failed one is retried once its lease has passed, still the same week's check-in.
    await tick(app, sender, clock.now + timedelta(minutes=1))
    assert not sender.to("a2")
    await tick(app, sender, clock.now + timedelta(minutes=6))
    assert len(sender.to("a2")) == 1 and len(sender.to("a1")) == 1


async def test_paused_and_left_tracks_get_no_checkins(app, bot, clock):
    sender = RecordingSender()
    bot.say("/skill track mlops", user="p")
    bot.say("/skill pause", user="p")
    bot.say("/skill track genai", user="l")
    leave(bot, "l")
    clock.now += timedelta(days=7)
    await tick(app, sender, clock.now)
    assert sender.sent == []
