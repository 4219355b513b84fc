"""content/asks/<skill>.yaml: how learners ask about each topic, in their own words.

Keywords are the names learners type; these are whole phrasings: casual lines, newcomer questions, problems
described without the topic's name ("my script only uses one of the eight gpus") and long posts whose need
sits among incidental tools. They are never shown and never matched word for word: the answer classifier
(bot/content/classifier.py) learns from them, as it learns from the quiz bank.
"""
from __future__ import annotations

import re
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.schema import Skill
from bot.content.side_files import read_mapping

ASKS_DIR = "asks"
ASK_MAX_CHARS = 800
# shown nowhere, but kept plain all the same: no mentions, links or markup in training text
_NOT_PLAIN = re.compile(r"@\w|<[!@#a-z/]|https?://", re.IGNORECASE)


def load_asks(directory: Path, skills: list[Skill], errors: list[ContentError]) -> dict[str, tuple[str, ...]]:
    """topic id -> its phrasings; every problem is added to errors with the file and topic it concerns."""
    folder = directory / ASKS_DIR
    if not folder.is_dir():
        return {}
    topics_of = {skill.id: {t.id for t in skill.topics} for skill in skills}
    out: dict[str, tuple[str, ...]] = {}
    seen: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        file = f"{ASKS_DIR}/{path.name}"
        data = read_mapping(path, "skill and asks", errors)
        if not data:
            continue
        if data.get("skill") != path.stem or path.stem not in topics_of:
            errors.append(ContentError(file, "skill", f"expected skill: {path.stem}, a skill id matching the file name"))
            continue
        asks = data.get("asks")
        if not isinstance(asks, dict):
            errors.append(ContentError(file, "asks", "expected a mapping of topic id to a list of phrasings"))
            continue
        for topic_id, phrasings in asks.items():
            if topic_id not in topics_of[path.stem]:
                errors.append(ContentError(file, str(topic_id), f"no topic of {path.stem} has this id"))
                continue
            if not isinstance(phrasings, list) or not phrasings:
                errors.append(ContentError(file, str(topic_id), "expected a non-empty list of phrasings"))
                continue
            kept: list[str] = []
            for i, raw in enumerate(phrasings):
                where, text = f"{topic_id}[{i}]", str(raw).strip()
                key = " ".join(text.lower().split())
                if not text or len(text) > ASK_MAX_CHARS or _NOT_PLAIN.search(text):
                    errors.append(ContentError(file, where, f"a phrasing is plain text of 1 to {ASK_MAX_CHARS} "
                                                            "characters, without mentions, links or markup"))
                elif key in seen:
                    errors.append(ContentError(file, where, f"listed twice (also under {seen[key]})"))
                else:
                    seen[key] = where
                    kept.append(text)
            out[topic_id] = tuple(kept)
    return out
