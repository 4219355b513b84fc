"""Placement through the console: the adaptive quiz, its buttons, the matrix and its picture, export and forget-me."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from bot.app import build_app
from bot.content.loader import Catalog
from bot.placement import adaptive
from bot.settings import Settings
from tests.conftest import BotDriver

QUESTION = re.compile(r"assessment · question (\d+)")


@pytest.fixture(autouse=True)
def _pictures_in_tmp(bot, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # console sessions save attachments in the current folder


def options(out: str) -> list[str]:
    return re.findall(r"^\s+\[(\d+)\] (.+)$", out, re.MULTILINE)


def current_question(catalog: Catalog, out: str):
    """The question on screen, found by its text in the bank."""
    return next(q for q in catalog.questions if q.question in out)


def take(bot: BotDriver, catalog: Catalog, skill: str, right, user: str = "alice") -> list[str]:
    """Answer the quiz by number; `right(question, n)` says whether to answer question n correctly."""
    out = bot.say(f"/skill assess {skill}", user=user)
    transcript = [out]
    for n in range(1, 12):
        assert QUESTION.search(out), out
        question = current_question(catalog, out.split("assessment · question")[-1])
        choice = question.answer if right(question, n) else (question.answer + 1) % len(question.options)
        out = bot.say(str(choice + 1), user=user)
        transcript.append(out)
        if "Level:" in out:
            return transcript
    raise AssertionError("the quiz never ended")


def test_assess_shows_numbered_options_gives_feedback_and_ends_with_a_level(bot, catalog):
    first = bot.say("/skill assess mlops")
    assert "MLOps assessment · question 1" in first
    assert [n for n, _ in options(first)] in (["1", "2", "3"], ["1", "2", "3", "4"])
    assert current_question(catalog, first).level == "mid"  # it starts at mid

    transcript = take(bot, catalog, "mlops", lambda q, n: q.level != "senior", user="bob")
    answers = transcript[1:]
    assert 6 <= len(answers) <= 10
    for out in answers:  # feedback on every answer, with the explanation
        assert ("Right." in out) or ("Not quite." in out)
    last = answers[-1]
    assert "Level: mid" in last
    assert re.search(r"\d+ of \d+ right; missed: ", last)
    labels = [label for _, label in options(last)]
    assert labels[0].startswith("Start the track at week ") and labels[1:] == ["Retake in 14 days", "See my matrix"]


def test_levels_move_up_after_right_and_down_after_wrong(bot, catalog):
    seen = []

    def alternate(question, n):
        seen.append(question.level)
        return n % 2 == 1

    take(bot, catalog, "genai", alternate)
    assert seen[:4] == ["mid", "senior", "mid", "senior"]


def test_all_right_is_senior_all_wrong_is_new_and_no_question_repeats(bot, catalog):
    for user, right, level in (("ann", True, "senior"), ("ben", False, "new")):
        asked = []

        def answer(question, n, right=right, asked=asked):
            asked.append(question.id)
            return right

        transcript = take(bot, catalog, "cloud", answer, user=user)
        assert f"Level: {level}" in transcript[-1]
        assert len(asked) == len(set(asked))


def test_two_users_with_the_same_answers_get_the_same_level(bot, catalog):
    pattern = lambda q, n: n in (1, 3, 4, 7, 8)
    one = take(bot, catalog, "ml", pattern, user="dana")
    two = take(bot, catalog, "ml", pattern, user="eli")
    level = lambda t: re.search(r"Level: (\w+)", t[-1]).group(1)
    assert level(one) == level(two)
    assert [current_question(catalog, o).id for o in one[:-1]] == [current_question(catalog, o).id for o in two[:-1]]


def test_start_the_track_at_the_first_missed_week_moves_the_track(bot, catalog):
    transcript = take(bot, catalog, "mlops", lambda q, n: n not in (2,))
    week = int(re.search(r"Start the track at week (\d+)", transcript[-1]).group(1))
    out = bot.say("1")
    assert f"at week {week}" in out
    progress = bot.say("/skill progress")
    assert f"step {week} of {len(catalog.skill('mlops').track)}" in progress


def test_retake_refuses_kindly_before_14_days_then_starts_again(bot, catalog, app):
    take(bot, catalog, "math", lambda q, n: True)
    out = bot.say("2")  # Retake in 14 days
    assert "You can retake it from" in out and "question 1" not in out
    assert "You can retake it from" in bot.say("/skill assess math")
    app.deps.clock.now += timedelta(days=14)
    assert "Math & statistics assessment · question 1" in bot.say("/skill assess math")


def test_an_abandoned_assessment_can_be_resumed_or_restarted(bot, catalog):
    first = bot.say("/skill assess mlops")
    question = current_question(catalog, first)
    second = bot.say(str(question.answer + 1))
    assert "question 2" in second
    bot.say("/skill help")  # wander off
    out = bot.say("/skill assess mlops")
    assert "unfinished MLOps assessment" in out and "1 question answered" in out
    assert "question 2" in bot.say("1")  # Resume
    bot.say("/skill help")
    bot.say("/skill assess mlops")
    assert "question 1" in bot.say("2")  # Start over


def test_stale_and_double_pressed_buttons_are_refused_kindly(bot, catalog):
    first = bot.say("/skill assess mlops")
    session = bot.session("alice")
    old_buttons = list(session.buttons)
    bot.say("1")  # answered
    session.buttons = old_buttons
    again = bot.say("1")  # the same button once more
    assert "You already answered that one" in again and "question 2" in again
    bot.say("/skill assess mlops")
    bot.say("2")  # start over: the old quiz is abandoned
    session.buttons = old_buttons
    stale = bot.say("1")
    assert "over or was started again" in stale
    assert "Sorry" not in first + again + stale


def test_someone_elses_quiz_button_is_refused(bot, catalog):
    bot.say("/skill assess mlops")
    buttons = list(bot.session("alice").buttons)
    bot.say("/skill help", user="mallory")
    bot.session("mallory").buttons = buttons
    assert "belongs to someone else" in bot.say("1", user="mallory")


def test_matrix_shows_the_level_and_saves_a_png(bot, catalog, tmp_path):
    take(bot, catalog, "mlops", lambda q, n: q.level != "senior")
    out = bot.say("/skill matrix")
    mlops = next(line for line in out.splitlines() if line.startswith("- MLOps"))
    assert "mid (2026-11-24)" in mlops
    assert "Math & statistics: not assessed" in out
    saved = re.search(r"\[image saved: (.+)\]", out).group(1)
    image = Image.open(io.BytesIO((tmp_path / saved).read_bytes()))
    image.load()
    assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 11 * 30
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert len(colours) > 20  # not blank: text, bars and stripes
    mid_teal = (42, 157, 143)
    assert any(colour == mid_teal for _, colour in colours)  # the mid bar is drawn


def test_matrix_marks_track_progress(bot, catalog):
    bot.say("/skill track mlops")
    bot.say("/skill done")
    out = bot.say("/skill matrix")
    assert "MLOps: not assessed · track: week 2 of" in out


def test_export_contains_the_assessment_and_forget_me_removes_it(bot, catalog, app):
    take(bot, catalog, "mlops", lambda q, n: True)
    (assessment,) = bot.export()["assessments"]
    assert assessment["skill"] == "mlops" and assessment["level"] == "senior"
    assert len(assessment["answers"]) >= adaptive.MIN_QUESTIONS
    assert all(a["correct"] for a in assessment["answers"])
    user = app.deps.tracks.find_user(bot.session("alice").user)
    bot.say("/skill forget-me")
    bot.say("1")
    assert app.deps.assessments.history(user.id) == []
    assert app.deps.assessments.latest_level(user.id, "mlops") is None


def test_forget_me_removes_assessments_on_postgres(pg_url, catalog, clock, tmp_path, monkeypatch):
    app = build_app(Settings(DATABASE_URL=pg_url), catalog=catalog, clock=clock)
    try:
        driver = BotDriver(app, tmp_path)
        take(driver, catalog, "mlops", lambda q, n: n % 2 == 0)
        user = app.deps.tracks.find_user(driver.session("alice").user)
        assert app.deps.assessments.latest_level(user.id, "mlops") is not None
        assert driver.export()["assessments"]
        driver.say("/skill forget-me")
        driver.say("1")
        assert app.deps.assessments.history(user.id) == []
    finally:
        app.engine.dispose()


def test_latest_level_is_the_newest_finished_result(bot, catalog, app):
    take(bot, catalog, "mlops", lambda q, n: False)
    user = app.deps.tracks.find_user(bot.session("alice").user)
    assert app.deps.assessments.latest_level(user.id, "mlops") == "new"
    assert app.deps.assessments.latest_level(user.id, "genai") is None
    app.deps.clock.now += timedelta(days=15)
    take(bot, catalog, "mlops", lambda q, n: True)
    assert app.deps.assessments.latest_level(user.id, "mlops") == "senior"


def test_assess_without_a_skill_or_with_an_unknown_one_is_answered_kindly(bot):
    assert "Which skill?" in bot.say("/skill assess")
    out = bot.say("/skill assess underwater basket weaving")
    assert "Tracks:" in out and "Sorry" not in out
