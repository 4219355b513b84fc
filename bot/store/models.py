"""The schema. Invariants live here as constraints, not only in code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.core.states import (
    AssessmentStatus,
    CheckinStatus,
    DigestStatus,
    EnrollmentStatus,
    Level,
    QuestionOutcome,
    Vote,
    sql_in,
)
from bot.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """One person on one platform and workspace (Slack team or Discord guild)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("platform", "workspace", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Weekly check-in schedule: weekday 0=Monday, minute of the local day, IANA zone.
    checkin_weekday: Mapped[int] = mapped_column(Integer, default=0)
    checkin_minute: Mapped[int] = mapped_column(Integer, default=9 * 60)
    checkin_tz: Mapped[str] = mapped_column(String(64), default="UTC")
    schedule_set: Mapped[bool] = mapped_column(Boolean, default=False)
    unanswered_checkins: Mapped[int] = mapped_column(Integer, default=0)
    unreachable_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The DM channel a send opened once (Discord): later DMs post straight to it, one request each.
    dm_channel_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Enrollment(Base):
    """A user's place in one track. Switching tracks keeps the old row so returning resumes it."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "track_id"),
        CheckConstraint(sql_in("status", EnrollmentStatus), name="status"),
        CheckConstraint("current_step >= 0", name="step_not_negative"),
        # At most one active track per user, enforced by the database on both dialects.
        Index(
            "uq_enrollments_one_active", "user_id", unique=True,
            sqlite_where=text("status = 'active'"), postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    track_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=EnrollmentStatus.ACTIVE)
    current_step: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the next weekly check-in is due (UTC); NULL when none is scheduled.
    next_checkin_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    user: Mapped[User] = relationship(back_populates="enrollments")


class StepEvent(Base):
    """A step finished or skipped. One event per step: a step cannot be completed twice."""

    __tablename__ = "step_events"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "step_index"),
        CheckConstraint("kind IN ('done', 'skipped')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CheckinDelivery(Base):
    """One weekly check-in message. The unique key makes a second send of the same week impossible."""

    __tablename__ = "checkin_deliveries"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "week", "attempt"),
        CheckConstraint(sql_in("status", CheckinStatus), name="status"),
        # The pending-claims query runs every minute in every replica: keep it off a full scan.
        Index("ix_checkin_deliveries_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))  # ISO week of the due instant in the user's zone
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # 0 = weekly, 1 = the snoozed repeat
    step_index: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default=CheckinStatus.CLAIMED)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(String(12), nullable=True)
    error: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The recall question this check-in carries, chosen in the claim's transaction: a retry or a
    # replica shows the same one, never a second.
    recall_question: Mapped[str | None] = mapped_column(String(60), nullable=True)


class TeamChannel(Base):
    """A channel an admin opted in to progress sharing."""

    __tablename__ = "team_channels"
    __table_args__ = (UniqueConstraint("platform", "workspace", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    channel_name: Mapped[str] = mapped_column(String(120), default="")
    admin_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    digest_weekday: Mapped[int] = mapped_column(Integer, default=4)
    digest_minute: Mapped[int] = mapped_column(Integer, default=16 * 60)
    digest_tz: Mapped[str] = mapped_column(String(64), default="UTC")
    next_digest_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TeamShare(Base):
    """A member's opt-in to share progress with one team channel."""

    __tablename__ = "team_shares"
    __table_args__ = (UniqueConstraint("team_channel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_channel_id: Mapped[int] = mapped_column(ForeignKey("team_channels.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DigestDelivery(Base):
    """One weekly digest per team channel and week."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (
        UniqueConstraint("team_channel_id", "week"),
        CheckConstraint(sql_in("status", DigestStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_channel_id: Mapped[int] = mapped_column(ForeignKey("team_channels.id", ondelete="CASCADE"))
    week: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default=DigestStatus.CLAIMED)
    claimed_by: Mapped[str] = mapped_column(String(64), default="")
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # first claim: the retry window
    leased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # latest claim or take-over
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class MilestonePost(Base):
    """A milestone already announced, so it is announced once."""

    __tablename__ = "milestone_posts"
    __table_args__ = (UniqueConstraint("user_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(60))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class BotState(Base):
    """Small key/value facts about the bot itself (e.g. the hash of the last Discord command sync)."""

    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionLog(Base):
    """Questions asked, refused and voted on, for curators and "most asked". No user id, on purpose:
    nothing here can be tied to a person, and rows older than 90 days are deleted."""

    __tablename__ = "question_log"
    __table_args__ = (
        CheckConstraint(sql_in("outcome", QuestionOutcome), name="outcome"),
        CheckConstraint("vote IS NULL OR " + sql_in("vote", Vote), name="vote"),
        Index("ix_question_log_skill_topic", "skill_id", "topic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    question: Mapped[str] = mapped_column(String(300))
    skill_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    topic_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    vote: Mapped[str | None] = mapped_column(String(4), nullable=True)


class RecallItem(Base):
    """One quiz question in one learner's spaced recall schedule."""

    __tablename__ = "recall_items"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_recall_items_user_due", "user_id", "retired", "due_at"),
        CheckConstraint("interval_days > 0", name="interval_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(60))
    topic_id: Mapped[str] = mapped_column(String(60))
    skill_id: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    interval_days: Mapped[int] = mapped_column(Integer, default=7)
    streak: Mapped[int] = mapped_column(Integer, default=0)  # right answers in a row
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    right_count: Mapped[int] = mapped_column(Integer, default=0)
    wrong_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RecallAnswer(Base):
    """One answer. The unique source (a check-in delivery, or one review question) makes a second
    press of the same answer impossible to count twice."""

    __tablename__ = "recall_answers"
    __table_args__ = (UniqueConstraint("user_id", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(80))
    chosen: Mapped[int] = mapped_column(Integer)
    right: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecallSetting(Base):
    """A learner's recall setting; no row means recall questions in check-ins are on."""

    __tablename__ = "recall_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    in_checkins: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Assessment(Base):
    """A placement quiz for one skill: open while being answered, then finished with a level."""

    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(sql_in("status", AssessmentStatus), name="status"),
        CheckConstraint("level IS NULL OR " + sql_in("level", Level), name="level"),
        # At most one open assessment per user and skill, on both dialects.
        Index(
            "uq_assessments_one_open", "user_id", "skill_id", unique=True,
            sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    skill_id: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default=AssessmentStatus.OPEN)
    level: Mapped[str | None] = mapped_column(String(8), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AssessmentAnswer(Base):
    """One answer. The unique keys make a double click harmless and a repeated question impossible."""

    __tablename__ = "assessment_answers"
    __table_args__ = (
        UniqueConstraint("assessment_id", "position"),
        UniqueConstraint("assessment_id", "question_id", name="uq_assessment_answers_question"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[str] = mapped_column(String(80))
    topic_id: Mapped[str] = mapped_column(String(80))
    level: Mapped[str] = mapped_column(String(8))
    chosen: Mapped[int] = mapped_column(Integer)
    correct: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PlatformLimit(Base):
    """One platform's rate-limit state, shared by every replica.

    `next_slot` paces sends under the proactive cap (each send reserves the next slot); `paused_until`
    holds every replica's sends after a 429 until its Retry-After. Both are epoch seconds.
    """

    __tablename__ = "platform_limits"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_slot: Mapped[float] = mapped_column(Float, default=0.0)
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)


class SeenSignature(Base):
    """Slack request signatures already answered: a replay to any replica (or after a restart) is refused.

    Rows older than Slack's 5-minute timestamp window are useless (bolt refuses the timestamp) and
    are pruned as new ones arrive.
    """

    __tablename__ = "slack_seen_signatures"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
