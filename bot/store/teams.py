"""Team channels, opt-ins, digest claims and milestone records: data access, one short transaction each.

A digest is claimed by inserting its delivery row, keyed (team channel, ISO week), in the same
transaction that moves the channel's next digest a week on. A second process racing for the same
channel either skips it (PostgreSQL: FOR UPDATE SKIP LOCKED) or loses on the unique key.

Fencing, as for check-ins: a claim carries a lease, and one left "claimed" past it (its process died)
passes to another process with a compare-and-set; the poster moves a claim to "sending" with a
compare-and-set on (id, owner, "claimed") and posts only if it won, so a late old owner posts nothing.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.model import ChannelRef
from bot.core.records import Claim, EnrollmentRecord, Member, StepRecord, TeamChannelRecord, UserRecord
from bot.core.schedule import Weekly, latest_occurrence, next_occurrence, week_key
from bot.core.states import DigestStatus
from bot.store.claims import changed, commit_claims, insert_once
from bot.store.models import (
    DigestDelivery,
    Enrollment,
    MilestonePost,
    StepEvent,
    TeamChannel,
    TeamShare,
    User,
)
from bot.store.records import enrollment_record, step_record, user_record

# A digest missed by more than this (downtime) is skipped to next week instead of posted late;
# a rate-limited or failed one is retried by later ticks only within it, so nothing retries forever.
LATE_LIMIT = timedelta(hours=12)
# A claim not yet posting this long after it was taken belonged to a process that died: another process
# takes it over (within LATE_LIMIT of the first claim). One already "sending" may have been posted, so
# it is never taken over: a process killed mid-post loses that channel's digest for the week.
LEASE = timedelta(minutes=5)


def channel_record(row: TeamChannel) -> TeamChannelRecord:
    return TeamChannelRecord(
        row.id, row.platform, row.workspace, row.channel_id, row.channel_name, row.admin_user_id, row.active,
        Weekly(row.digest_weekday, row.digest_minute, row.digest_tz), row.next_digest_at,
    )


class TeamStore:
    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]):
        self._sessions = sessions
        self._now = clock

    # -- channels ---------------------------------------------------------------------------
    def _row(self, session: Session, ref: ChannelRef) -> TeamChannel | None:
        return session.scalar(select(TeamChannel).where(
            TeamChannel.platform == ref.platform, TeamChannel.workspace == ref.workspace,
            TeamChannel.channel_id == ref.channel_id))

    def channel(self, ref: ChannelRef) -> TeamChannelRecord | None:
        with self._sessions() as session:
            row = self._row(session, ref)
            return channel_record(row) if row else None

    def channel_by_id(self, channel_id: int) -> TeamChannelRecord | None:
        with self._sessions() as session:
            row = session.get(TeamChannel, channel_id)
            return channel_record(row) if row else None

    def enable(self, ref: ChannelRef, admin_user_id: int, default: Weekly) -> tuple[TeamChannelRecord, bool]:
        """Make the channel a team channel; a channel switched off earlier keeps its schedule.

        Returns the channel and whether it was already on.
        """
        for _ in range(3):
            with self._sessions() as session:
                row = self._row(session, ref)
                was_on = bool(row and row.active)
                if row is None:
                    row = TeamChannel(platform=ref.platform, workspace=ref.workspace, channel_id=ref.channel_id,
                                      digest_weekday=default.weekday, digest_minute=default.minute,
                                      digest_tz=default.tz, created_at=self._now())
                    session.add(row)
                if not was_on:
                    row.active = True
                    row.admin_user_id = admin_user_id
                    weekly = Weekly(row.digest_weekday, row.digest_minute, row.digest_tz)
                    row.next_digest_at = next_occurrence(weekly, self._now())
                if ref.name:
                    row.channel_name = ref.name[:120]
                try:
                    session.commit()
                except IntegrityError:  # two admins at once: the other created it, read it again
                    session.rollback()
                    continue
                return channel_record(row), was_on
        raise RuntimeError("could not enable team channel after retries")

    def disable(self, channel_id: int) -> bool:
        """Switch a team channel off; True only for the caller that switched it (so the admin is told once)."""
        with self._sessions.begin() as session:
            return bool(changed(session.execute(update(TeamChannel).where(
                TeamChannel.id == channel_id, TeamChannel.active.is_(True),
            ).values(active=False, next_digest_at=None))))

    def set_schedule(self, channel_id: int, weekly: Weekly) -> datetime:
        upcoming = next_occurrence(weekly, self._now())
        with self._sessions.begin() as session:
            session.execute(update(TeamChannel).where(TeamChannel.id == channel_id).values(
                digest_weekday=weekly.weekday, digest_minute=weekly.minute, digest_tz=weekly.tz,
                next_digest_at=upcoming))
        return upcoming

    # -- sharing ----------------------------------------------------------------------------
    def set_sharing(self, channel_id: int, user_id: int, on: bool) -> bool:
        """Opt in or out; returns whether anything changed."""
        with self._sessions() as session:
            if not on:
                removed = changed(session.execute(delete(TeamShare).where(
                    TeamShare.team_channel_id == channel_id, TeamShare.user_id == user_id)))
                session.commit()
                return bool(removed)
            new_id = insert_once(session, TeamShare, team_channel_id=channel_id, user_id=user_id,
                                 created_at=self._now())
            session.commit()
            return new_id is not None

    def is_sharing(self, channel_id: int, user_id: int) -> bool:
        with self._sessions() as session:
            return session.scalar(select(TeamShare.id).where(
                TeamShare.team_channel_id == channel_id, TeamShare.user_id == user_id)) is not None

    def shared_channels(self, user: UserRecord) -> list[TeamChannelRecord]:
        """Active team channels on the user's platform that the user opted in to.

        Not filtered by workspace: the opt-in was given in that very channel, and a Discord user is one
        learner across servers (users are not scoped by server, channels are)."""
        with self._sessions() as session:
            rows = session.scalars(select(TeamChannel).join(TeamShare, TeamShare.team_channel_id == TeamChannel.id)
                                   .where(TeamShare.user_id == user.id, TeamChannel.active.is_(True),
                                          TeamChannel.platform == user.platform)
                                   .order_by(TeamChannel.id))
            return [channel_record(r) for r in rows]

    def members(self, channel_id: int) -> list[Member]:
        """Everyone opted in to this channel, with their enrollments and steps, in three queries."""
        with self._sessions() as session:
            users = session.scalars(select(User).join(TeamShare, TeamShare.user_id == User.id)
                                    .where(TeamShare.team_channel_id == channel_id).order_by(User.id)).all()
            shared = select(TeamShare.user_id).where(TeamShare.team_channel_id == channel_id)
            enrollments = session.scalars(select(Enrollment).where(Enrollment.user_id.in_(shared))).all()
            steps = session.execute(select(StepEvent, Enrollment.user_id)
                                    .join(Enrollment, Enrollment.id == StepEvent.enrollment_id)
                                    .where(Enrollment.user_id.in_(shared)).order_by(StepEvent.at)).all()
            by_user_e: dict[int, list[EnrollmentRecord]] = {}
            for row in enrollments:
                by_user_e.setdefault(row.user_id, []).append(enrollment_record(row))
            by_user_s: dict[int, list[StepRecord]] = {}
            for step, user_id in steps:
                by_user_s.setdefault(user_id, []).append(step_record(step))
            return [Member(user_record(u), tuple(by_user_e.get(u.id, ())), tuple(by_user_s.get(u.id, ())))
                    for u in users]

    # -- digests ----------------------------------------------------------------------------
    def preview_due(self, now: datetime, platforms: list[str]) -> list[Claim]:
        """Read-only, for --dry-run: the digests claim_due would claim at `now` (delivery ids 0)."""
        with self._sessions() as session:
            rows = session.scalars(select(TeamChannel).where(
                TeamChannel.active.is_(True), TeamChannel.next_digest_at <= now, TeamChannel.platform.in_(platforms),
            ).order_by(TeamChannel.next_digest_at)).all()
            claims = []
            for row in rows:
                due_at = row.next_digest_at
                if due_at is None or now - due_at > LATE_LIMIT:
                    continue
                week = week_key(due_at, row.digest_tz)
                if session.scalar(select(DigestDelivery.id).where(DigestDelivery.team_channel_id == row.id,
                                                                  DigestDelivery.week == week)) is None:
                    claims.append(Claim(0, channel_record(row), week, due_at))
            return claims

    def claim_due(self, now: datetime, platforms: list[str], worker: str, limit: int = 100) -> tuple[list[Claim], int]:
        """Claim the digests due at `now` on `platforms`. Returns (claimed, skipped as stale)."""
        claimed: list[Claim] = []
        stale = 0
        with self._sessions() as session:
            rows = session.scalars(
                select(TeamChannel).where(TeamChannel.active.is_(True), TeamChannel.next_digest_at <= now,
                                          TeamChannel.platform.in_(platforms))
                .order_by(TeamChannel.next_digest_at).limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                weekly = Weekly(row.digest_weekday, row.digest_minute, row.digest_tz)
                overdue = row.next_digest_at
                if overdue is None:  # not possible under the query's filter; keeps the type honest
                    continue
                # After a long outage: the latest occurrence up to now, when that one is still fresh.
                due_at = overdue if now - overdue <= LATE_LIMIT else max(overdue, latest_occurrence(weekly, now))
                row.next_digest_at = next_occurrence(weekly, max(due_at, now))
                if due_at != overdue or now - due_at > LATE_LIMIT:
                    stale += 1
                if now - due_at > LATE_LIMIT:
                    continue
                week = week_key(due_at, weekly.tz)
                # The unique (channel, week) key decides: a second claim of the same week inserts nothing.
                delivery_id = insert_once(session, DigestDelivery, team_channel_id=row.id, week=week,
                                          status=DigestStatus.CLAIMED, claimed_by=worker, claimed_at=now,
                                          leased_at=now)
                if delivery_id is None:  # someone else has this week's digest
                    continue
                claimed.append(Claim(delivery_id, channel_record(row), week, due_at))
            if not commit_claims(session):  # lost a race on the unique key at commit: another process has them
                return [], stale
        return claimed, stale

    def claim_retries(self, now: datetime, platforms: list[str], worker: str) -> tuple[list[Claim], int]:
        """Digests left for a later tick (rate limited, failed, released at shutdown) and claims whose
        lease ran out (their process died), while still within LATE_LIMIT of their first claim; the rest
        expire. Each row is taken with a compare-and-set on its status, owner and lease as read, so only
        one process gets it. Returns (claimed, expired)."""
        claimed: list[Claim] = []
        expired = 0
        with self._sessions() as session:
            rows = session.execute(
                select(DigestDelivery, TeamChannel).join(TeamChannel, TeamChannel.id == DigestDelivery.team_channel_id)
                .where(TeamChannel.platform.in_(platforms), or_(
                    DigestDelivery.status == DigestStatus.RETRY,
                    (DigestDelivery.status == DigestStatus.CLAIMED) & (DigestDelivery.leased_at <= now - LEASE)))
                .order_by(DigestDelivery.id)  # every process locks rows in the same order
            ).all()
            for delivery, channel in rows:
                late = delivery.claimed_at is None or now - delivery.claimed_at > LATE_LIMIT or not channel.active
                values = ({"status": DigestStatus.EXPIRED} if late else
                          {"status": DigestStatus.CLAIMED, "claimed_by": worker, "leased_at": now})
                won = changed(session.execute(update(DigestDelivery).where(
                    DigestDelivery.id == delivery.id, DigestDelivery.status == delivery.status,
                    DigestDelivery.claimed_by == delivery.claimed_by, DigestDelivery.leased_at == delivery.leased_at,
                ).values(**values)))
                if won and late:
                    expired += 1
                elif won:
                    claimed.append(Claim(delivery.id, channel_record(channel), delivery.week, delivery.claimed_at or now))
            session.commit()
        return claimed, expired

    def start_sending(self, delivery_id: int, worker: str) -> bool:
        """Compare-and-set the claim to "sending": True only while it is still this worker's claim."""
        with self._sessions.begin() as session:
            return bool(changed(session.execute(update(DigestDelivery).where(
                DigestDelivery.id == delivery_id, DigestDelivery.claimed_by == worker,
                DigestDelivery.status == DigestStatus.CLAIMED).values(status=DigestStatus.SENDING))))

    def mark(self, delivery_id: int, status: str, now: datetime, worker: str | None = None) -> None:
        """sent, retry, gone, failed, uncertain. `claimed_at` stays the first claim: the retry window.
        With `worker`, only while the row is still that worker's."""
        values: dict[str, object] = {"status": status}
        if status == DigestStatus.SENT:
            values["sent_at"] = now
        where = [DigestDelivery.id == delivery_id]
        if worker is not None:
            where.append(DigestDelivery.claimed_by == worker)
        with self._sessions.begin() as session:
            session.execute(update(DigestDelivery).where(*where).values(**values))

    def release_all(self, worker: str) -> int:
        """At shutdown: hand this process's unposted claims back as "retry", so the next tick (here or in
        another process) posts them without waiting for the lease to run out."""
        with self._sessions.begin() as session:
            return changed(session.execute(update(DigestDelivery).where(
                DigestDelivery.claimed_by == worker, DigestDelivery.status == DigestStatus.CLAIMED,
            ).values(status=DigestStatus.RETRY)))

    def deliveries(self, channel_id: int) -> list[tuple[str, str]]:
        """(week, status) of a channel's digests, oldest first; for tests and operators."""
        with self._sessions() as session:
            return [(r[0], r[1]) for r in session.execute(
                select(DigestDelivery.week, DigestDelivery.status)
                .where(DigestDelivery.team_channel_id == channel_id).order_by(DigestDelivery.id))]

    # -- milestones -------------------------------------------------------------------------
    def record_milestone(self, user_id: int, kind: str, key: str) -> bool:
        """True the first time this milestone is seen; False ever after."""
        with self._sessions() as session:
            new_id = insert_once(session, MilestonePost, user_id=user_id, kind=kind, key=key[:60], at=self._now())
            session.commit()
            return new_id is not None
