"""The team matrix: opted-in members' levels per skill, for `/skill team matrix` and the weekly digest.

Only members who opted in to sharing in the channel are ever passed in (TeamStorePort.members), so
nobody else appears, not even in a count. Names are plain text, never mentions: a matrix must not ping.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from bot.content.loader import Catalog
from bot.core.deps import Deps
from bot.core.model import Command, Reply, Result
from bot.core.records import Member, TeamChannelRecord
from bot.core.text import sanitize
from bot.placement.assess import store_of

SHOWN = 25  # rows named; the rest are counted
NAME_WIDTH = 14
CELL = {"new": "new", "entry": "ent", "mid": "mid", "senior": "sen"}
SHORT = {"programming": "prog", "math": "math", "ml": "ml", "deep-learning": "dl", "genai": "gen",
         "mlops": "ops", "cloud": "cld", "system-design": "sys", "data-engineering": "data",
         "soft-skills": "soft", "responsible-ai": "rai"}

Levels = dict[int, dict[str, tuple[str, datetime]]]


def plain_name(member: Member) -> str:
    """A display name that cannot ping or break out of the code block it is shown in."""
    name = sanitize(member.user.display_name or member.user.platform_user_id, 60)
    for ch in "`@<>*_~|":
        name = name.replace(ch, "")
    return (name or "someone")[:NAME_WIDTH]


def last_active(member: Member, levels: Levels) -> datetime | None:
    """Latest step, enrollment change or assessment: the order for "most recently active"."""
    times = [s.at for s in member.steps] + [e.updated_at for e in member.enrollments]
    times += [at for _, at in levels.get(member.user.id, {}).values()]
    return max(times) if times else None


def matrix_text(catalog: Catalog, members: list[Member], levels: Levels) -> str:
    """A fixed-width table in a code block: a row per member, a column per skill ("" when none assessed)."""
    if not any(levels.get(m.user.id) for m in members):
        return ""
    floor = datetime.min.replace(tzinfo=UTC)
    ranked = sorted(members, key=lambda m: (last_active(m, levels) or floor, -m.user.id), reverse=True)
    shown, rest = ranked[:SHOWN], len(ranked) - SHOWN
    skills = [s.id for s in catalog.skills]
    lines = [" " * NAME_WIDTH + " " + " ".join(f"{SHORT.get(s, s[:4]):>4}" for s in skills)]
    for member in shown:
        mine = levels.get(member.user.id, {})
        cells = " ".join(f"{CELL.get(mine[s][0], '?') if s in mine else '·':>4}" for s in skills)
        lines.append(f"{plain_name(member):<{NAME_WIDTH}} {cells}")
    more = f"\n…and {rest} more sharing here" if rest > 0 else ""
    legend = "ent/mid/sen = entry/mid/senior, · = not assessed"
    return "**Skill matrix**\n```\n" + "\n".join(lines) + "\n```" + more + "\n" + legend


def team_matrix(deps: Deps, cmd: Command, channel: TeamChannelRecord) -> Result:
    members = deps.teams.members(channel.id)
    text = matrix_text(deps.catalog, members, store_of(deps).levels_for([m.user.id for m in members]))
    if not text:
        text = ("Nobody sharing here has taken an assessment yet. `/skill assess <skill>` places you; "
                "`/skill share on` shares it here.")
    return Result.of(Reply(title="Team skill matrix", sections=(text,),
                           footer="Only members who share their progress here are shown.", private=True))


def digest_section(deps: Deps) -> Callable[[TeamChannelRecord, list[Member]], str]:
    """The digest's matrix section for the members the digest already has."""
    def section(channel: TeamChannelRecord, members: list[Member]) -> str:
        return matrix_text(deps.catalog, members, store_of(deps).levels_for([m.user.id for m in members]))
    return section
