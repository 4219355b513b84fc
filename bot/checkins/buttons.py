"""The check-in's buttons: Done and Skip move progress exactly as the commands do; Snooze asks again
once, a day later. Old or repeated presses are answered kindly and change nothing."""
from __future__ import annotations

from datetime import timedelta

from bot.core.buttons import unpack
from bot.core.deps import Deps
from bot.core.model import Command, Reply, Result, UserError
from bot.core.schedule import format_local
from bot.core.states import EnrollmentStatus, StepKind
from bot.core.tracks import advance

SNOOZE_FOR = timedelta(hours=24)
_GONE = "That check-in is no longer current, so I left your progress as it is. `/skill progress` shows where you are."


def _checkin_of(deps: Deps, cmd: Command):
    store = deps.checkins
    delivery_id, _step = unpack(cmd.value, 2)
    delivery = store.delivery(int(delivery_id)) if delivery_id.isdigit() else None
    if delivery is None:
        raise UserError(_GONE)
    user = deps.tracks.find_user(cmd.user)  # a press never creates a user
    enrollment = deps.tracks.enrollment(delivery.enrollment_id)
    if user is None or enrollment is None or enrollment.user_id != user.id:
        raise UserError("That check-in belongs to someone else, so I left it alone.")
    if not store.is_latest_week(delivery):
        raise UserError("That check-in is from an earlier week, so I left your progress as it is. "
                        "`/skill progress` shows where you are.")
    return store, delivery, user


def done(deps: Deps, cmd: Command) -> Result:
    store, delivery, user = _checkin_of(deps, cmd)
    store.answer(delivery.id, StepKind.DONE, user.id)
    return advance(deps, cmd, StepKind.DONE, step_index=delivery.step_index, enrollment_id=delivery.enrollment_id)


def skip(deps: Deps, cmd: Command) -> Result:
    store, delivery, user = _checkin_of(deps, cmd)
    store.answer(delivery.id, StepKind.SKIPPED, user.id)
    return advance(deps, cmd, StepKind.SKIPPED, step_index=delivery.step_index, enrollment_id=delivery.enrollment_id)


def snooze(deps: Deps, cmd: Command) -> Result:
    store, delivery, user = _checkin_of(deps, cmd)
    enrollment = deps.tracks.enrollment(delivery.enrollment_id)
    if enrollment is None or enrollment.current_step != delivery.step_index or enrollment.status != EnrollmentStatus.ACTIVE:
        raise UserError("You've already moved past that step, so there's nothing to snooze. "
                        "`/skill progress` shows what's next.")
    store.answer(delivery.id, StepKind.SNOOZED, user.id)
    again = deps.clock() + SNOOZE_FOR
    if not store.snooze(delivery, again):
        return Result.of(Reply(title="Already snoozed", sections=(
            "This week's check-in was snoozed once already; the reminder is on its way.",)))
    return Result.of(Reply(title="Snoozed for a day", sections=(
        f"I'll ask again on {format_local(again, user.checkin_tz)}.",)))
