"""Replies about content: skill cards, topic cards, the skill list, help and "I don't know"."""
from __future__ import annotations

from collections import Counter

from bot.content.loader import Catalog
from bot.content.schema import Skill, Topic
from bot.content.search import Match
from bot.core.commands import HELP_LINES
from bot.core.model import Button, Field, Reply, Style

MAX_TOOLS_ON_CARD = 15


def help_reply() -> Reply:
    return Reply(
        title="Skillbot: your AI-engineering mentor",
        sections=("Ask about a skill, or follow a track one step a week.", "\n".join(f"- {line}" for line in HELP_LINES)),
    )


def list_reply(catalog: Catalog) -> Reply:
    lines = [f"- **{s.title}** (`{s.id}`): {s.summary}" for s in catalog.skills]
    return Reply(title="Skills", sections=("\n".join(lines), "Try `/skill <id>` for a card, or `/skill track <id>` to start."))


def _track_button(skill: Skill) -> Button:
    return Button(f"Start the {skill.title} track", "track.join", skill.id, Style.PRIMARY)


def _topic_line(topic: Topic) -> str:
    # Tools the title already names would read twice: "Feature stores (Feast, Tecton) (Feast, ...)".
    extra = [t for t in topic.tools if t.lower() not in topic.title.lower()][:3]
    tools = f" ({', '.join(extra)})" if extra else ""
    return f"- **{topic.title}**{tools}"


def _tools_line(tools: list[str]) -> str:
    shown = ", ".join(tools[:MAX_TOOLS_ON_CARD])
    more = len(tools) - MAX_TOOLS_ON_CARD
    return f"**Tools**: {shown}" + (f" and {more} more in the topics" if more > 0 else "")


def skill_card(skill: Skill, note: str = "") -> Reply:
    # The most used tools first: a card is read, not searched.
    uses = Counter(t for topic in skill.topics for t in topic.tools)
    tools = sorted(uses, key=lambda t: (-uses[t], t.lower()))
    sections = [note] if note else []
    sections += [skill.why, "**Topics**\n" + "\n".join(_topic_line(t) for t in skill.topics)]
    fields = (
        Field("Entry level", "\n".join(f"- {b}" for b in skill.levels.entry), inline=False),
        Field("Mid level", "\n".join(f"- {b}" for b in skill.levels.mid), inline=False),
        Field("Senior level", "\n".join(f"- {b}" for b in skill.levels.senior), inline=False),
    )
    if tools:
        sections.append(_tools_line(tools))
    return Reply(
        title=skill.title,
        sections=tuple(sections),
        fields=fields,
        buttons=(_track_button(skill),),
        footer=f"Start the {len(skill.track)}-week track: `/skill track {skill.id}`",
    )


def topic_card(skill: Skill, topic: Topic, catalog: Catalog, match: Match, note: str = "") -> Reply:
    sections = [note] if note else []
    sections.append(topic.explain)
    fields = [Field("Skill", f"{skill.title} (`{skill.id}`)")]
    if topic.tools:
        fields.append(Field("Tools", ", ".join(topic.tools)))
    see = _also_see(catalog, match)
    if see:
        sections.append("**Also see**\n" + "\n".join(see))
    return Reply(
        title=f"{topic.title} · {skill.title}",
        sections=tuple(sections),
        fields=tuple(fields),
        buttons=(_track_button(skill),),
        footer=f"More: `/skill {skill.id}` · weekly track: `/skill track {skill.id}`",
    )


def _also_see(catalog: Catalog, match: Match) -> list[str]:
    lines = []
    for skill_id, topic_id in match.alternatives[:2]:
        skill = catalog.skill(skill_id)
        topic = skill.topic(topic_id) if skill and topic_id else None
        if skill and topic:
            lines.append(f"- **{topic.title}** ({skill.title})")
        elif skill:
            lines.append(f"- **{skill.title}** (`/skill {skill.id}`)")
    return lines


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
