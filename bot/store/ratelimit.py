"""One rate-limit row per platform, shared by every replica: a pacing slot and a 429 pause.

A send reserves the next slot with one atomic UPDATE (next_slot = max(next_slot, now, paused_until)
+ interval), so replicas together stay under the cap however many there are. A 429 seen anywhere
moves `paused_until` on, and every replica's next reservation lands after it.
"""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.store.models import PlatformLimit


class RateLimitStore:
    def __init__(self, sessions: sessionmaker[Session]):
        self._sessions = sessions
        self._known: set[str] = set()

    def _ensure(self, session: Session, platform: str) -> None:
        if platform not in self._known:
            dialect = session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            session.execute(insert(PlatformLimit).values(platform=platform, next_slot=0.0, paused_until=0.0)
                            .on_conflict_do_nothing())
            self._known.add(platform)

    def _greatest(self, session: Session, *values):
        # PostgreSQL spells the scalar maximum GREATEST; SQLite's max() with several arguments is scalar.
        name = "greatest" if session.get_bind().dialect.name == "postgresql" else "max"
        return getattr(func, name)(*values)

    def reserve(self, platform: str, interval: float, now: float) -> float:
        """The start of the next free slot (epoch seconds) for one request, taken for this caller."""
        with self._sessions.begin() as session:
            self._ensure(session, platform)
            start = self._greatest(session, PlatformLimit.next_slot, now, PlatformLimit.paused_until)
            end = session.scalar(update(PlatformLimit).where(PlatformLimit.platform == platform)
                                 .values(next_slot=start + interval).returning(PlatformLimit.next_slot))
        return float(end or now) - interval

    def pause(self, platform: str, until: float) -> None:
        """Hold every replica's sends to `platform` until `until` (epoch seconds); never shortens a pause."""
        with self._sessions.begin() as session:
            self._ensure(session, platform)
            session.execute(update(PlatformLimit).where(PlatformLimit.platform == platform).values(
                paused_until=self._greatest(session, PlatformLimit.paused_until, until)))

    def paused_until(self, platform: str) -> float:
        """Epoch seconds until which `platform` is paused (0 when it never was)."""
        with self._sessions() as session:
            value = session.scalar(select(PlatformLimit.paused_until).where(PlatformLimit.platform == platform))
        return float(value or 0.0)
