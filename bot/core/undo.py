"""/skill undo and the Undo button: take back the last done or skipped step within a day."""
from __future__ import annotations

from datetime import timedelta

from bot.core.buttons import require_owner, unpack
from bot.core.deps import Deps
from bot.core.model import Command, Reply, Result, UserError
from bot.core.records import EnrollmentRecord, StepRecord
from bot.core.schedule import format_local
from bot.core.states import EnrollmentStatus
from bot.core.tracks import checkin_for, step_text, track_skill, user_of

UNDO_WINDOW = timedelta(hours=24)


def undo(deps: Deps, cmd: Command, args: str = "") -> Result:
    """Revert the most recent step of the current (or just finished) track, if it is less than a day old."""
    user = user_of(deps, cmd)
    enrollment = next((e for e in deps.tracks.enrollments(user.id)
                       if e.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.FINISHED)), None)
    last = _last_step(deps, enrollment) if enrollment else None
    if enrollment is None or last is None:
        raise UserError("There's nothing to undo: no step is marked on your current track.")
    if deps.clock() - last.at > UNDO_WINDOW:
        raise UserError(f"Your last step (week {last.step_index + 1}, {last.kind} on "
                        f"{format_local(last.at, user.checkin_tz)}) is more than 24 hours old, so it stays.")
    return _revert(deps, cmd, enrollment, last.step_index)


def undo_button(deps: Deps, cmd: Command) -> Result:
    enrollment_id, step_index, owner = unpack(cmd.value, 3)
    require_owner(cmd, owner)
    enrollment = deps.tracks.enrollment(int(enrollment_id)) if enrollment_id.isdigit() else None
    if enrollment is None or not step_index.isdigit():
        raise UserError("That step is no longer there to undo. `/skill progress` shows where you are.")
    last = _last_step(deps, enrollment)
    if last is None or last.step_index != int(step_index) or deps.clock() - last.at > UNDO_WINDOW:
        raise UserError("That step can't be undone any more (a later step was marked, or a day has passed).")
    return _revert(deps, cmd, enrollment, last.step_index)


def _last_step(deps: Deps, enrollment: EnrollmentRecord) -> StepRecord | None:
    steps = deps.tracks.steps(enrollment.id)
    last = max(steps, key=lambda s: s.step_index, default=None)
    return last if last and last.step_index == enrollment.current_step - 1 else None


def _revert(deps: Deps, cmd: Command, enrollment: EnrollmentRecord, index: int) -> Result:
    user = user_of(deps, cmd)
    skill = track_skill(deps, enrollment.track_id)
    reopened = EnrollmentRecord(**{**enrollment.__dict__, "current_step": index})
    if not deps.tracks.undo_step(enrollment.id, index, checkin_for(deps, user, reopened)):
        raise UserError("That step was already undone. `/skill progress` shows where you are.")
    return Result.of(Reply(
        title=f"Undone: week {index + 1} of {skill.title} is open again",
        sections=(step_text(skill, index), "Mark it when it's really done: `/skill done`."),
    ))
