"""Replies about content: skill cards, topic cards, the skill list, help and "I don't know"."""
from __future__ import annotations

import re
from dataclasses import replace

from bot.content.loader import Catalog
from bot.content.schema import Skill, Topic
from bot.content.search import Match
from bot.core.buttons import pack
from bot.core.commands import HELP_LINES
from bot.core.model import Button, Field, Link, Reply, Style


def help_reply() -> Reply:
    return Reply(
        title="Skillbot: your AI-engineering mentor",
        sections=("Ask about a skill, or follow a track one step a week.", "\n".join(f"- {line}" for line in HELP_LINES)),
    )


def list_reply(catalog: Catalog) -> Reply:
    lines = [f"- **{s.title}** (`{s.id}`): {s.summary}" for s in catalog.skills]
    return Reply(title="Skills", sections=("\n".join(lines), "Try `/skill <id>` for a card, or `/skill track <id>` to start."))


# Button actions of content cards. Values name content (skill and topic ids), never memory, so a
# button pressed after a restart or from a week-old message still knows what it meant.
TOPIC_OPEN = "topic.open"  # value: skill|topic
TOPIC_MORE = "topic.more"  # value: skill|topic -- the whole explanation
SKILL_OPEN = "skill.open"  # value: skill
SKILL_TOPICS = "skill.topics"  # value: skill
TRACK_JOIN = "track.join"  # value: skill (handled by tracks)

# A first answer fits on one screen: 1,200 visible characters, URLs included as the console shows them.
# The card aims lower: visible_length leaves out the console's layout (bullets, blank lines, headings)
# and the 👍/👎 buttons added after the card is built.
SCREEN_CHARS = 1100
MOST_ASKED = 5
MAX_TOOLS = 8
MIN_EXPLAIN = 240
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def reviewed_label(skill: Skill) -> str:
    """"content reviewed Nov 2026" from the skill file's `reviewed: 2026-11`."""
    if not skill.reviewed:
        return ""
    year, month = skill.reviewed.split("-")
    return f"content reviewed {_MONTHS[int(month) - 1]} {year}"


def _footer(skill: Skill, hint: str) -> str:
    return " · ".join(p for p in (reviewed_label(skill), hint) if p)


def topic_button(skill: Skill, topic: Topic, label: str = "") -> Button:
    return Button(label or topic.title, TOPIC_OPEN, pack(skill.id, topic.id))


def visible_length(reply: Reply) -> int:
    """Characters a reader sees, counted as the console shows them (button labels and URLs included)."""
    return len(reply.plain_text()) + sum(len(b.label) + 7 for b in reply.buttons) + min(len(reply.title), 60)


def _ladder(skill: Skill) -> str:
    # One line a level: its first expectation says what the level is about.
    levels = (("Entry", skill.levels.entry), ("Mid", skill.levels.mid), ("Senior", skill.levels.senior))
    return "\n".join(f"- **{name} level**: {_clip(items[0], 110)}" for name, items in levels)


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def most_asked(skill: Skill, asked: list[str]) -> list[Topic]:
    """The most asked topics first, then the content's own order, five in all."""
    ranked = [t for t in (skill.topic(tid) for tid in asked) if t is not None]
    ranked += [t for t in skill.topics if t not in ranked]
    return ranked[:MOST_ASKED]


def skill_card(skill: Skill, note: str = "", asked: list[str] | None = None) -> Reply:
    """Summary, the level ladder and the most asked topics as buttons: one screen."""
    sections = [note] if note else []
    sections += [skill.summary, "**Levels**\n" + _ladder(skill)]
    buttons = [topic_button(skill, t) for t in most_asked(skill, asked or [])]
    buttons += [Button("All topics", SKILL_TOPICS, skill.id),
                Button("Start the track", TRACK_JOIN, skill.id, Style.PRIMARY)]
    return Reply(title=skill.title, sections=tuple(sections), buttons=tuple(buttons),
                 footer=_footer(skill, f"weekly track: `/skill track {skill.id}`"))


def all_topics_reply(skill: Skill) -> Reply:
    """Every topic of a skill, each a button."""
    return Reply(
        title=f"{skill.title}: all {len(skill.topics)} topics",
        sections=("Pick a topic.",),
        buttons=tuple(topic_button(skill, t) for t in skill.topics),
        footer=_footer(skill, f"`/skill {skill.id}` for the overview"),
    )


def _resource_links(topic: Topic) -> tuple[Link, ...]:
    return tuple(Link(r.title, r.url, f"{r.kind}, {'free' if r.free else 'paid'}") for r in topic.resources)


def _also_see(catalog: Catalog, alternatives: tuple[tuple[str, str | None], ...]) -> list[Button]:
    buttons = []
    for skill_id, topic_id in alternatives[:2]:
        skill = catalog.skill(skill_id)
        topic = skill.topic(topic_id) if skill and topic_id else None
        if skill and topic:
            buttons.append(topic_button(skill, topic, f"Also see: {topic.title}"))
        elif skill:
            buttons.append(Button(f"Also see: {skill.title}", SKILL_OPEN, skill.id))
    return buttons


def shorten(text: str, budget: int) -> str:
    """Whole sentences up to the budget; a word cut with "…" only when one sentence is too long."""
    if len(text) <= budget:
        return text
    kept = ""
    for sentence in _SENTENCE.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) + 2 > budget:
            break
        kept = candidate
    return (kept or _clip(text, budget - 1)) + " …"


def topic_card(skill: Skill, topic: Topic, catalog: Catalog, match: Match, note: str = "",
               full: bool = False) -> Reply:
    """Explanation, tools, 1-3 resources and "Also see" buttons; the explanation is cut to fit one screen
    (a "Read more" button shows the rest) unless `full`."""
    more = len(topic.tools) - MAX_TOOLS
    tools = ", ".join(topic.tools[:MAX_TOOLS]) + (f" and {more} more" if more > 0 else "")
    fields = (Field("Tools", tools),) if topic.tools else ()
    card = Reply(
        title=f"{topic.title} · {skill.title}",
        sections=(note,) if note else (),
        fields=fields, links=_resource_links(topic), buttons=tuple(_also_see(catalog, match.alternatives)),
        footer=_footer(skill, f"more: `/skill {skill.id}`"),
    )
    budget = max(SCREEN_CHARS - visible_length(card) - len(MORE_LABEL) - 7, MIN_EXPLAIN)
    explain = topic.explain if full else shorten(topic.explain, budget)
    buttons = card.buttons
    if explain != topic.explain:
        buttons += (Button(MORE_LABEL, TOPIC_MORE, pack(skill.id, topic.id)),)
    return replace(card, sections=(*card.sections, explain), buttons=buttons)


MORE_LABEL = "Read more"
DID_YOU_MEAN = "Did you mean…"


def did_you_mean(catalog: Catalog, term: str, topic_ids: tuple[str, ...]) -> Reply | None:
    """"Did you mean A or B?" for a word that means different things in different skills."""
    buttons = []
    for topic_id in topic_ids:
        skill = catalog.owner(topic_id)
        topic = skill.topic(topic_id) if skill else None
        if skill and topic:
            buttons.append(topic_button(skill, topic, f"{topic.title} ({skill.title})"))
    if len(buttons) < 2:
        return None
    return Reply(title=DID_YOU_MEAN, sections=(f"“{term}” means different things in different skills. Which one?",),
                 buttons=tuple(buttons))


def not_found_reply(catalog: Catalog, asked: str) -> Reply:
    skills = ", ".join(f"`{s.id}`" for s in catalog.skills)
    shown = asked if len(asked) <= 80 else asked[:77] + "…"
    return Reply(
        title="I don't know that yet",
        sections=(
            f"I couldn't match “{shown}” to anything in my skills." if shown else "I need a skill or a question.",
            f"Skills I know: {skills}.",
            "Try a skill name (`/skill mlops`), a tool (`/skill mlflow`) or a question (`/skill how do I detect drift?`).",
        ),
    )
