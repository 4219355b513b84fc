"""Check-in claims and deliveries: the database decides who sends what, exactly once a week.

A check-in is claimed by inserting its delivery row, keyed (enrollment, ISO week, attempt), in the
same transaction that moves the enrollment's next instant a week on. A second dispatcher racing
for the same row either skips it (PostgreSQL: FOR UPDATE SKIP LOCKED) or loses on the unique key.

Fencing: a claim can pass to another process once its lease runs out, so the sender moves it to
"sending" with a compare-and-set on (id, owner, "claimed") and sends only the rows it won; every
outcome is written only where the row is still this process's.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.core.records import SNOOZED, WEEKLY, CheckinDeliveryRecord, Due, Outcome
from bot.core.schedule import Weekly, latest_occurrence, next_occurrence, week_key
from bot.core.states import CheckinStatus, EnrollmentStatus
from bot.store.claims import changed, commit_claims, insert_once
from bot.store.models import CheckinDelivery, Enrollment, User
from bot.store.recall import pick_for_checkin

# A check-in missed by more than this (downtime) is skipped to next week instead of sent late.
LATE_LIMIT = timedelta(hours=12)
# A claim not marked sent within this time belonged to a process that died. If its send had not
# begun it is sent again; if the send was in flight when the process died it may have arrived, so
# it is given up ("lost") rather than risk the same check-in twice.
LEASE = timedelta(minutes=5)
def catch_up(weekly: Weekly, due_at: datetime, now: datetime) -> datetime:
    """The occurrence to send for one due at `due_at`: itself while fresh; after a long outage the
    latest occurrence up to `now` (sent if it is fresh, skipped with the rest when it is not too)."""
    if now - due_at <= LATE_LIMIT:
        return due_at
    return max(due_at, latest_occurrence(weekly, now))


class CheckinStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    # -- claiming ---------------------------------------------------------------------------
    def claim_due(self, now: datetime, worker: str, platforms: list[str], limit: int = 200) -> tuple[list[Due], int]:
        """Claim up to `limit` weekly check-ins due at `now` for users on `platforms` (those this
        process can send to). Returns (claimed, skipped as stale)."""
        claimed: list[Due] = []
        stale = 0
        with self._sessions() as session:
            rows = session.execute(
                select(Enrollment, User).join(User, User.id == Enrollment.user_id)
                .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.next_checkin_at <= now,
                       User.unreachable_since.is_(None), User.platform.in_(platforms))
                .order_by(Enrollment.next_checkin_at).limit(limit)
                .with_for_update(of=Enrollment, skip_locked=True)
            ).all()
            for enrollment, user in rows:
                weekly = Weekly(user.checkin_weekday, user.checkin_minute, user.checkin_tz)
                overdue = enrollment.next_checkin_at
                if overdue is None:  # not possible under the query's filter; keeps the type honest
                    continue
                due_at = catch_up(weekly, overdue, now)
                # The overdue one is skipped when stale, whether or not a later, fresh one is sent instead.
                stale += int(due_at != overdue or now - due_at > LATE_LIMIT)
                enrollment.next_checkin_at = next_occurrence(weekly, max(due_at, now))
                if now - due_at > LATE_LIMIT:
                    continue
                week = week_key(due_at, user.checkin_tz)
                recall = pick_for_checkin(session, user.id, due_at)  # recorded with the delivery, same transaction
                delivery_id = insert_once(
                    session, CheckinDelivery, enrollment_id=enrollment.id, week=week, attempt=WEEKLY,
                    step_index=enrollment.current_step, due_at=due_at, status=CheckinStatus.CLAIMED,
                    claimed_by=worker, claimed_at=now, recall_question=recall,
                )
                if delivery_id is None:  # this week's check-in already exists (e.g. schedule changed)
                    continue
                claimed.append(_due(delivery_id, enrollment, user, week, WEEKLY, enrollment.current_step, due_at,
                                    recall))
            if not commit_claims(session):
                return [], stale
        return claimed, stale

    def claim_pending(self, now: datetime, worker: str, platforms: list[str], limit: int = 200) -> list[Due]:
        """Claim deliveries that exist but were not sent: snoozed repeats now due, claims released
        at shutdown or left behind by a crashed process, and rate-limited ones waiting to retry."""
        claimed: list[Due] = []
        with self._sessions.begin() as session:
            rows = session.execute(
                select(CheckinDelivery, Enrollment, User)
                .join(Enrollment, Enrollment.id == CheckinDelivery.enrollment_id)
                .join(User, User.id == Enrollment.user_id)
                .where(
                    CheckinDelivery.due_at <= now, User.platform.in_(platforms),
                    or_(
                        CheckinDelivery.status.in_((CheckinStatus.SCHEDULED, CheckinStatus.RELEASED)),
                        (CheckinDelivery.status.in_((CheckinStatus.CLAIMED, CheckinStatus.RETRY, CheckinStatus.SENDING)))
                        & (CheckinDelivery.claimed_at <= now - LEASE),
                    ),
                )
                .order_by(CheckinDelivery.due_at).limit(limit)
                .with_for_update(of=CheckinDelivery, skip_locked=True)
            ).all()
            for delivery, enrollment, user in rows:
                if delivery.status == CheckinStatus.SENDING:  # died mid-send: it may have arrived
                    delivery.status = CheckinStatus.LOST
                    continue
                if now - delivery.due_at > LATE_LIMIT or enrollment.status != EnrollmentStatus.ACTIVE or user.unreachable_since:
                    delivery.status = CheckinStatus.EXPIRED
                    continue
                delivery.status, delivery.claimed_by, delivery.claimed_at = CheckinStatus.CLAIMED, worker, now
                claimed.append(_due(delivery.id, enrollment, user, delivery.week, delivery.attempt,
                                    enrollment.current_step, delivery.due_at, delivery.recall_question))
        return claimed

    # -- outcomes ---------------------------------------------------------------------------
    def mark_sending(self, dues: list[Due], worker: str, now: datetime) -> list[Due]:
        """Move this process's claims to "sending" just before the platform calls; returns only the rows
        won. A claim whose lease ran out and was taken by another process is not ours to send."""
        if not dues:
            return []
        with self._sessions.begin() as session:
            won = set(session.scalars(update(CheckinDelivery).where(
                CheckinDelivery.id.in_([d.delivery_id for d in dues]), CheckinDelivery.claimed_by == worker,
                CheckinDelivery.status == CheckinStatus.CLAIMED,
            ).values(status=CheckinStatus.SENDING, claimed_at=now).returning(CheckinDelivery.id)))
        return [d for d in dues if d.delivery_id in won]

    def record(self, outcomes: list[Outcome], now: datetime, worker: str) -> None:
        """Store how each send ended, in one transaction for the group; only rows still this worker's
        (a send outlasting its lease may have been marked "lost" meanwhile: what happened wins)."""
        by_status: dict[str, list[Outcome]] = {}
        for outcome in outcomes:
            by_status.setdefault(outcome.status, []).append(outcome)
        with self._sessions.begin() as session:
            for status, group in by_status.items():
                self._record(session, status, group, now, worker)
            opened = [(o.due.user_id, o.dm_channel) for o in outcomes if o.dm_channel]
            for user_id, channel in opened:
                session.execute(update(User).where(User.id == user_id).values(dm_channel_id=channel))

    def _record(self, session: Session, status: str, group: list[Outcome], now: datetime, worker: str) -> None:
        ours = (CheckinDelivery.claimed_by == worker,
                CheckinDelivery.status.in_((CheckinStatus.SENDING, CheckinStatus.LOST, CheckinStatus.CLAIMED)))
        ids = [o.due.delivery_id for o in group]
        if status in (CheckinStatus.SENT, CheckinStatus.PAUSED):
            won = set(session.scalars(update(CheckinDelivery).where(CheckinDelivery.id.in_(ids), *ours)
                                      .values(status=status, sent_at=now, error=None)
                                      .returning(CheckinDelivery.id)))
            group = [o for o in group if o.due.delivery_id in won]
            users = [o.due.user_id for o in group]
            if status == CheckinStatus.SENT:  # the counter rises once per delivery row, whoever records
                weekly = [o.due.user_id for o in group if o.due.attempt == WEEKLY]
                session.execute(update(User).where(User.id.in_(weekly))
                                .values(unanswered_checkins=User.unanswered_checkins + 1))
            else:
                session.execute(update(Enrollment).where(Enrollment.id.in_([o.due.enrollment_id for o in group]))
                                .values(status=EnrollmentStatus.PAUSED, next_checkin_at=None, updated_at=now))
                session.execute(update(User).where(User.id.in_(users)).values(unanswered_checkins=0))
            return
        # unreachable, retry, failed, released, uncertain: `retry` waits out a lease first
        won_users = []
        for outcome in group:
            if changed(session.execute(update(CheckinDelivery).where(CheckinDelivery.id == outcome.due.delivery_id, *ours)
                                       .values(status=status, claimed_at=now, error=outcome.error[:200] or None))):
                won_users.append(outcome.due.user_id)
        if status == CheckinStatus.UNREACHABLE and won_users:
            session.execute(update(User).where(User.id.in_(won_users)).values(unreachable_since=now))

    def release_all(self, worker: str) -> int:
        """At shutdown: hand unsent claims back so the next process sends them without waiting."""
        with self._sessions.begin() as session:
            return changed(session.execute(update(CheckinDelivery).where(
                CheckinDelivery.claimed_by == worker, CheckinDelivery.status == CheckinStatus.CLAIMED,
            ).values(status=CheckinStatus.RELEASED)))

    # -- buttons ----------------------------------------------------------------------------
    def delivery(self, delivery_id: int) -> CheckinDeliveryRecord | None:
        with self._sessions() as session:
            row = session.get(CheckinDelivery, delivery_id)
            return CheckinDeliveryRecord(row.id, row.enrollment_id, row.week, row.attempt, row.step_index,
                                         row.status, row.answer, row.recall_question) if row else None

    def is_latest_week(self, delivery: CheckinDeliveryRecord) -> bool:
        with self._sessions() as session:
            latest = session.scalar(
                select(CheckinDelivery.week).where(CheckinDelivery.enrollment_id == delivery.enrollment_id,
                                                   CheckinDelivery.attempt == WEEKLY)
                .order_by(CheckinDelivery.due_at.desc()).limit(1))
            return latest == delivery.week

    def answer(self, delivery_id: int, answer: str, user_id: int) -> None:
        """Record the first answer to a check-in; any answer means the user is listening."""
        with self._sessions.begin() as session:
            session.execute(update(CheckinDelivery).where(
                CheckinDelivery.id == delivery_id, CheckinDelivery.answer.is_(None)).values(answer=answer))
            session.execute(update(User).where(User.id == user_id).values(unanswered_checkins=0))

    def snooze(self, delivery: CheckinDeliveryRecord, due_at: datetime) -> bool:
        """Schedule this week's repeat once; False when it was already snoozed."""
        with self._sessions.begin() as session:
            new_id = insert_once(session, CheckinDelivery,
                                 enrollment_id=delivery.enrollment_id, week=delivery.week, attempt=SNOOZED,
                                 step_index=delivery.step_index, due_at=due_at, status=CheckinStatus.SCHEDULED)
            return new_id is not None

    def counts(self) -> dict[str, int]:
        """Deliveries by status, for doctor and benchmarks."""
        with self._sessions() as session:
            return dict(session.execute(select(CheckinDelivery.status, func.count())
                                        .group_by(CheckinDelivery.status)).all())

    def preview_due(self, now: datetime, platforms: list[str]) -> list[Due]:
        """Read-only, for --dry-run: what claim_due and claim_pending would pick up at `now` (ids 0 for new ones)."""
        with self._sessions() as session:
            rows = session.execute(
                select(Enrollment, User).join(User, User.id == Enrollment.user_id)
                .where(Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.next_checkin_at <= now,
                       User.unreachable_since.is_(None), User.platform.in_(platforms))
                .order_by(Enrollment.next_checkin_at)
            ).all()
            dues = []
            for enrollment, user in rows:
                due_at = enrollment.next_checkin_at
                if due_at is None or now - due_at > LATE_LIMIT:
                    continue
                week = week_key(due_at, user.checkin_tz)
                if session.scalar(select(CheckinDelivery.id).where(
                        CheckinDelivery.enrollment_id == enrollment.id, CheckinDelivery.week == week,
                        CheckinDelivery.attempt == WEEKLY)) is None:
                    dues.append(_due(0, enrollment, user, week, WEEKLY, enrollment.current_step, due_at))
            pending = session.execute(
                select(CheckinDelivery, Enrollment, User)
                .join(Enrollment, Enrollment.id == CheckinDelivery.enrollment_id)
                .join(User, User.id == Enrollment.user_id)
                .where(CheckinDelivery.due_at <= now, CheckinDelivery.due_at > now - LATE_LIMIT,
                       User.platform.in_(platforms), User.unreachable_since.is_(None),
                       Enrollment.status == EnrollmentStatus.ACTIVE,
                       CheckinDelivery.status.in_((CheckinStatus.SCHEDULED, CheckinStatus.RELEASED)))
            ).all()
            dues += [_due(d.id, e, u, d.week, d.attempt, e.current_step, d.due_at) for d, e, u in pending]
        return dues

    def next_due(self, limit: int = 3) -> list[datetime]:
        with self._sessions() as session:
            return list(session.scalars(select(Enrollment.next_checkin_at).where(
                Enrollment.status == EnrollmentStatus.ACTIVE, Enrollment.next_checkin_at.is_not(None))
                .order_by(Enrollment.next_checkin_at).limit(limit)))


def _due(delivery_id: int, enrollment: Enrollment, user: User, week: str, attempt: int, step: int,
         due_at: datetime, recall_question: str | None = None) -> Due:
    return Due(
        delivery_id=delivery_id, enrollment_id=enrollment.id, user_id=user.id, week=week, attempt=attempt, step_index=step,
        due_at=due_at, track_id=enrollment.track_id, platform=user.platform, workspace=user.workspace,
        platform_user_id=user.platform_user_id, display_name=user.display_name, checkin_tz=user.checkin_tz,
        weekly=Weekly(user.checkin_weekday, user.checkin_minute, user.checkin_tz),
        schedule_set=user.schedule_set, unanswered=user.unanswered_checkins, recall_question=recall_question,
        dm_channel=user.dm_channel_id or "",
    )
