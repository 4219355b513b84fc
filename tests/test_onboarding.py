"""First contact, safe verbs and time zones through the console adapter (the conformance suite runs the
shared transcripts on Slack and Discord too)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.model import Reply
from bot.core.timezones import ZoneSuggestion, parse_zone


def next_checkin(app, user: str = "alice"):
    from bot.adapters.console import console_user
    record = app.deps.tracks.find_user(console_user(user))
    return app.deps.tracks.current(record.id).next_checkin_at


def test_a_welcome_comes_once_and_a_first_question_is_answered_not_swallowed(bot):
    first = bot.say("/skill what is lora", user="new")
    assert "LoRA" in first and "New here?" in first and "I'm Skillbot" not in first
    assert "New here?" not in bot.say("/skill what is lora", user="new")
    assert "I'm Skillbot" in bot.say("hello!", user="new"), "a greeting is welcomed whenever it comes"


def test_first_checkin_is_at_least_three_days_after_joining(app, bot, clock):
    # The clock is Tuesday 24 Nov 10:00 UTC; Wednesday 09:00 is a day away, so the first one is a week later.
    bot.say("/skill schedule wed 09:00 UTC")
    bot.say("/skill track mlops")
    assert next_checkin(app) == datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    bot.say("/skill schedule thu 09:00 UTC")  # changed on day one: still the 3 days' grace
    assert next_checkin(app) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    bot.say("/skill schedule fri 12:00 UTC")  # Friday 27 Nov is 3 days and 2 hours after joining
    assert next_checkin(app) == datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_a_new_track_has_no_streak(bot):
    bot.say("/skill track mlops")
    assert "Streak: 0 weeks" in bot.say("/skill progress")
    bot.say("/skill done")
    assert "Streak: 1 week" in bot.say("/skill progress")


def test_export_file_is_valid_json_whatever_the_note(bot, tmp_path):
    bot.say("/skill track mlops")
    bot.say('/skill done `code` "quotes" back\\\\slash **bold** ``` fence <@U1> @everyone')
    out = bot.say("/skill export")
    assert "[file saved: skillbot-export.json]" in out
    data = json.loads((tmp_path / "skillbot-export.json").read_text())
    assert "`code`" in data["enrollments"][0]["steps"][0]["note"]


@pytest.mark.parametrize(("typed", "zone"), [
    ("EST", "America/New_York"), ("pst", "America/Los_Angeles"), ("UTC+2", "Etc/GMT-2"), ("GMT-5", "Etc/GMT+5"),
    ("berlin", "Europe/Berlin"), ("America/New York", "America/New_York"), ("new york", "America/New_York"),
    ("bangalore", "Asia/Kolkata"),
])
def test_zone_suggestions(typed, zone):
    with pytest.raises(ZoneSuggestion) as suggestion:
        parse_zone(typed)
    assert suggestion.value.zone == zone and suggestion.value.question.startswith(f"{typed} → {zone}")


def test_exact_zones_need_no_confirmation():
    assert parse_zone("Europe/Berlin") == "Europe/Berlin" and parse_zone("america/new_york") == "America/New_York"
    assert parse_zone("UTC") == "UTC"


def test_discord_footers_are_plain_text():
    from bot.adapters.discord_render import render
    embed = render(Reply(title="t", sections=("s",), footer="Finished? `/skill done` **now**"))[0].embeds[-1]
    assert embed.footer.text == "Finished? /skill done now"


def test_an_undo_after_a_day_is_refused(bot, clock):
    bot.say("/skill track mlops")
    bot.say("/skill done")
    clock.now += timedelta(hours=25)
    out = bot.say("/skill undo")
    assert "more than 24 hours old" in out and "step 2 of" in bot.say("/skill progress")
