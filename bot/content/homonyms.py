"""content/homonyms.yaml: names of ours that are also everyday words, with the words that give the everyday
sense away ("rust": pan, skillet, bike chain...; "kafka": novel, metamorphosis...).

Search uses them the way a reader does (after Lesk's dictionary method): when a question's only claim to
being ours is such a name and one of its everyday cues stands next to it, the question is about the other
world and gets the friendly refusal. Keys are made of words of the content's names; each value is a line of
single lowercase cue words (a line, not a YAML list: the file parses ten times faster).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.glossary import topic_names
from bot.content.schema import Skill
from bot.content.side_files import read_mapping

HOMONYMS_FILE = "homonyms.yaml"
_CUE = re.compile(r"^(?=[a-z0-9'-]*[a-z])[a-z0-9][a-z0-9'-]*$")
_WORD = re.compile(r"[a-z0-9+#]+")


def _name_words(skills: Iterable[Skill], glossary: dict[str, str]) -> set[str]:
    """Every word of every name the content answers to."""
    names = [*glossary, *topic_names(skills)]
    names += [name for skill in skills for name in (skill.id, skill.title, *skill.aliases)]
    return {w for name in names for w in _WORD.findall(name.lower())}


def load_homonyms(directory: Path, skills: list[Skill], glossary: dict[str, str],
                  errors: list[ContentError]) -> dict[str, frozenset[str]]:
    """name -> its everyday cues; every problem is added to errors with the name it concerns."""
    data = read_mapping(directory / HOMONYMS_FILE, "a name to its cue words", errors)
    known = _name_words(skills, glossary)
    out: dict[str, frozenset[str]] = {}
    for raw, cues in data.items():
        name = str(raw).strip().lower()
        if not name or any(w not in known for w in _WORD.findall(name)):
            errors.append(ContentError(HOMONYMS_FILE, name, "not made of words the content's names use (titles, "
                                                        "keywords, tools, aliases, glossary terms)"))
            continue
        words = cues.split() if isinstance(cues, str) else []
        if not words:
            errors.append(ContentError(HOMONYMS_FILE, name, "expected a non-empty line of cue words"))
            continue
        bad = [c for c in words if not _CUE.match(c)]
        if bad:
            errors.append(ContentError(HOMONYMS_FILE, name, f"cues are single lowercase words: {bad[:5]}"))
            continue
        out[name] = frozenset(words)
    return out
