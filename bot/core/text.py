"""Cleaning user text on the way in, and neutral mentions that each adapter renders its own way."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

MAX_INPUT_CHARS = 2000
_MENTION_MARK = "\x1f"
_MENTION_RE = re.compile(r"\x1f([^\x1f|]+)\|([^\x1f]*)\x1f")


def sanitize(text: str, limit: int = MAX_INPUT_CHARS) -> str:
    """NFKC-normalise, drop control and format characters, squeeze whitespace, cap the length.

    Dropping control characters also means a user can never forge a neutral mention.
    """
    text = unicodedata.normalize("NFKC", text or "")
    kept = [" " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"]
    return " ".join("".join(kept).split())[:limit].strip()


def mention(user_id: str, name: str) -> str:
    """A neutral mention of one user; renderers turn it into <@U1>, <@123> or @name."""
    clean_name = sanitize(name, 80).replace("|", "/") or user_id
    return f"{_MENTION_MARK}{sanitize(user_id, 80)}|{clean_name}{_MENTION_MARK}"


@dataclass(frozen=True)
class Mention:
    user_id: str
    name: str


def split_mentions(text: str) -> Iterator[str | Mention]:
    """Yield plain text pieces and Mention objects in order."""
    pos = 0
    for match in _MENTION_RE.finditer(text):
        if match.start() > pos:
            yield text[pos : match.start()]
        yield Mention(match.group(1), match.group(2))
        pos = match.end()
    if pos < len(text):
        yield text[pos:]


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text progress bar that renders the same everywhere: ▰▰▰▱▱▱▱▱▱▱ 30%."""
    total = max(total, 1)
    filled = round(width * done / total)
    return "▰" * filled + "▱" * (width - filled) + f" {round(100 * done / total)}%"
