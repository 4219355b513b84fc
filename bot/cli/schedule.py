"""`skillbot nudges run-once` and `skillbot digest run-once`: one scheduler tick, then exit.

Sends through every platform whose credentials are configured (as `skillbot run` would) and
prints console users' messages to stdout.
"""
from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from bot.cli import _build


def parse_now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SystemExit(f"--now: {text!r} is not an ISO-8601 instant, e.g. 2026-12-07T09:00:00+01:00") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def _with_senders(app, work):
    from bot.adapters.console import ConsoleSender
    from bot.runtime.runner import build_adapters

    settings = app.settings
    platforms = [name for name, ok in (("slack", settings.slack_configured),
                                       ("discord", settings.discord_configured)) if ok]
    adapters = build_adapters(app, platforms)
    for adapter in adapters:
        await adapter.start()
    try:
        senders = {"console": ConsoleSender(sys.stdout), **{a.platform: a.sender for a in adapters}}
        return await work(senders)
    finally:
        for adapter in reversed(adapters):
            await adapter.stop()
        app.engine.dispose()


async def _until_done(app, senders, now, worker):
    """Ticks one after another until one finds nothing to do: each tick stays shorter than a claim's lease."""
    import time
    from dataclasses import fields
    from datetime import timedelta

    from bot.checkins.dispatch import run_checkins

    total = None
    started = time.monotonic()
    while True:
        report = await run_checkins(app, senders, now + timedelta(seconds=time.monotonic() - started), worker)
        if total is None:
            total = report
        else:
            for f in fields(report):
                if isinstance(getattr(report, f.name), int):
                    setattr(total, f.name, getattr(total, f.name) + getattr(report, f.name))
        if not (report.sent or report.failed or report.released or report.stale or report.fenced
                or report.uncertain or report.unreachable or report.paused):
            return total


def cmd_nudges(args) -> int:
    from bot.core.delivery import worker_name

    now = parse_now(args.now)
    app = _build()
    report = asyncio.run(_with_senders(app, lambda senders: _until_done(app, senders, now, worker_name())))
    print(f"check-ins at {now:%Y-%m-%d %H:%M} UTC: sent {report.sent}, failed {report.failed}, "
          f"unreachable {report.unreachable}, paused {report.paused}, skipped as stale {report.stale}",
          file=sys.stderr)
    return 0


def cmd_digest(args) -> int:
    from bot.teams.digest import run_digests

    now = parse_now(args.now)
    app = _build()
    posted = asyncio.run(_with_senders(app, lambda senders: run_digests(app, senders, now)))
    print(f"digests at {now:%Y-%m-%d %H:%M} UTC: posted {posted}", file=sys.stderr)
    return 0
