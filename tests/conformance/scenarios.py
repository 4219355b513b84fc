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


ALL = [skill_card, typo, not_found, track_flow, confirmation_buttons, button_after_restart, mention_injection,
       skill_card_buttons, answer_buttons, did_you_mean_buttons, answer_buttons_after_restart]
