"""The /skill grammar, parsed once: a verb and its argument text.

A first word that is a known verb is a subcommand; anything else is a question. A verb whose
arguments do not fit (e.g. "/skill track record keeping") is left to the handler, which may fall
back to answering it as a question, so a skill named like a subcommand still resolves.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.commands import NO_ARGS, VERBS


@dataclass(frozen=True)
class Parsed:
    verb: str  # one of VERBS' values, or "question" / "empty"
    args: str
    raw: str


def parse(text: str) -> Parsed:
    """Split sanitised text after /skill into a verb and its arguments."""
    text = text.strip()
    if text.lower().startswith("/skill"):
        text = text[len("/skill"):].strip()
    if not text:
        return Parsed("empty", "", text)
    first, _, rest = text.partition(" ")
    verb = VERBS.get(first.lower())
    if verb is None:
        return Parsed("question", text, text)
    if verb in NO_ARGS and rest and not (verb == "forget-me" and rest.lower() == "me"):
        # "/skill help with pandas", "/skill stop overfitting": a question, not a subcommand.
        return Parsed("question", text, text)
    return Parsed(verb, rest.strip(), text)
