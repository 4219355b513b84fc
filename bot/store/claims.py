"""The one claim helper behind check-ins and digests: insert a delivery row once, commit or lose the race."""
from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session


def insert_once(session: Session, model: Any, **values: Any) -> int | None:
    """Insert a row unless its unique key is taken: the new id, or None when the row already exists."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return session.scalar(insert(model).values(**values).on_conflict_do_nothing().returning(model.id))


def commit_claims(session: Session) -> bool:
    """Commit a claim transaction; False, rolled back, when another process won a unique key at commit.

    ON CONFLICT DO NOTHING covers rows already committed; a racing transaction that commits first
    can still surface here, and then the other process has the claims.
    """
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def changed(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (the DML result is a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount
