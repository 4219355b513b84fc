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


ALL = [skill_card, typo, not_found, track_flow, confirmation_buttons, button_after_restart, mention_injection]
