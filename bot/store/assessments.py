"""Placement assessments and their answers: data access, one short transaction each, records out.

An answer is stored only at the position the assessment has reached: the (assessment, position)
unique key makes a double click or a stale button record nothing, and (assessment, question)
makes a repeated question impossible.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.records import AnswerRecord, AssessmentRecord
from bot.core.states import AssessmentStatus
from bot.store.claims import changed
from bot.store.models import Assessment, AssessmentAnswer


def answer_record(row: AssessmentAnswer) -> AnswerRecord:
    return AnswerRecord(row.position, row.question_id, row.topic_id, row.level, row.chosen, row.correct, row.at)


def assessment_record(row: Assessment, answers: list[AssessmentAnswer]) -> AssessmentRecord:
    return AssessmentRecord(row.id, row.user_id, row.skill_id, row.status, row.level, row.started_at,
                            row.finished_at, tuple(answer_record(a) for a in sorted(answers, key=lambda a: a.position)))


class AssessmentStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    def _records(self, session: Session, rows: list[Assessment]) -> list[AssessmentRecord]:
        """The assessments with their answers, in one more query."""
        ids = [r.id for r in rows]
        answers: dict[int, list[AssessmentAnswer]] = {}
        if ids:
            for a in session.scalars(select(AssessmentAnswer).where(AssessmentAnswer.assessment_id.in_(ids))):
                answers.setdefault(a.assessment_id, []).append(a)
        return [assessment_record(r, answers.get(r.id, [])) for r in rows]

    def start(self, user_id: int, skill_id: str) -> AssessmentRecord:
        """A fresh assessment; an open one for the same skill is abandoned (restart)."""
        for _ in range(3):
            with self._sessions() as session:
                session.execute(update(Assessment).where(
                    Assessment.user_id == user_id, Assessment.skill_id == skill_id,
                    Assessment.status == AssessmentStatus.OPEN).values(status=AssessmentStatus.ABANDONED))
                row = Assessment(user_id=user_id, skill_id=skill_id, status=AssessmentStatus.OPEN,
                                 started_at=self._now())
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:  # a second start raced us to the one-open index: try again
                    session.rollback()
                    continue
                return assessment_record(row, [])
        raise RuntimeError("could not start an assessment after retries")

    def get(self, assessment_id: int) -> AssessmentRecord | None:
        with self._sessions() as session:
            row = session.get(Assessment, assessment_id)
            return self._records(session, [row])[0] if row else None

    def open_for(self, user_id: int, skill_id: str) -> AssessmentRecord | None:
        with self._sessions() as session:
            row = session.scalar(select(Assessment).where(
                Assessment.user_id == user_id, Assessment.skill_id == skill_id,
                Assessment.status == AssessmentStatus.OPEN))
            return self._records(session, [row])[0] if row else None

    def record_answer(self, assessment_id: int, answer: AnswerRecord) -> bool:
        """Store the answer if the assessment is open and at this position; False otherwise."""
        with self._sessions() as session:
            row = session.get(Assessment, assessment_id)
            if row is None or row.status != AssessmentStatus.OPEN:
                return False
            session.add(AssessmentAnswer(
                assessment_id=assessment_id, position=answer.position, question_id=answer.question_id,
                topic_id=answer.topic_id, level=answer.level, chosen=answer.chosen, correct=answer.correct,
                at=answer.at))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def finish(self, assessment_id: int, level: str) -> AssessmentRecord | None:
        """Close an open assessment with its level; None when it was not open (finished twice)."""
        with self._sessions() as session:
            moved = changed(session.execute(update(Assessment).where(
                Assessment.id == assessment_id, Assessment.status == AssessmentStatus.OPEN,
            ).values(status=AssessmentStatus.FINISHED, level=level, finished_at=self._now())))
            session.commit()
        return self.get(assessment_id) if moved else None

    def latest(self, user_id: int, skill_id: str) -> AssessmentRecord | None:
        """The most recent finished assessment of this skill."""
        with self._sessions() as session:
            row = session.scalar(select(Assessment).where(
                Assessment.user_id == user_id, Assessment.skill_id == skill_id,
                Assessment.status == AssessmentStatus.FINISHED,
            ).order_by(Assessment.finished_at.desc(), Assessment.id.desc()).limit(1))
            return self._records(session, [row])[0] if row else None

    def latest_level(self, user_id: int, skill_id: str) -> str | None:
        """The level of the most recent finished assessment (new|entry|mid|senior), or None."""
        with self._sessions() as session:
            return session.scalar(select(Assessment.level).where(
                Assessment.user_id == user_id, Assessment.skill_id == skill_id,
                Assessment.status == AssessmentStatus.FINISHED,
            ).order_by(Assessment.finished_at.desc(), Assessment.id.desc()).limit(1))

    def history(self, user_id: int) -> list[AssessmentRecord]:
        """Every assessment of the user with its answers, oldest first (for export)."""
        with self._sessions() as session:
            rows = list(session.scalars(select(Assessment).where(Assessment.user_id == user_id)
                                        .order_by(Assessment.started_at, Assessment.id)))
            return self._records(session, rows)

    def levels_for(self, user_ids: list[int]) -> dict[int, dict[str, tuple[str, datetime]]]:
        """user id -> skill -> (latest level, when), for finished assessments only."""
        out: dict[int, dict[str, tuple[str, datetime]]] = {}
        if not user_ids:
            return out
        with self._sessions() as session:
            rows = session.execute(select(Assessment.user_id, Assessment.skill_id, Assessment.level,
                                          Assessment.finished_at)
                                   .where(Assessment.user_id.in_(user_ids),
                                          Assessment.status == AssessmentStatus.FINISHED)
                                   .order_by(Assessment.finished_at, Assessment.id))
            for user_id, skill_id, level, at in rows:  # oldest first, so the latest wins
                if level is not None and at is not None:
                    out.setdefault(user_id, {})[skill_id] = (level, at)
        return out
