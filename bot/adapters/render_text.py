"""Render a neutral Reply as plain terminal text (the console adapter's look)."""
from __future__ import annotations

import re

from bot.core.model import Reply
from bot.core.text import Mention, split_mentions

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`\n]+)`")


def plain(text: str) -> str:
    """Drop the markdown subset's markers; mentions become @name."""
    out = []
    for piece in split_mentions(text):
        out.append(f"@{piece.name}" if isinstance(piece, Mention) else piece)
    text = "".join(out).replace("```\n", "").replace("\n```", "")
    return _CODE.sub(r"\1", _BOLD.sub(r"\1", text))


def render(reply: Reply) -> str:
    lines: list[str] = []
    if reply.title:
        lines += [plain(reply.title), "=" * min(len(plain(reply.title)), 60)]
    for section in reply.sections:
        if section:
            lines += [plain(section), ""]
    for field in reply.fields:
        value = plain(field.value)
        lines.append(f"{plain(field.name)}: {value}" if "\n" not in value else f"{plain(field.name)}:\n{value}")
    if reply.fields:
        lines.append("")
    for number, button in enumerate(reply.buttons, start=1):
        lines.append(f"  [{number}] {plain(button.label)}")
    if reply.footer:
        lines.append(plain(reply.footer))
    return "\n".join(lines).rstrip() + "\n"
