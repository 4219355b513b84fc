"""The `skillbot` command. Thin: parse arguments, build the app, hand over. Platform SDKs load lazily."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skillbot", description="Skillbot: an AI-engineering mentor bot.")
    parser.add_argument("--version", action="version", version=f"skillbot {_version()}")
    parser.add_argument("--user", help="console: who is speaking (default: your login name)")
    parser.add_argument("--channel", default="console", help="console: which channel (default: console)")
    parser.add_argument("--admin", action="store_true", help="console: speak as a workspace admin")
    parser.add_argument("--tz", help="console: the speaker's IANA time zone")
    sub = parser.add_subparsers(dest="command")

    ask = sub.add_parser("ask", help="answer one question (or one per stdin line)")
    ask.add_argument("text", nargs="*")
    ask.add_argument("--json", action="store_true", help="one JSON object a line")

    content = sub.add_parser("content", help="content tools")
    content_sub = content.add_subparsers(dest="content_command", required=True)
    check = content_sub.add_parser("check", help="validate content files")
    check.add_argument("directory", nargs="?")
    gaps = content_sub.add_parser("gaps", help="questions most often refused or voted down, grouped")
    gaps.add_argument("--days", type=int, default=30, help="how far back to look (default 30; rows go after 90)")

    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="upgrade the database to the latest migration")
    down = db_sub.add_parser("downgrade", help="downgrade the database")
    down.add_argument("revision", nargs="?", default="-1")
    db_sub.add_parser("current", help="show the database's migration revision")

    from bot.cli.platforms import add_platform_commands  # imported here to keep this module small
    add_platform_commands(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("skillbot")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _settings():
    """The validated settings; every bad variable is one line on stderr and exit code 2."""
    from pydantic import ValidationError

    from bot.settings import Settings, error_lines
    try:
        return Settings()
    except ValidationError as exc:
        for line in error_lines(exc):
            print(line, file=sys.stderr)
        raise SystemExit(2) from None


def _build(settings=None):
    from bot.app import DatabaseBehind, build_app
    from bot.content.loader import ContentInvalid
    try:
        return build_app(settings or _settings())
    except ContentInvalid as exc:
        print("The content base is invalid:\n" + str(exc), file=sys.stderr)
        raise SystemExit(1) from None
    except DatabaseBehind as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(1) from None


def cmd_console(args) -> int:
    from bot.adapters.console import console_channel, console_user, run_console
    app = _build()
    return run_console(app.bot, console_user(args.user, args.admin, args.tz), console_channel(args.channel))


def cmd_ask(args) -> int:
    from bot.content.loader import ContentInvalid, load_catalog
    from bot.content.search import Searcher
    settings = _settings()
    try:
        catalog = load_catalog(settings.content_path)
    except ContentInvalid as exc:
        print("The content base is invalid:\n" + str(exc), file=sys.stderr)
        return 1
    searcher = Searcher(catalog, semantic=settings.semantic)
    questions = [" ".join(args.text)] if args.text else (line.rstrip("\n") for line in sys.stdin)
    for question in questions:
        print(_answer_line(catalog, searcher, question, args.json), flush=True)
    return 0


def _answer_line(catalog, searcher, question: str, as_json: bool) -> str:
    from bot.adapters.render_text import render
    from bot.core.bot import answer_reply
    from bot.core.text import sanitize
    text = sanitize(question)
    match = searcher.search(text)
    if as_json:
        alternatives = [t or s for s, t in match.alternatives]
        return json.dumps({"skill": match.skill_id, "topic": match.topic_id, "score": float(match.score),
                           "alternatives": alternatives})
    return render(answer_reply(catalog, match, text))


def cmd_content_gaps(args) -> int:
    from datetime import timedelta

    from bot.core.gaps import group, report
    if args.days < 1:
        print("--days must be at least 1.", file=sys.stderr)
        return 2
    app = _build()
    log_store = app.deps.questions
    since = app.deps.clock() - timedelta(days=args.days)
    print(report(group(log_store.since(since) if log_store else []), args.days))
    app.engine.dispose()
    return 0


def cmd_content(args) -> int:
    if args.content_command == "gaps":
        return cmd_content_gaps(args)
    from bot.content.loader import ContentInvalid, load_catalog
    from bot.content.rules import stale_warning
    try:
        catalog = load_catalog(Path(args.directory) if args.directory else _settings().content_path)
    except ContentInvalid as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s).", file=sys.stderr)
        return 1
    for skill in catalog.skills:
        warning = stale_warning(skill, date.today())
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
    topics = sum(len(s.topics) for s in catalog.skills)
    print(f"Content OK: {len(catalog.skills)} skills, {topics} topics, {len(catalog.questions)} quiz questions.")
    return 0


def cmd_db(args) -> int:
    from bot.store import migrate
    from bot.store.db import make_engine, safe_url
    settings = _settings()
    engine = make_engine(settings.database_url)
    if args.db_command == "upgrade":
        migrate.upgrade(engine)
        print(f"Database {safe_url(settings.database_url)} is at {migrate.current_revision(engine)} (head).")
    elif args.db_command == "downgrade":
        migrate.downgrade(engine, args.revision)
        print(f"Database is at {migrate.current_revision(engine) or 'base'}.")
    else:  # current: read-only, so a wrong DATABASE_URL is never created or migrated
        at_head, line = migrate.read_only_status(engine)
        print(line)
        return 0 if at_head else 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from bot.runtime.logging_setup import setup_logging
    args = _parser().parse_args(argv)
    settings = _settings()  # validated once, before anything starts
    # Services log their events; interactive commands stay quiet unless LOG_LEVEL says otherwise.
    default = "INFO" if args.command in {"run", "slack", "discord", "nudges", "digest"} else "WARNING"
    setup_logging(settings.log_level or default, settings.log_format, settings.secret_values())
    handlers = {None: cmd_console, "ask": cmd_ask, "content": cmd_content, "db": cmd_db}
    from bot.cli.platforms import PLATFORM_COMMANDS
    handlers.update(PLATFORM_COMMANDS)
    try:
        return handlers[args.command](args) or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `skillbot ask ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:
        if "sqlalchemy" not in sys.modules:  # only a database error gets the one-line treatment
            raise
        from bot.store.db import UNREACHABLE, describe_unreachable  # imported late: `ask` never needs it
        if not isinstance(exc, UNREACHABLE):
            raise
        print(describe_unreachable(settings.database_url, exc), file=sys.stderr)
        return 1

