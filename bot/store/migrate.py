"""Run Alembic from code: `skillbot db upgrade` and the upgrade at start-up."""
from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from bot.data import data_dir

log = logging.getLogger(__name__)

MIGRATIONS_DIR = data_dir("migrations")


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def _run(engine: Engine, fn, *args) -> None:
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        fn(cfg, *args)


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    _run(engine, command.downgrade, revision)


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def is_at_head(engine: Engine) -> bool:
    return current_revision(engine) == head_revision(engine)


def sqlite_file_missing(engine: Engine) -> bool:
    """A SQLite database whose file does not exist yet: merely connecting would create it."""
    url = engine.url
    return (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not Path(url.database).exists())


def read_only_status(engine: Engine) -> tuple[bool, str]:
    """(at head?, one line) without creating or migrating anything: for doctor and `db current`."""
    head = head_revision(engine)
    fix = "run `skillbot db upgrade`"
    if sqlite_file_missing(engine):
        return False, f"database file does not exist yet, code expects {head}; {fix}"
    current = current_revision(engine)
    if current == head:
        return True, f"database is at {current} (the latest)"
    if current is None:
        return False, f"database is empty, code expects {head}; {fix}"
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config(engine)).walk_revisions()}
    if current not in known:
        return False, f"database is at {current}, which this code does not know (was newer code deployed here?)"
    return False, f"database is at {current}, code expects {head}; {fix}"
