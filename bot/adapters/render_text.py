"""Render a neutral Reply as plain terminal text (the console adapter's look)."""
from __future__ import annotations

import re

from bot.core.model import Link, Reply
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


LINKS_HEADING = "Learn more"


def link_line(link: Link) -> str:
    """title (note): url -- the console shows the address, which a terminal makes clickable."""
    note = f" ({plain(link.note)})" if link.note else ""
    return f"{plain(link.title)}{note}: {link.url}"


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
    if reply.links:
        lines += [LINKS_HEADING + ":", *(f"- {link_line(link)}" for link in reply.links), ""]
    for number, button in enumerate(reply.buttons, start=1):
        lines.append(f"  [{number}] {plain(button.label)}")
    if reply.footer:
        lines.append(plain(reply.footer))
    return "\n".join(lines).rstrip() + "\n"


def _safe_cut(text: str, limit: int) -> int:
    """A cut position <= limit that does not split an &entity; or a <@mention> (Slack and Discord both use them)."""
    cut = limit
    amp, lt = text.rfind("&", max(0, cut - 6), cut), text.rfind("<", max(0, cut - 40), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    if lt != -1 and ">" not in text[lt:cut]:
        cut = min(cut, lt)
    return cut if cut > 0 else limit


def split_text(text: str, limit: int) -> list[str]:
    """Split rendered text into chunks <= limit, at line breaks where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            space = line.rfind(" ", 0, limit)
            cut = space if space > limit // 2 else _safe_cut(line, limit)
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [c for c in chunks if c.strip()]
