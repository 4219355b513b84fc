"""Plain, immutable views of stored rows: what the store hands to core."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UserRecord:
    id: int
    platform: str
    workspace: str
    platform_user_id: str
    display_name: str
    checkin_weekday: int
    checkin_minute: int
    checkin_tz: str
    schedule_set: bool
    unreachable_since: datetime | None


@dataclass(frozen=True)
class EnrollmentRecord:
    id: int
    user_id: int
    track_id: str
    status: str
    current_step: int
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    next_checkin_at: datetime | None


@dataclass(frozen=True)
class StepRecord:
    enrollment_id: int
    step_index: int
    kind: str
    at: datetime
    note: str | None


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
