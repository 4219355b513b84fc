"""Migrations on SQLite and PostgreSQL, models agree with migrations, concurrency of `done`."""
from __future__ import annotations

import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select

from bot.core.model import UserRef
from bot.store import migrate
from bot.store.db import make_engine, make_session_factory, normalize_url
from bot.store.models import Base, StepEvent
from bot.store.tracks import TrackStore


def _round_trip(url: str) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    assert migrate.is_at_head(engine)
    assert "enrollments" in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    assert "enrollments" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == [], diff
    engine.dispose()


def test_sqlite_upgrade_downgrade_and_no_drift(tmp_path: Path):
    _round_trip(f"sqlite:///{tmp_path / 'new.db'}")


def test_postgres_upgrade_downgrade_and_no_drift(pg_url):
    _round_trip(pg_url)


def test_revision_chain_is_linear(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    script = ScriptDirectory.from_config(migrate.alembic_config(engine))
    assert len(script.get_heads()) == 1
    assert len(script.get_bases()) == 1


def test_plain_postgres_url_is_normalised():
    assert normalize_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"


def test_twenty_concurrent_done_record_one_completion(pg_url, clock):
    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    store = TrackStore(make_session_factory(engine), clock)
    user = store.ensure_user(UserRef("slack", "T1", "U1", "alice"))
    enrollment, _ = store.join(user.id, "mlops", None)
    barrier = threading.Barrier(20)
    outcomes = []

    def press() -> None:
        barrier.wait()
        outcomes.append(store.record_step(enrollment.id, 0, "done", 8, None).recorded)

    threads = [threading.Thread(target=press) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(True) == 1
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(StepEvent)) == 1
    assert store.enrollment(enrollment.id).current_step == 1
    engine.dispose()


def test_one_active_enrollment_enforced_by_schema(tmp_path, clock):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from bot.store.models import Enrollment
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrate.upgrade(engine)
    store = TrackStore(make_session_factory(engine), clock)
    user = store.ensure_user(UserRef("console", "console", "alice"))
    store.join(user.id, "mlops", None)
    with pytest.raises(IntegrityError), make_session_factory(engine).begin() as session:
        session.add(Enrollment(user_id=user.id, track_id="cloud", status="active", current_step=0,
                               started_at=clock(), updated_at=clock()))
    engine.dispose()


def test_concurrent_user_creation_yields_one_user(tmp_path, clock):
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    migrate.upgrade(engine)
    store = TrackStore(make_session_factory(engine), clock)
    ids = set()
    threads = [threading.Thread(target=lambda: ids.add(store.ensure_user(UserRef("slack", "T", "U9")).id))
               for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 1
    engine.dispose()


def test_delivery_states_are_checked_by_the_schema(tmp_path):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    migrate.upgrade(engine)
    for table, extra in (("checkin_deliveries", "enrollment_id, week, attempt, step_index, due_at"),
                         ("digest_deliveries", "team_channel_id, week")):
        values = ", ".join("'2026-11-30 09:00:00'" if c.strip() == "due_at" else "1" for c in extra.split(","))
        with pytest.raises(IntegrityError, match="CHECK"), engine.begin() as conn:
            conn.execute(text(f"INSERT INTO {table} ({extra}, status, claimed_by) VALUES ({values}, 'bogus', 'w')"))
    engine.dispose()
