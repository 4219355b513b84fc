"""Plain, immutable views of stored rows: what the store hands to core."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.model import ChannelRef
from bot.core.schedule import Weekly

# After this many unanswered check-ins in a row the track is paused.
MAX_UNANSWERED = 3

# A check-in delivery's attempt: the weekly one, or the one repeat a Snooze asks for.
WEEKLY, SNOOZED = 0, 1


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


@dataclass(frozen=True)
class StepOutcome:
    recorded: bool  # False when the step was already recorded (a double press or a race)
    enrollment: EnrollmentRecord


@dataclass(frozen=True)
class CheckinDeliveryRecord:
    """One check-in delivery as its buttons need it."""

    id: int
    enrollment_id: int
    week: str
    attempt: int
    step_index: int
    status: str
    answer: str | None
    recall_question: str | None = None  # the recall question the check-in carried


@dataclass(frozen=True)
class Due:
    """One claimed check-in, with what the sender needs to address and word it."""

    delivery_id: int
    enrollment_id: int
    user_id: int
    week: str
    attempt: int
    step_index: int
    due_at: datetime
    track_id: str
    platform: str
    workspace: str
    platform_user_id: str
    display_name: str
    checkin_tz: str
    weekly: Weekly
    schedule_set: bool
    unanswered: int
    recall_question: str | None = None  # the recall question this check-in carries, chosen at claim time
    dm_channel: str = ""  # the user's DM channel id when a send has opened it before


@dataclass(frozen=True)
class Outcome:
    """How one send ended: sent, paused (the pause note went out), unreachable, retry, failed, released."""

    due: Due
    status: str
    error: str = ""
    dm_channel: str = ""  # a DM channel the send opened, to remember for next time


@dataclass(frozen=True)
class TeamChannelRecord:
    id: int
    platform: str
    workspace: str
    channel_id: str
    channel_name: str
    admin_user_id: int | None
    active: bool
    weekly: Weekly
    next_digest_at: datetime | None

    @property
    def ref(self) -> ChannelRef:
        return ChannelRef(self.platform, self.workspace, self.channel_id, name=self.channel_name)


@dataclass(frozen=True)
class Claim:
    """One digest this process is to post."""

    delivery_id: int
    channel: TeamChannelRecord
    week: str
    due_at: datetime


@dataclass(frozen=True)
class Member:
    """An opted-in member with what the digest needs: their enrollments and step events."""

    user: UserRecord
    enrollments: tuple[EnrollmentRecord, ...]
    steps: tuple[StepRecord, ...]


@dataclass(frozen=True)
class QuestionRecord:
    """One logged question: its text as typed (sanitised, capped), never who asked it."""

    id: int
    asked_at: datetime
    outcome: str
    question: str
    skill_id: str | None
    topic_id: str | None
    vote: str | None


@dataclass(frozen=True)
class NewRecallItem:
    """A question that becomes a learner's recall item when the step covering its topic is done."""

    question_id: str
    topic_id: str
    skill_id: str
    due_at: datetime
    interval_days: int


@dataclass(frozen=True)
class RecallItemRecord:
    """One question in one learner's recall schedule."""

    question_id: str
    topic_id: str
    skill_id: str
    due_at: datetime
    interval_days: int
    streak: int
    retired: bool
    right_count: int
    wrong_count: int


@dataclass(frozen=True)
class RecallAnswerRecord:
    question_id: str
    source: str  # "checkin:<delivery id>" or "review:<session>:<n>": one answer per source
    chosen: int
    right: bool
    at: datetime


@dataclass(frozen=True)
class AnswerRecord:
    """One answered question of an assessment."""

    position: int  # 0-based order in the assessment
    question_id: str
    topic_id: str
    level: str  # the question's level
    chosen: int
    correct: bool
    at: datetime


@dataclass(frozen=True)
class AnswerOutcome:
    """counted is False when this source was answered before (a second press): nothing changed."""

    counted: bool
    item: RecallItemRecord | None


@dataclass(frozen=True)
class RecallStats:
    answered: int
    right: int
    due: int
    items: int


@dataclass(frozen=True)
class AssessmentRecord:
    id: int
    user_id: int
    skill_id: str
    status: str
    level: str | None  # set when finished
    started_at: datetime
    finished_at: datetime | None
    answers: tuple[AnswerRecord, ...] = ()
