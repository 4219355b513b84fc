"""Conformance scenarios: the same conversation, the same expectations, on every adapter.

A driver speaks as a user on one platform and returns what that user would see, as plain text
(formatting markers removed, whitespace squeezed). Buttons can only be pressed if the bot really
showed them to that user in its last reply; `press_as` lets another user press the same button.
"""
from __future__ import annotations

import re
from typing import Protocol


class Driver(Protocol):
    async def say(self, text: str, user: str = "alice") -> str: ...

    async def press(self, label: str, user: str = "alice") -> str:
        """Press a button (by label) from the last reply `user` received."""

    async def press_as(self, label: str, owner: str, presser: str) -> str:
        """`presser` presses the button with `label` from `owner`'s last reply."""

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database."""


def visible(text: str) -> str:
    """Drop formatting markers so Block Kit, embeds and plain text compare alike."""
    text = re.sub(r"[*_`~>]", "", text)
    return " ".join(text.split())


def expect(text: str, *needles: str) -> None:
    seen = visible(text)
    for needle in needles:
        assert visible(needle).lower() in seen.lower(), f"expected {needle!r} in:\n{seen}"


def refuse(text: str, *needles: str) -> None:
    seen = visible(text)
    for needle in needles:
        assert visible(needle).lower() not in seen.lower(), f"did not expect {needle!r} in:\n{seen}"


async def skill_card(d: Driver) -> None:
    out = await d.say("/skill mlops")
    expect(out, "MLOps", "Entry level", "Senior level", "/skill track mlops")


async def typo(d: Driver) -> None:
    out = await d.say("/skill kubernets")
    expect(out, "Did you mean", "Kubernetes")


async def not_found(d: Driver) -> None:
    out = await d.say("/skill zxqv blorp")
    expect(out, "I don't know that yet", "mlops", "responsible-ai")


async def track_flow(d: Driver) -> None:
    expect(await d.say("/skill track mlops"), "MLOps", "Week 1")
    expect(await d.say("/skill progress"), "step 1 of")
    expect(await d.say("/skill done read the docs"), "Done: week 1", "Week 2")
    expect(await d.say("/skill progress"), "step 2 of", "Steps done", "1")


async def confirmation_buttons(d: Driver) -> None:
    await d.say("/skill track mlops")
    expect(await d.say("/skill track genai"), "Switch from MLOps")
    refused = await d.press_as("Switch to", owner="alice", presser="bob")
    expect(refused, "belongs to someone else")
    expect(await d.press("Switch to"), "You're on the track", "Week 1")
    expect(await d.press("Switch to"), "already on")
    expect(await d.say("/skill progress"), "step 1 of")


async def button_after_restart(d: Driver) -> None:
    await d.say("/skill track mlops")
    expect(await d.say("/skill track data engineering"), "Switch from MLOps")
    await d.restart()
    expect(await d.press("Switch to"), "Week 1")
    expect(await d.say("/skill progress"), "Data engineering")


async def mention_injection(d: Driver) -> None:
    out = await d.say("/skill qqzx @everyone <!here> <@&123>")
    expect(out, "I don't know that yet")


async def skill_card_buttons(d: Driver) -> None:
    """Every button on a skill card does what it says."""
    out = await d.say("/skill mlops")
    expect(out, "All topics", "Start the track", "Helpful", "content reviewed Nov 2026")
    expect(await d.press("All topics"), "MLOps: all 14 topics", "Model monitoring & data drift")
    opened = await d.press("Experiment tracking")
    expect(opened, "Experiment tracking · MLOps", "https://", "Also see", "content reviewed")
    expect(await d.press("Start the track"), "You're on the track", "Week 1")


async def answer_buttons(d: Driver) -> None:
    """A topic answer: resources as links, Also see and Read more open topics, 👍/👎 are thanked."""
    out = await d.say("/skill how do I detect data drift in production?")
    expect(out, "Model monitoring", "https://", "Also see", "Helpful", "Not helpful")
    expect(await d.press("Read more"), "rather than every column, or the alerts will be ignored")
    expect(await d.press("Also see"), "content reviewed", "more: /skill")
    expect(await d.press("👍"), "glad it helped")
    expect(await d.press("👎"), "passed the question on")


async def did_you_mean_buttons(d: Driver) -> None:
    out = await d.say("/skill what is recall at k?")
    expect(out, "Did you mean", "Recommenders", "Vector databases")
    expect(await d.press("Vector databases"), "Vector databases", "Generative AI")


async def answer_buttons_after_restart(d: Driver) -> None:
    """Buttons carry what they mean: they work after a restart, and an old one for a topic that
    has since left the content is answered kindly."""
    await d.say("/skill how do I detect data drift in production?")
    await d.restart()
    expect(await d.press("👎"), "passed the question on")
    expect(await d.press("Also see"), "content reviewed")
    await d.say("/skill mlops")
    mlops = d.catalog.skill("mlops")  # type: ignore[attr-defined]
    kept = [t for t in mlops.topics if t.id != "mlops-lifecycle"]
    d.catalog = d.catalog.with_skills(tuple(  # type: ignore[attr-defined]
        s.model_copy(update={"topics": kept}) if s.id == "mlops" else s for s in d.catalog.skills))  # type: ignore[attr-defined]
    await d.restart()
    expect(await d.press("From notebook"), "That topic has moved on", "Open MLOps")


# -- first contact ---------------------------------------------------------------------------
async def greeting_gets_a_welcome(d: Driver) -> None:
    for greeting in ("/skill hi", "/skill Hello!", "/skill help me", "/skill where do I start?"):
        out = await d.say(greeting)
        expect(out, "I'm Skillbot", "MLOps", "Responsible AI", "Set my check-in time", "What is this bot?")
        refuse(out, "I don't know that yet")
    expect(await d.press("What is this bot?"), "What is Skillbot?", "/skill track")


async def welcome_picks_a_track(d: Driver) -> None:
    expect(await d.say("/skill where do I start"), "I'm Skillbot")
    expect(await d.press("MLOps"), "You're on the track: MLOps", "Week 1", "When should your weekly check-in come?",
           "Mon 09:00")
    expect(await d.say("/skill progress"), "MLOps track: step 1 of")


async def bare_skill_from_someone_new(d: Driver) -> None:
    expect(await d.say("/skill"), "I'm Skillbot", "Set my check-in time")
    expect(await d.press("Set my check-in time"), "When should your weekly check-in come?", "Wed 12:30")
    out = await d.say("/skill")  # met now: the usual help
    expect(out, "/skill track", "/skill progress")
    refuse(out, "Set my check-in time")


async def first_command_is_answered_with_a_hint(d: Driver) -> None:
    expect(await d.say("/skill mlops"), "Entry level", "Senior level", "New here?")
    refuse(await d.say("/skill genai"), "New here?")


async def joining_asks_for_the_checkin_time(d: Driver) -> None:
    out = await d.say("/skill track mlops")
    expect(out, "You're on the track: MLOps", "When should your weekly check-in come?", "Fri 16:00")
    expect(await d.press("Fri 16:00"), "Check-in schedule saved", "Every Friday 16:00")
    refuse(await d.say("/skill track genai"), "When should your weekly check-in come?")  # asked once, answered


async def time_zone_suggestions(d: Driver) -> None:
    expect(await d.say("/skill schedule mon 09:00 EST"), "EST → America/New_York: clocks change in summer; use it?")
    expect(await d.press("Use America/New_York"), "Check-in schedule saved", "Every Monday 09:00 (America/New_York)")
    expect(await d.say("/skill schedule mon 9:00 PST"), "PST → America/Los_Angeles")
    expect(await d.say("/skill schedule fri 17:30 berlin"), "berlin → Europe/Berlin; use it?")
    expect(await d.press("Use Europe/Berlin"), "Every Friday 17:30 (Europe/Berlin)")
    expect(await d.say("/skill schedule mon 9:00 UTC+2"), "UTC+2 → Etc/GMT-2", "fixed offset")
    expect(await d.say("/skill schedule mon 9:00 America/New York"), "America/New York → America/New_York")
    expect(await d.say("/skill schedule tokyo"), "tokyo → Asia/Tokyo")
    expect(await d.press("Use Asia/Tokyo"), "Every Friday 17:30 (Asia/Tokyo)")  # the zone alone keeps day and time


# -- safe verbs ------------------------------------------------------------------------------
async def leave_asks_first(d: Driver) -> None:
    await d.say("/skill track mlops")
    for verb in ("leave", "quit", "stop"):
        expect(await d.say(f"/skill {verb}"), "Leave the MLOps track?", "Leave the track", "Stay on MLOps")
    expect(await d.press("Stay on MLOps"), "nothing changed")
    expect(await d.say("/skill progress"), "MLOps track: step 1 of")
    await d.say("/skill done")
    await d.say("/skill quit")
    expect(await d.press("Leave the track"), "You left the MLOps track")
    expect(await d.say("/skill progress"), "You left the MLOps track at week 2", "/skill track mlops")


async def done_names_the_week_and_offers_undo(d: Driver) -> None:
    await d.say("/skill track mlops")
    expect(await d.say("/skill done"), "Done: week 1 of MLOps")
    out = await d.say("/skill finished week 1")
    expect(out, "Done: week 2 of MLOps", "You wrote “week 1”", "so I marked week 2", "Your note: “week 1”")
    expect(await d.press("Undo"), "Undone: week 2 of MLOps is open again")
    expect(await d.say("/skill progress"), "step 2 of")
    expect(await d.say("/skill undo"), "Undone: week 1 of MLOps")
    expect(await d.say("/skill undo"), "nothing to undo")


async def done_while_paused_asks_to_resume(d: Driver) -> None:
    await d.say("/skill track mlops")
    await d.say("/skill pause")
    out = await d.say("/skill done read the MLflow docs")
    expect(out, "Done: week 1 of MLOps", "Your note: “read the MLflow docs”", "paused", "Resume them?")
    expect(await d.press("Resume check-ins"), "Welcome back to MLOps")
    refuse(await d.say("/skill progress"), "Check-ins are paused")


async def export_is_valid_json(d: Driver) -> None:
    import json
    await d.say("/skill track mlops")
    await d.say('/skill done "quoted" back\\slash `tick` *stars* _under_ <b>')
    out = await d.say("/skill export")
    expect(out, "1 track, 1 step", "skillbot-export.json")
    start, end = out.index("{"), out.rindex("}") + 1
    data = json.loads(out[start:end])
    assert data["enrollments"][0]["track"] == "mlops"


ALL = [skill_card, typo, not_found, track_flow, confirmation_buttons, button_after_restart, mention_injection,
       skill_card_buttons, answer_buttons, did_you_mean_buttons, answer_buttons_after_restart,
       greeting_gets_a_welcome, welcome_picks_a_track, bare_skill_from_someone_new,
       first_command_is_answered_with_a_hint, joining_asks_for_the_checkin_time, time_zone_suggestions,
       leave_asks_first, done_names_the_week_and_offers_undo, done_while_paused_asks_to_resume,
       export_is_valid_json]
