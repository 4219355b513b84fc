"""The shared replay guard's memory: one row per Slack request signature seen in the last few minutes."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError

from bot.store.db import make_session_factory
from bot.store.models import SeenSignature

PRUNE_EVERY = timedelta(minutes=1)


class SeenSignatures:
    """`first_sight` is atomic across processes: the primary key decides which request wins."""

    def __init__(self, engine: Engine, window: timedelta):
        self._sessions = make_session_factory(engine)
        self.window = window
        self._pruned: datetime | None = None

    def first_sight(self, signature: str, now: datetime) -> bool:
        """True the first time a signature is seen (any replica); False for a replay."""
        try:
            with self._sessions() as session, session.begin():
                session.add(SeenSignature(signature=signature, seen_at=now))
        except IntegrityError:
            return False
        self._prune(now)
        return True

    def _prune(self, now: datetime) -> None:
        # Anything older than the window is refused for its timestamp anyway; keep the table small,
        # at most once a minute per process so a busy endpoint pays one DELETE a minute, not one per request.
        if self._pruned is not None and now - self._pruned < PRUNE_EVERY:
            return
        self._pruned = now
        with self._sessions() as session, session.begin():
            session.execute(delete(SeenSignature).where(SeenSignature.seen_at < now - self.window))
