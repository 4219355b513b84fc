"""Engine and sessions, built once at start-up and passed down (never created at import)."""
from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///skillbot.db"


def normalize_url(url: str) -> str:
    """Accept the plain postgres URLs that hosting platforms hand out and use the installed driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")  # cascades on forget-me need this
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers don't block the scheduler's writes
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = normalize_url(url or DEFAULT_DATABASE_URL)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# Connection options that are never secret; every other query value is hidden (password=, sslpassword=,
# a token some proxy wants, ...), because a list of secret names is never complete.
_HARMLESS_QUERY = {"sslmode", "connect_timeout", "application_name", "target_session_attrs", "client_encoding",
                   "check_same_thread", "timeout", "mode", "cache", "uri", "gssencmode", "channel_binding"}


def redact_url(url: str) -> str:
    """Any URL with its password and every query value that might be a secret replaced by ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{userinfo}@{host}"
    query = "&".join(f"{key}={value if key.lower() in _HARMLESS_QUERY else '***'}"
                     for key, value in parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def safe_url(url: str) -> str:
    """The database URL with any password hidden (user info and query), for logs and `skillbot config`."""
    return redact_url(normalize_url(url))


# What a database that is down, refusing or misaddressed raises; the CLI turns it into one line.
UNREACHABLE = (OperationalError, InterfaceError)


def backend_of(url: str) -> str:
    """'sqlite', 'postgresql', ... or '' when the URL cannot be parsed."""
    try:
        return make_url(url.strip()).get_backend_name()
    except (ArgumentError, ValueError):
        return ""


def describe_unreachable(url: str, exc: BaseException) -> str:
    """One line for an operator: where the database was expected, why it failed, never the password."""
    parsed = make_url(normalize_url(url))
    where = (f"SQLite file {parsed.database}" if parsed.get_backend_name() == "sqlite"
             else f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}")
    reason = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    if parsed.password:
        reason = reason.replace(parsed.password, "***")
    return f"Cannot reach the database at {where}: {reason}"
