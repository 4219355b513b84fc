"""Users, enrollments and step events: the bot's memory of where each learner is."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.model import UserRef
from bot.core.records import EnrollmentRecord, StepOutcome, StepRecord, UserRecord
from bot.core.states import EnrollmentStatus
from bot.store.claims import changed
from bot.store.models import Enrollment, StepEvent, User
from bot.store.records import enrollment_record, step_record, user_record

log = logging.getLogger(__name__)


class TrackStore:
    """Data access for tracks; every method is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    # -- users ------------------------------------------------------------------------------
    def _find_user_row(self, session: Session, ref: UserRef) -> User | None:
        return session.scalar(select(User).where(
            User.platform == ref.platform, User.workspace == ref.workspace, User.platform_user_id == ref.user_id
        ))

    def find_user(self, ref: UserRef) -> UserRecord | None:
        with self._sessions() as session:
            row = self._find_user_row(session, ref)
            return user_record(row) if row else None

    def ensure_user(self, ref: UserRef, default_tz: str = "UTC") -> UserRecord:
        """Get or create; safe when two requests create the same user at once."""
        for _ in range(3):
            with self._sessions() as session:
                row = self._find_user_row(session, ref)
                if row is None:
                    row = User(
                        platform=ref.platform, workspace=ref.workspace, platform_user_id=ref.user_id,
                        display_name=ref.name[:120], created_at=self._now(), checkin_tz=default_tz,
                    )
                    session.add(row)
                else:
                    if ref.name and row.display_name != ref.name[:120]:
                        row.display_name = ref.name[:120]
                    if row.unreachable_since is not None:  # they wrote to us: DMs work again
                        row.unreachable_since = None
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    continue
                return user_record(row)
        raise RuntimeError("could not create user after retries")

    def user_by_id(self, user_id: int) -> UserRecord | None:
        with self._sessions() as session:
            row = session.get(User, user_id)
            return user_record(row) if row else None

    def set_schedule(self, user_id: int, weekday: int, minute: int, tz: str) -> None:
        with self._sessions.begin() as session:
            session.execute(update(User).where(User.id == user_id).values(
                checkin_weekday=weekday, checkin_minute=minute, checkin_tz=tz, schedule_set=True,
            ))

    def reset_unanswered(self, user_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(User).where(User.id == user_id).values(unanswered_checkins=0))

    def forget(self, ref: UserRef) -> bool:
        """Delete the user and, by cascade, everything stored about them."""
        with self._sessions.begin() as session:
            row = self._find_user_row(session, ref)
            if row is None:
                return False
            session.execute(delete(User).where(User.id == row.id))
            return True

    # -- enrollments ------------------------------------------------------------------------
    def enrollments(self, user_id: int) -> list[EnrollmentRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(Enrollment).where(Enrollment.user_id == user_id)
                                   .order_by(Enrollment.updated_at.desc(), Enrollment.id.desc()))
            return [enrollment_record(r) for r in rows]

    def current(self, user_id: int) -> EnrollmentRecord | None:
        """The active enrollment, else the most recent paused one."""
        for record in self.enrollments(user_id):
            if record.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED):
                return record
        return None

    def enrollment(self, enrollment_id: int) -> EnrollmentRecord | None:
        with self._sessions() as session:
            row = session.get(Enrollment, enrollment_id)
            return enrollment_record(row) if row else None

    def join(self, user_id: int, track_id: str, next_checkin: datetime | None) -> tuple[EnrollmentRecord, bool]:
        """Make track_id the user's active track; other tracks keep their progress as 'left'.

        Returns the enrollment and whether it resumed an earlier one.
        """
        now = self._now()
        with self._sessions.begin() as session:
            session.execute(update(Enrollment).where(
                Enrollment.user_id == user_id, Enrollment.track_id != track_id,
                Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)),
            ).values(status=EnrollmentStatus.LEFT, next_checkin_at=None, updated_at=now))
            row = session.scalar(select(Enrollment).where(
                Enrollment.user_id == user_id, Enrollment.track_id == track_id))
            resumed = row is not None
            if row is None:
                row = Enrollment(user_id=user_id, track_id=track_id, current_step=0, started_at=now)
                session.add(row)
            if row.status != EnrollmentStatus.FINISHED:
                row.status = EnrollmentStatus.ACTIVE
                row.next_checkin_at = next_checkin
            row.updated_at = now
            session.flush()
            return enrollment_record(row), resumed

    def set_status(self, enrollment_id: int, status: str, next_checkin: datetime | None = None) -> EnrollmentRecord:
        with self._sessions.begin() as session:
            row = session.get(Enrollment, enrollment_id)
            if row is None:
                raise LookupError(f"no enrollment {enrollment_id}")
            if status == EnrollmentStatus.ACTIVE:  # another track may have become active meanwhile
                session.execute(update(Enrollment).where(
                    Enrollment.user_id == row.user_id, Enrollment.id != row.id, Enrollment.status == EnrollmentStatus.ACTIVE,
                ).values(status=EnrollmentStatus.LEFT, next_checkin_at=None, updated_at=self._now()))
            row.status = status
            row.next_checkin_at = next_checkin
            row.updated_at = self._now()
            return enrollment_record(row)

    def set_next_checkin(self, enrollment_id: int, next_checkin: datetime | None) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Enrollment).where(Enrollment.id == enrollment_id)
                            .values(next_checkin_at=next_checkin))

    def record_step(
        self, enrollment_id: int, step_index: int, kind: str, total_steps: int, note: str | None,
        next_checkin: datetime | None = None,
    ) -> StepOutcome:
        """Finish or skip step_index, if it is still the current step.

        Compare-and-set on current_step plus the (enrollment, step) unique key: of any number of
        concurrent presses for the same step, exactly one is recorded.
        """
        now = self._now()
        finished = step_index + 1 >= total_steps
        values = {"current_step": step_index + 1, "updated_at": now}
        if finished:
            values |= {"status": EnrollmentStatus.FINISHED, "finished_at": now, "next_checkin_at": None}
        elif next_checkin is not None:
            values["next_checkin_at"] = next_checkin
        with self._sessions() as session:
            try:
                moved = changed(session.execute(update(Enrollment).where(
                    Enrollment.id == enrollment_id, Enrollment.current_step == step_index,
                    Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)),
                ).values(**values)))
                if moved:
                    session.add(StepEvent(enrollment_id=enrollment_id, step_index=step_index, kind=kind,
                                          at=now, note=note or None))
                session.commit()
            except IntegrityError:
                session.rollback()
                moved = 0
            row = session.get(Enrollment, enrollment_id)
            session.refresh(row)
            return StepOutcome(bool(moved), enrollment_record(row))

    def undo_step(self, enrollment_id: int, step_index: int, next_checkin: datetime | None) -> bool:
        """Take back step_index (done or skipped), if it is still the last one recorded.

        Compare-and-set on current_step, so a double press or a race undoes at most once.
        """
        with self._sessions.begin() as session:
            moved = changed(session.execute(update(Enrollment).where(
                Enrollment.id == enrollment_id, Enrollment.current_step == step_index + 1,
                Enrollment.status.in_((EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.FINISHED)),
            ).values(current_step=step_index, updated_at=self._now(), finished_at=None)))
            if not moved:
                return False
            row = session.get(Enrollment, enrollment_id)
            if row is not None and row.status == EnrollmentStatus.FINISHED:
                row.status, row.next_checkin_at = EnrollmentStatus.ACTIVE, next_checkin
            session.execute(delete(StepEvent).where(StepEvent.enrollment_id == enrollment_id,
                                                    StepEvent.step_index == step_index))
            return True

    def steps(self, enrollment_id: int) -> list[StepRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(StepEvent).where(StepEvent.enrollment_id == enrollment_id)
                                   .order_by(StepEvent.step_index))
            return [step_record(r) for r in rows]

    def user_steps(self, user_id: int) -> list[StepRecord]:
        with self._sessions() as session:
            rows = session.scalars(select(StepEvent).join(Enrollment)
                                   .where(Enrollment.user_id == user_id).order_by(StepEvent.at))
            return [step_record(r) for r in rows]
