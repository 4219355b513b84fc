"""content/glossary.yaml: the field's terms, each pointed at the one topic where a learner should start.

Keyword lists hold how learners *ask* about a topic and are kept short so cards stay readable; the glossary
holds the vocabulary of the field ("configmap", "type i error", "kv cache") so a bare term finds its topic.
The file maps topic ids to lists of terms. A term may appear once, and never as a name of another topic
(its title, id, keyword or tool): that would send it two ways.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bot.content.errors import ContentError
from bot.content.schema import Skill
from bot.content.side_files import read_mapping

GLOSSARY_FILE = "glossary.yaml"
TERM_MAX_WORDS = 5
_PLAIN_TERM = re.compile(r"^[a-z0-9][a-z0-9 .+#/&'-]*$")


def topic_names(skills: Iterable[Skill]) -> dict[str, str]:
    """Every name a topic already answers to -> that topic's id."""
    names: dict[str, str] = {}
    for skill in skills:
        for topic in skill.topics:
            for name in (topic.id, topic.id.replace("-", " "), topic.title, *topic.keywords, *topic.tools):
                names.setdefault(name.strip().lower(), topic.id)
    return names


def load_glossary(directory: Path, skills: list[Skill], errors: list[ContentError]) -> dict[str, str]:
    """term -> topic id; every problem is added to errors with the term it concerns."""
    data = read_mapping(directory / GLOSSARY_FILE, "topic id to a list of terms", errors)
    topic_ids = {t.id for s in skills for t in s.topics}
    names = topic_names(skills)
    out: dict[str, str] = {}
    for topic_id, terms in data.items():
        if topic_id not in topic_ids:
            errors.append(ContentError(GLOSSARY_FILE, str(topic_id), "no topic has this id"))
            continue
        if not isinstance(terms, list) or not terms:
            errors.append(ContentError(GLOSSARY_FILE, str(topic_id), "expected a non-empty list of terms"))
            continue
        for i, raw in enumerate(terms):
            where = f"{topic_id}[{i}]"
            term = str(raw).strip()
            if not _PLAIN_TERM.match(term) or len(term.split()) > TERM_MAX_WORDS:
                errors.append(ContentError(GLOSSARY_FILE, where, f"{term!r}: a term is lowercase plain text of at most "
                                                             f"{TERM_MAX_WORDS} words"))
            elif term in out:
                errors.append(ContentError(GLOSSARY_FILE, where, f"{term!r} is listed twice (also under {out[term]})"))
            elif term in names:
                owner = names[term]
                errors.append(ContentError(GLOSSARY_FILE, where, f"{term!r} is already a name of "
                                           + ("this topic" if owner == topic_id else f"topic {owner}")))
            else:
                out[term] = topic_id
    return out
