"""`/skill matrix`: your level and track progress in every skill, as text and as a picture."""
from __future__ import annotations

from dataclasses import dataclass

from bot.content.loader import Catalog
from bot.core.deps import Deps
from bot.core.model import Attachment, Command, Reply, Result
from bot.core.records import EnrollmentRecord, UserRecord
from bot.core.states import EnrollmentStatus
from bot.core.tracks import user_of
from bot.placement.assess import local_date, store_of
from bot.placement.picture import render_matrix

FILENAME = "skill-matrix.png"


@dataclass(frozen=True)
class Row:
    """One skill on the matrix."""

    skill_id: str
    title: str
    level: str | None  # None: not assessed
    assessed_on: str  # local date, "" when not assessed
    step: int  # weeks behind the learner on this skill's track
    total: int  # weeks in the track
    track: str  # "", active, paused, finished, left

    def track_text(self) -> str:
        if not self.track:
            return "no track"
        if self.track == EnrollmentStatus.FINISHED:
            return f"track finished ({self.total} of {self.total})"
        state = {str(EnrollmentStatus.PAUSED): " (paused)", str(EnrollmentStatus.LEFT): " (left)"}.get(self.track, "")
        return f"track: week {min(self.step + 1, self.total)} of {self.total}{state}"

    def level_text(self) -> str:
        return f"{self.level} ({self.assessed_on})" if self.level else "not assessed"


def rows_for(deps: Deps, user: UserRecord) -> list[Row]:
    levels = store_of(deps).levels_for([user.id]).get(user.id, {})
    enrollments = {e.track_id: e for e in deps.tracks.enrollments(user.id)}
    return [_row(deps.catalog, skill.id, levels.get(skill.id), enrollments.get(skill.id), user.checkin_tz)
            for skill in deps.catalog.skills]


def _row(catalog: Catalog, skill_id: str, level, enrollment: EnrollmentRecord | None, tz: str) -> Row:
    skill = catalog.skill(skill_id)
    assert skill is not None
    total = len(skill.track)
    return Row(skill.id, skill.title, level[0] if level else None, local_date(level[1], tz) if level else "",
               min(enrollment.current_step, total) if enrollment else 0, total,
               enrollment.status if enrollment else "")


def matrix_reply(deps: Deps, user: UserRecord) -> Reply:
    rows = rows_for(deps, user)
    lines = [f"- **{r.title}**: {r.level_text()} · {r.track_text()}" for r in rows]
    assessed = sum(1 for r in rows if r.level)
    alt = "Skill matrix: " + "; ".join(f"{r.title} {r.level or 'not assessed'}" for r in rows)
    hint = ("Place yourself in a skill with `/skill assess <skill>`, e.g. `/skill assess mlops`."
            if assessed < len(rows) else "Every skill assessed. Retake one after 14 days with `/skill assess <skill>`.")
    return Reply(
        title="Your skill matrix",
        sections=("\n".join(lines), hint),
        footer=f"{assessed} of {len(rows)} skills assessed. Levels: new → entry → mid → senior.",
        attachments=(Attachment(FILENAME, render_matrix(rows), "image/png", alt=alt[:1000]),),
    )


def matrix(deps: Deps, cmd: Command, args: str = "") -> Result:
    return Result.of(matrix_reply(deps, user_of(deps, cmd)))


def matrix_button(deps: Deps, cmd: Command) -> Result:
    return matrix(deps, cmd)
