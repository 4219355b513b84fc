"""The schema. Invariants live here as constraints, not only in code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
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

from bot.core.states import CheckinStatus, DigestStatus, EnrollmentStatus, sql_in
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
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
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


class SeenSignature(Base):
    """Slack request signatures already answered: a replay to any replica (or after a restart) is refused.

    Rows older than Slack's 5-minute timestamp window are useless (bolt refuses the timestamp) and
    are pruned as new ones arrive.
    """

    __tablename__ = "slack_seen_signatures"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
