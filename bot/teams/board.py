"""The team board: what opted-in members did in a week, as one small Reply.

Used for the weekly digest (public) and `/skill team` (private). Only members who opted in are ever
passed in. It stays small for any team size: at most NAMED people are named per list, the rest are
counted ("and 212 more"), and totals always cover everyone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.content.loader import Catalog
from bot.core.model import Field, Reply
from bot.core.records import Member
from bot.core.states import EnrollmentStatus, StepKind
from bot.core.text import mention, progress_bar
from bot.core.tracks import streak_weeks

NAMED = 25  # people named in "this week"
NAMED_SHORT = 5  # in the shorter lists (tracks finished, streaks)
MAX_TRACK_LINES = 12  # every track in the catalog fits


@dataclass(frozen=True)
class Window:
    since: datetime  # exclusive
    until: datetime  # inclusive


def _who(member: Member) -> str:
    user = member.user
    return mention(user.platform_user_id, user.display_name or user.platform_user_id)


def _more(count: int) -> str:
    return f"…and {count} more" if count > 0 else ""


def _title(catalog: Catalog, track_id: str) -> str:
    skill = catalog.skill(track_id)
    return skill.title if skill else track_id


def _weeks(indexes: list[int]) -> str:
    numbers = sorted(i + 1 for i in indexes)
    return ("week " if len(numbers) == 1 else "weeks ") + ", ".join(str(n) for n in numbers)


def build_board(catalog: Catalog, members: list[Member], window: Window, now: datetime, title: str,
                private: bool) -> Reply:
    """The digest for `window`; a quiet week or a team nobody shares with yet is one short line."""
    if not members:
        return Reply(title=title, sections=(
            "Nobody shares their progress here yet. Members can opt in with `/skill share on`.",), private=private)
    in_window = lambda at: window.since < at <= window.until
    track_of = {e.id: e.track_id for m in members for e in m.enrollments}

    active_lines: list[str] = []
    finished: list[tuple[Member, str]] = []
    steps_done = 0
    active_people = 0
    for member in members:
        done = [s for s in member.steps if s.kind == StepKind.DONE and in_window(s.at)]
        steps_done += len(done)
        if done:
            active_people += 1
            by_track: dict[str, list[int]] = {}
            for step in done:
                by_track.setdefault(track_of.get(step.enrollment_id, "?"), []).append(step.step_index)
            parts = "; ".join(f"{_title(catalog, t)} {_weeks(ix)}" for t, ix in by_track.items())
            if len(active_lines) < NAMED:
                active_lines.append(f"- {_who(member)}: {parts}")
        finished += [(member, e.track_id) for e in member.enrollments
                     if e.status == EnrollmentStatus.FINISHED and e.finished_at and in_window(e.finished_at)]

    if steps_done == 0 and not finished:
        return Reply(title=title, sections=(
            (f"A quiet week: no steps finished by the {len(members)} member{'s' if len(members) != 1 else ''} "
            "sharing here. `/skill progress` shows where you are."),), private=private)

    sections = []
    if active_lines:
        sections.append("**This week**\n" + "\n".join(active_lines)
                        + ("\n" + _more(active_people - len(active_lines)) if active_people > len(active_lines) else ""))
    if finished:
        lines = [f"- {_who(m)} finished **{_title(catalog, t)}** 🎉" for m, t in finished[:NAMED_SHORT]]
        sections.append("**Tracks finished**\n" + "\n".join(lines)
                        + ("\n" + _more(len(finished) - NAMED_SHORT) if len(finished) > NAMED_SHORT else ""))
    streaks = sorted(((streak_weeks(list(m.steps), m.user.checkin_tz, now), m) for m in members),
                     key=lambda pair: (-pair[0], pair[1].user.id))
    streaks = [(n, m) for n, m in streaks if n >= 2][:NAMED_SHORT]
    if streaks:
        sections.append("**Longest streaks**\n" + "\n".join(f"- {_who(m)}: {n} weeks in a row" for n, m in streaks))
    track_lines = _track_lines(catalog, members)
    if track_lines:
        sections.append("**Tracks**\n" + "\n".join(track_lines))
    fields = (
        Field("Steps done this week", str(steps_done)),
        Field("Active this week", f"{active_people} of {len(members)}"),
        Field("Tracks finished", str(len(finished))),
    )
    return Reply(title=title, sections=tuple(sections), fields=fields, private=private)


def _track_lines(catalog: Catalog, members: list[Member]) -> list[str]:
    """Per track, the members' combined progress (steps behind them over steps in front of them)."""
    totals: dict[str, list[int]] = {}  # track -> [steps done, steps possible, learners]
    for member in members:
        for enrollment in member.enrollments:
            if enrollment.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.FINISHED):
                continue
            skill = catalog.skill(enrollment.track_id)
            if skill is None:
                continue
            total = len(skill.track)
            entry = totals.setdefault(skill.id, [0, 0, 0])
            entry[0] += min(enrollment.current_step, total)
            entry[1] += total
            entry[2] += 1
    order = {s.id: i for i, s in enumerate(catalog.skills)}
    lines = []
    for track_id, (done, possible, learners) in sorted(totals.items(), key=lambda kv: order.get(kv[0], 99)):
        lines.append(f"- {_title(catalog, track_id)}: {progress_bar(done, possible)} "
                     f"({learners} learner{'s' if learners != 1 else ''})")
    return lines[:MAX_TRACK_LINES]
