"""Spaced recall storage: items, the answer log, the setting, and the pick a check-in claim makes.

An answer is counted by inserting its log row, keyed (user, source); the schedule moves in the same
transaction. A second press of the same answer finds the key taken and changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, false, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core import spacing
from bot.core.records import AnswerOutcome, NewRecallItem, RecallAnswerRecord, RecallItemRecord, RecallStats
from bot.store.claims import insert_once
from bot.store.models import RecallAnswer, RecallItem, RecallSetting


def pick_for_checkin(session: Session, user_id: int, at: datetime) -> str | None:
    """The recall question a check-in due `at` carries: the longest-due item, unless recall in
    check-ins is off. Called inside the check-in claim's transaction."""
    off = select(RecallSetting.user_id).where(RecallSetting.user_id == user_id, RecallSetting.in_checkins == false())
    return session.scalar(_due_query(user_id, at).where(~off.exists()).with_only_columns(RecallItem.question_id)
                          .limit(1))


def _due_query(user_id: int, now: datetime) -> Select[Any]:
    return (select(RecallItem)
            .where(RecallItem.user_id == user_id, RecallItem.retired == false(), RecallItem.due_at <= now)
            .order_by(RecallItem.due_at, RecallItem.id))


def _record(row: RecallItem) -> RecallItemRecord:
    return RecallItemRecord(row.question_id, row.topic_id, row.skill_id, row.due_at, row.interval_days,
                            row.streak, row.retired, row.right_count, row.wrong_count)


class RecallStore:
    """Implements core's RecallStorePort; every method is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    def add_items(self, user_id: int, items: list[NewRecallItem]) -> int:
        """Add the items not there yet (a step done twice, or a backfill, adds nothing)."""
        added = 0
        with self._sessions.begin() as session:
            for item in items:
                new_id = insert_once(session, RecallItem, user_id=user_id, question_id=item.question_id,
                                     topic_id=item.topic_id, skill_id=item.skill_id, due_at=item.due_at,
                                     interval_days=item.interval_days, streak=0, retired=False, right_count=0,
                                     wrong_count=0, created_at=self._now())
                added += new_id is not None
        return added

    def due(self, user_id: int, now: datetime, limit: int,
            exclude: frozenset[str] = frozenset()) -> list[RecallItemRecord]:
        with self._sessions() as session:
            query = _due_query(user_id, now).where(RecallItem.question_id.not_in(exclude)).limit(limit)
            return [_record(r) for r in session.scalars(query)]

    def practice(self, user_id: int, limit: int, exclude: frozenset[str] = frozenset()) -> list[RecallItemRecord]:
        """Items to practise when none is due: the soonest due first, retired ones last."""
        with self._sessions() as session:
            rows = session.scalars(
                select(RecallItem).where(RecallItem.user_id == user_id, RecallItem.question_id.not_in(exclude))
                .order_by(RecallItem.retired, RecallItem.due_at, RecallItem.id).limit(limit))
            return [_record(r) for r in rows]

    def item(self, user_id: int, question_id: str) -> RecallItemRecord | None:
        with self._sessions() as session:
            row = session.scalar(select(RecallItem).where(RecallItem.user_id == user_id,
                                                          RecallItem.question_id == question_id))
            return _record(row) if row else None

    def answer(self, user_id: int, question_id: str, source: str, chosen: int, right: bool,
               now: datetime) -> AnswerOutcome:
        """Count the answer once per source and move the item's schedule in the same transaction."""
        with self._sessions.begin() as session:
            logged = insert_once(session, RecallAnswer, user_id=user_id, question_id=question_id, source=source[:80],
                                 chosen=chosen, right=right, at=now)
            row = session.scalar(select(RecallItem).where(RecallItem.user_id == user_id,
                                                          RecallItem.question_id == question_id).with_for_update())
            if logged is None:
                return AnswerOutcome(False, _record(row) if row else None)
            if row is None:
                return AnswerOutcome(True, None)
            moved = spacing.after_answer(
                spacing.Spacing(row.due_at, row.interval_days, row.streak, row.retired), right, now)
            row.due_at, row.interval_days, row.streak, row.retired = (moved.due_at, moved.interval_days,
                                                                      moved.streak, moved.retired)
            row.right_count += int(right)
            row.wrong_count += int(not right)
            row.answered_at = now
            return AnswerOutcome(True, _record(row))

    def answered_in(self, user_id: int, source_prefix: str) -> list[str]:
        """Question ids answered under sources starting with the prefix (one review session)."""
        with self._sessions() as session:
            return list(session.scalars(select(RecallAnswer.question_id).where(
                RecallAnswer.user_id == user_id, RecallAnswer.source.startswith(source_prefix, autoescape=True))))

    def stats(self, user_id: int, now: datetime) -> RecallStats:
        with self._sessions() as session:
            items, right, wrong = session.execute(
                select(func.count(), func.coalesce(func.sum(RecallItem.right_count), 0),
                       func.coalesce(func.sum(RecallItem.wrong_count), 0))
                .where(RecallItem.user_id == user_id)).one()
            due = session.scalar(_due_query(user_id, now).with_only_columns(func.count()).order_by(None)) or 0
            return RecallStats(answered=int(right) + int(wrong), right=int(right), due=due, items=items)

    def items(self, user_id: int) -> list[RecallItemRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(RecallItem).where(RecallItem.user_id == user_id)
                                   .order_by(RecallItem.due_at, RecallItem.id))
            return [_record(r) for r in rows]

    def answers(self, user_id: int) -> list[RecallAnswerRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(RecallAnswer).where(RecallAnswer.user_id == user_id)
                                   .order_by(RecallAnswer.at, RecallAnswer.id))
            return [RecallAnswerRecord(r.question_id, r.source, r.chosen, r.right, r.at) for r in rows]

    def checkins_on(self, user_id: int) -> bool:
        with self._sessions() as session:
            setting = session.get(RecallSetting, user_id)
            return setting is None or setting.in_checkins

    def set_checkins(self, user_id: int, on: bool) -> None:
        for _ in range(2):  # two first toggles at once: the loser updates the winner's row
            with self._sessions() as session:
                setting = session.get(RecallSetting, user_id)
                if setting is None:
                    session.add(RecallSetting(user_id=user_id, in_checkins=on, updated_at=self._now()))
                else:
                    setting.in_checkins, setting.updated_at = on, self._now()
                try:
                    session.commit()
                    return
                except IntegrityError:
                    session.rollback()
