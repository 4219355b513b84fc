"""The question log: record, vote, count and purge (table question_log). One short transaction each."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.records import QuestionRecord
from bot.core.states import QuestionOutcome
from bot.store.models import QuestionLog

RETENTION = timedelta(days=90)


def question_record(row: QuestionLog) -> QuestionRecord:
    return QuestionRecord(row.id, row.asked_at, row.outcome, row.question, row.skill_id, row.topic_id, row.vote)


class QuestionLogStore:
    """Implements core's QuestionLogPort. Every write also deletes rows past the retention, so the
    90-day promise holds without relying on the scheduler running."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    def record(self, outcome: str, question: str, skill_id: str | None, topic_id: str | None) -> int:
        now = self._now()
        with self._sessions() as session, session.begin():
            self._purge(session, now)
            row = QuestionLog(asked_at=now, outcome=outcome, question=question[:300], skill_id=skill_id,
                              topic_id=topic_id)
            session.add(row)
            session.flush()
            return row.id

    def vote(self, entry_id: int, vote: str) -> bool:
        """Set (or change) the vote on an answer; False when the entry is gone (purged)."""
        with self._sessions() as session, session.begin():
            self._purge(session, self._now())
            result = session.execute(update(QuestionLog).where(QuestionLog.id == entry_id).values(vote=vote))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def most_asked(self, skill_id: str, since: datetime) -> list[str]:
        """The skill's topic ids, most answered first (ties by id, so the order is stable)."""
        count = func.count().label("n")
        query = (select(QuestionLog.topic_id, count)
                 .where(QuestionLog.skill_id == skill_id, QuestionLog.topic_id.is_not(None),
                        QuestionLog.outcome == QuestionOutcome.ANSWERED, QuestionLog.asked_at >= since)
                 .group_by(QuestionLog.topic_id).order_by(count.desc(), QuestionLog.topic_id))
        with self._sessions() as session:
            return [topic_id for topic_id, _ in session.execute(query) if topic_id]

    def since(self, since: datetime) -> list[QuestionRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(QuestionLog).where(QuestionLog.asked_at >= since)
                                   .order_by(QuestionLog.id))
            return [question_record(r) for r in rows]

    def purge(self) -> int:
        """Delete rows older than the retention; the number deleted."""
        with self._sessions() as session, session.begin():
            return self._purge(session, self._now())

    @staticmethod
    def _purge(session: Session, now: datetime) -> int:
        result = session.execute(delete(QuestionLog).where(QuestionLog.asked_at < now - RETENTION))
        return int(result.rowcount)  # type: ignore[attr-defined]
