"""The content rules a single field can't express: limits SCHEMA.md states, plain text, links, step topics."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urlparse

from bot.content.schema import Skill

KEYWORDS = (4, 20)
KEYWORD_MAX_WORDS = 5
TOOLS_MAX = 6
RESOURCES = (1, 3)
LEVEL_BULLETS = (3, 6)
TRACK_STEPS = (6, 10)
STEP_TOPICS = (1, 3)
SUMMARY_MAX = 120
REVIEW_MAX_MONTHS = 6

# Markup would be shown raw on one platform or another, and '@' could become a ping.
_NOT_PLAIN = re.compile(r"[<>@`]|\*\*|\]\(|</?[a-z]")
# Link shorteners hide where a link goes; blog platforms are not the curated sources we promise.
_BANNED_HOSTS = ("bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "buff.ly", "is.gd", "rebrand.ly",
                 "medium.com", "substack.com", "dev.to", "blogspot.com", "wordpress.com", "hashnode.dev")


def _host_banned(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _BANNED_HOSTS)


def _texts(skill: Skill) -> Iterator[tuple[str, str]]:
    yield "title", skill.title
    yield "summary", skill.summary
    yield "why", skill.why
    for i, topic in enumerate(skill.topics):
        yield f"topics[{i}].title", topic.title
        yield f"topics[{i}].explain", topic.explain
        for j, kw in enumerate(topic.keywords):
            yield f"topics[{i}].keywords[{j}]", kw
        for j, res in enumerate(topic.resources):
            yield f"topics[{i}].resources[{j}].title", res.title
    for level in ("entry", "mid", "senior"):
        for j, line in enumerate(getattr(skill.levels, level)):
            yield f"levels.{level}[{j}]", line
    for i, step in enumerate(skill.track):
        for name in ("title", "do", "done_when"):
            yield f"track[{i}].{name}", getattr(step, name)


def _between(n: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= n <= bounds[1]


def skill_problems(skill: Skill) -> Iterator[tuple[str, str]]:
    """(field path, message) for every rule the skill breaks."""
    if skill.reviewed is None:
        yield "reviewed", "missing: add the month of the last technical review, e.g. reviewed: 2026-11"
    if len(skill.summary) >= SUMMARY_MAX:
        yield "summary", f"{len(skill.summary)} characters; keep it under {SUMMARY_MAX}"
    for where, text in _texts(skill):
        if _NOT_PLAIN.search(text):
            yield where, "plain text only: no markup, no '<', '>', '@' or backticks"
    topic_ids = {t.id for t in skill.topics}
    for i, topic in enumerate(skill.topics):
        yield from _topic_problems(f"topics[{i}]", topic)
    for level in ("entry", "mid", "senior"):
        if not _between(len(getattr(skill.levels, level)), LEVEL_BULLETS):
            yield f"levels.{level}", f"{LEVEL_BULLETS[0]}-{LEVEL_BULLETS[1]} bullets expected"
    if not _between(len(skill.track), TRACK_STEPS):
        yield "track", f"{TRACK_STEPS[0]}-{TRACK_STEPS[1]} weekly steps expected, found {len(skill.track)}"
    for i, step in enumerate(skill.track):
        if not _between(len(step.topics), STEP_TOPICS):
            yield f"track[{i}].topics", f"name {STEP_TOPICS[0]}-{STEP_TOPICS[1]} topic ids the step practises"
        for topic_id in step.topics:
            if topic_id not in topic_ids:
                yield f"track[{i}].topics", f"{topic_id!r} is not a topic of {skill.id}"


def _topic_problems(where: str, topic) -> Iterator[tuple[str, str]]:
    if not _between(len(topic.keywords), KEYWORDS):
        yield f"{where}.keywords", f"{KEYWORDS[0]}-{KEYWORDS[1]} keywords expected, found {len(topic.keywords)}"
    for j, kw in enumerate(topic.keywords):
        if len(kw.split()) > KEYWORD_MAX_WORDS:
            yield f"{where}.keywords[{j}]", f"at most {KEYWORD_MAX_WORDS} words: {kw!r}"
    if len(topic.tools) > TOOLS_MAX:
        yield f"{where}.tools", f"at most {TOOLS_MAX} tools"
    if not _between(len(topic.resources), RESOURCES):
        yield f"{where}.resources", f"{RESOURCES[0]}-{RESOURCES[1]} resources expected"
    urls = [r.url.rstrip("/").lower() for r in topic.resources]
    if len(set(urls)) != len(urls):
        yield f"{where}.resources", "the same link twice"
    for j, res in enumerate(topic.resources):
        if _host_banned(res.url):
            yield f"{where}.resources[{j}].url", "no blogs or link shorteners"


def months_since(reviewed: str, today: date) -> int:
    year, month = map(int, reviewed.split("-"))
    return (today.year - year) * 12 + today.month - month


def stale_warning(skill: Skill, today: date) -> str | None:
    if skill.reviewed and months_since(skill.reviewed, today) > REVIEW_MAX_MONTHS:
        return f"{skill.id}.yaml: reviewed {skill.reviewed}, over {REVIEW_MAX_MONTHS} months ago; re-check its tools"
    return None
