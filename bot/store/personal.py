"""Everything stored about one user, for `/skill export`: the rows of every table that points at them.

Columns are read from the models, not listed by hand, so a column added later (say, a stored DM
channel id) is exported without anyone remembering to add it here. Features with their own tables
add them through `Deps.exporters` the same way.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.records import UserRecord
from bot.store.models import Base, CheckinDelivery, Enrollment, MilestonePost, TeamChannel, User

# Internal bookkeeping, not facts about the person: which process held a claim, and our row ids.
_SKIP = {"id", "user_id", "enrollment_id", "claimed_by", "claimed_at", "admin_user_id"}


def _plain(row: Base) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        if column.key in _SKIP:
            continue
        value = getattr(row, column.key)
        out[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return out


class PersonalData:
    """An exporter (see Deps.exporters): the user's row, check-in history and answers, milestones and
    the team channels they administer."""

    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions

    def __call__(self, user: UserRecord) -> dict[str, Any]:
        with self._sessions() as session:
            row = session.get(User, user.id)
            checkins = session.execute(
                select(Enrollment.track_id, CheckinDelivery).join(Enrollment)
                .where(Enrollment.user_id == user.id).order_by(CheckinDelivery.due_at)).all()
            milestones = session.scalars(select(MilestonePost).where(MilestonePost.user_id == user.id)
                                         .order_by(MilestonePost.at)).all()
            channels = session.scalars(select(TeamChannel).where(TeamChannel.admin_user_id == user.id)
                                       .order_by(TeamChannel.created_at)).all()
            return {
                "stored_profile": _plain(row) if row is not None else {},
                "checkins": [{"track": track, **_plain(delivery)} for track, delivery in checkins],
                "milestones": [_plain(m) for m in milestones],
                "channels_you_administer": [_plain(c) for c in channels],
            }
