"""Turn ORM rows into core's plain records, so no live row leaves the store."""
from __future__ import annotations

from bot.core.records import EnrollmentRecord, StepRecord, UserRecord


def user_record(row) -> UserRecord:
    return UserRecord(
        row.id, row.platform, row.workspace, row.platform_user_id, row.display_name,
        row.checkin_weekday, row.checkin_minute, row.checkin_tz, row.schedule_set, row.unreachable_since,
    )


def enrollment_record(row) -> EnrollmentRecord:
    return EnrollmentRecord(
        row.id, row.user_id, row.track_id, row.status, row.current_step, row.started_at,
        row.updated_at, row.finished_at, row.next_checkin_at,
    )


def step_record(row) -> StepRecord:
    return StepRecord(row.enrollment_id, row.step_index, row.kind, row.at, row.note)
