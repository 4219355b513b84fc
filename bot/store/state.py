"""Small key/value facts the process keeps between runs (table bot_state), e.g. the last synced command hash."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select, text

from bot.core.states import EnrollmentStatus
from bot.store.db import make_session_factory
from bot.store.models import BotState, Enrollment, TeamChannel


class StateStore:
    """Reads and writes bot_state rows; one short transaction each."""

    def __init__(self, engine: Engine):
        self._sessions = make_session_factory(engine)

    def get(self, key: str) -> str | None:
        with self._sessions() as session:
            row = session.get(BotState, key)
            return row.value if row else None

    def set(self, key: str, value: str) -> None:
        with self._sessions() as session, session.begin():
            row = session.get(BotState, key)
            if row is None:
                session.add(BotState(key=key, value=value, updated_at=datetime.now(UTC)))
            else:
                row.value, row.updated_at = value, datetime.now(UTC)


def ping(engine: Engine) -> None:
    """Raises when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def schedule_summary(engine: Engine, now: datetime) -> tuple[int, datetime | None, datetime | None]:
    """For doctor: check-ins due now, the next check-in instant and the next digest instant."""
    with make_session_factory(engine)() as session:
        active = Enrollment.status == EnrollmentStatus.ACTIVE
        due = session.scalar(select(func.count()).where(active, Enrollment.next_checkin_at <= now)) or 0
        upcoming = session.scalar(select(func.min(Enrollment.next_checkin_at)).where(active))
        digest = session.scalar(select(func.min(TeamChannel.next_digest_at)).where(TeamChannel.active.is_(True)))
    return due, upcoming, digest
