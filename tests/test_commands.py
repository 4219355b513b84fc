"""Every /skill command through the console adapter, including bad input."""
from __future__ import annotations

import json

import pytest


def test_help_and_empty(bot):
    bot.say("/skill list")  # someone the bot has met (a bare /skill from someone new is welcomed instead)
    for text in ("/skill", "/skill help", "   "):
        out = bot.say(text)
        assert "/skill track" in out and "/skill progress" in out


def test_list_shows_all_skills(bot, catalog):
    out = bot.say("/skill list")
    for skill in catalog.skills:
        assert skill.id in out


def test_skill_card(bot):
    out = bot.say("/skill mlops")
    assert out.startswith("MLOps")
    assert "Entry level" in out and "Mid level" in out and "Senior level" in out
    assert "/skill track mlops" in out


def test_alias_gives_card(bot):
    assert bot.say("/skill ml ops").startswith("MLOps")


def test_topic_card_with_also_see(bot):
    out = bot.say("/skill how do I detect data drift in production?")
    assert "MLOps" in out and "Also see" in out


def test_typo_did_you_mean(bot):
    out = bot.say("/skill kubernets")
    assert "Did you mean" in out and "Kubernetes" in out


def test_not_found_lists_skills(bot, catalog):
    out = bot.say("/skill zxqv blorp")
    assert "I don't know that yet" in out
    assert all(s.id in out for s in catalog.skills)


def test_huge_input(bot):
    out = bot.say("/skill " + "drift " * 2000)  # ~12 kB
    assert out.strip() and "Traceback" not in out
    assert len(out) < 20000


@pytest.mark.parametrize("text", [
    "/skill \x00\x07\x1b[31mmlops\x1b[0m", "/skill ｍｌｏｐｓ", "/skill \u202emlops\u202c", "/skill 🤖🧠",
    "/skill \x1fU1|x\x1f", "/skill Ω≈ç√∫", "/skill \ud7ff",
])
def test_odd_unicode_and_control_characters(bot, text):
    out = bot.say(text)
    assert out.strip()
    assert "\x00" not in out and "\x1b" not in out and "\x1f" not in out
    assert "Sorry, something went wrong" not in out


def test_fullwidth_still_resolves(bot):
    assert bot.say("/skill ｍｌｏｐｓ").startswith("MLOps")


def test_track_flow(bot):
    out = bot.say("/skill track mlops")
    assert "MLOps" in out and "Week 1" in out and "Next check-in" in out
    assert "step 1 of" in bot.say("/skill progress")
    out = bot.say("/skill done read the MLflow docs")
    assert "Done: week 1" in out and "Week 2" in out
    out = bot.say("/skill skip")
    assert "Skipped: week 2" in out
    out = bot.say("/skill progress")
    assert "step 3 of" in out and "Steps done: 1" in out and "Skipped: 1" in out
    assert "Streak: 1 week" in out


def test_finish_track_congratulates_and_suggests(bot, catalog):
    bot.say("/skill track ml")
    steps = len(catalog.skill("ml").track)
    for _ in range(steps - 1):
        bot.say("/skill done")
    out = bot.say("/skill done")
    assert "You finished the Machine learning track" in out and "Suggested next" in out
    assert "finished" in bot.say("/skill progress")
    assert "You've finished the Machine learning track" in bot.say("/skill done")


def test_switch_keeps_progress_and_resumes(bot):
    bot.say("/skill track mlops")
    bot.say("/skill done")
    out = bot.say("/skill track genai")
    assert "Switch from MLOps" in out and "[1]" in out
    assert "Week 1" in bot.say("1")
    bot.say("/skill track mlops")
    out = bot.say("1")
    assert "Welcome back" in out and "Week 2" in out


def test_confirmation_pressed_twice_and_by_someone_else(bot):
    bot.say("/skill track mlops")
    bot.say("/skill track cloud")
    alice = bot.session("alice")
    button = alice.buttons[0]
    bob = bot.session("bob")
    bob.buttons = [button]
    assert "belongs to someone else" in bob.say("1")
    assert "Week 1" in alice.say("1")
    alice.buttons = [button]
    assert "already on" in alice.say("1")


def test_stale_or_unknown_button(bot):
    from bot.core.model import Action, Command
    session = bot.session("alice")
    result = bot.app.bot.handle(Command(session.user, session.channel, action=Action("old.button", "x")))
    assert "expired" in result.replies[0].title
    result = bot.app.bot.handle(Command(session.user, session.channel, action=Action("track.switch", "garbage")))
    assert "no longer works" in result.replies[0].plain_text()


def test_unknown_track(bot):
    out = bot.say("/skill track underwater basket weaving")
    assert "I don't have a track" in out and "mlops" in out


def test_done_without_track(bot):
    for command in ("/skill done", "/skill skip", "/skill progress", "/skill pause", "/skill resume", "/skill leave"):
        assert "not on a track yet" in bot.say(command), command


def test_pause_resume_leave(bot):
    bot.say("/skill track cloud")
    assert "Paused" in bot.say("/skill pause")
    assert "Already paused" in bot.say("/skill pause")
    assert "paused" in bot.say("/skill progress").lower()
    assert "Welcome back" in bot.say("/skill resume")
    assert "already running" in bot.say("/skill resume")
    assert "Leave the Cloud & Containers track?" in bot.say("/skill leave")
    out = bot.say("Leave the track")
    assert "left the Cloud" in out and "/skill track cloud" in out
    assert "You left the Cloud & Containers track at week 1" in bot.say("/skill progress")


@pytest.mark.parametrize("args,expected", [
    ("mon 9:00", "Monday 09:00"),
    ("friday 17:30 Europe/Berlin", "Friday 17:30 (Europe/Berlin)"),
    ("tue 8am america/new_york", "Tuesday 08:00 (America/New_York)"),
])
def test_schedule_forms(bot, args, expected):
    out = bot.say(f"/skill schedule {args}")
    assert "Check-in schedule saved" in out and expected in out and "Next check-in" in out


@pytest.mark.parametrize("args,error", [
    ("funday 9:00", "weekday"), ("mon 25:00", "valid time"), ("mon 9:61", "valid time"),
    ("mon nine", "isn't a time"), ("mon 9:00 Mars/Olympus", "time zone"), ("mon", "weekday and a time"),
])
def test_schedule_bad_input(bot, args, error):
    assert error in bot.say(f"/skill schedule {args}")


def test_schedule_next_checkin_in_users_zone(bot, clock):
    # now is Tuesday 2026-11-24 10:00 UTC; Friday 17:30 Berlin is 16:30 UTC on the 27th
    out = bot.say("/skill schedule fri 17:30 Europe/Berlin")
    assert "Friday 27 November 2026, 17:30 CET" in out


def test_export_and_forget_me(bot):
    bot.say("/skill track mlops")
    bot.say("/skill done my note")
    out = bot.say("/skill export")
    data = json.loads(out[out.index("{"): out.rindex("}") + 1])
    assert data["enrollments"][0]["track"] == "mlops"
    assert data["enrollments"][0]["steps"][0]["note"] == "my note"
    out = bot.say("/skill forget-me")
    assert "Delete everything" in out
    assert "Deleted" in bot.say("1")
    bot.session("alice").buttons = [b for b in bot.session("alice").buttons] or []
    assert "nothing stored" in bot.say("/skill export")


def test_forget_me_pressed_twice(bot):
    bot.say("/skill track mlops")
    bot.say("/skill forget-me")
    button = bot.session("alice").buttons[0]
    assert "Deleted" in bot.say("1")
    bot.session("alice").buttons = [button]
    assert "Nothing to delete" in bot.say("1")


def test_subcommand_words_used_as_questions(bot):
    assert "MLOps" in bot.say("/skill help with mlflow experiment tracking")
    assert "don't know" not in bot.say("/skill stop overfitting")
