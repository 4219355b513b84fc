"""What a user can see and delete about themselves: `/skill export` is complete, and reading never
stores a forgotten user again."""
from __future__ import annotations

import json
from datetime import timedelta

from bot.adapters.console import console_channel, console_user
from bot.core.model import Action, Command
from tests.checkins_helpers import RecordingSender, tick


def exported(bot, user: str = "alice") -> dict:
    return bot.export(user)


async def test_export_holds_checkins_and_answers_milestones_and_administered_channels(bot, app, clock):
    bot.say("/skill team here", user="alice", channel="team-ml", admin=True)
    bot.say("/skill share on", user="alice", channel="team-ml")
    bot.say("/skill schedule tue 09:00 UTC", user="alice")
    bot.say("/skill track ml", user="alice", channel="team-ml")
    clock.now += timedelta(days=7)
    sender = RecordingSender()
    await tick(app, sender, clock.now)
    [checkin] = sender.to("alice")
    done = next(b for b in checkin.buttons if b.label.startswith("Done"))
    app.bot.handle(Command(console_user("alice"), console_channel("alice"), action=Action(done.action_id, done.value)))
    for _ in range(len(app.deps.catalog.skill("ml").track)):
        bot.say("/skill done finished it", user="alice", channel="team-ml")

    data = exported(bot)
    [delivery] = data["checkins"]
    assert delivery["track"] == "ml" and delivery["status"] == "sent" and delivery["answer"] == "done"
    assert delivery["week"] and delivery["sent_at"]
    assert [m["kind"] for m in data["milestones"]] and data["milestones"][0]["at"]
    [channel] = data["channels_you_administer"]
    assert channel["channel_id"] == "team-ml" and channel["digest_tz"] == "UTC"
    assert data["stored_profile"]["checkin_weekday"] == 1 and "created_at" in data["stored_profile"]
    assert data["team_sharing"] and data["enrollments"][0]["steps"][-1]["note"] == "finished it"
    assert "claimed_by" not in json.dumps(data)  # our bookkeeping, not a fact about alice


def test_reading_never_stores_a_forgotten_user(bot, app):
    bot.say("/skill track mlops", user="alice")
    bot.say("/skill forget-me", user="alice")
    assert "gone" in bot.say("1", user="alice")  # the first button: Delete my data
    for text in ("/skill progress", "/skill schedule", "/skill pause", "/skill resume", "/skill leave",
                 "/skill done", "/skill skip", "/skill export", "/skill share off", "/skill mlops"):
        bot.say(text, user="alice")
        assert app.deps.tracks.find_user(console_user("alice")) is None, text
    assert "(the default)" in bot.say("/skill schedule", user="alice")
    assert "nothing stored" in bot.say("/skill export", user="alice")
