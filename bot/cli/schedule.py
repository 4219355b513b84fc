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


def _platforms(app) -> list[str]:
    """The platforms a real run would send to: the console plus every configured one."""
    settings = app.settings
    return ["console", *(name for name, ok in (("slack", settings.slack_configured),
                                               ("discord", settings.discord_configured)) if ok)]


def _build_read_only():
    """The app for a dry run: never migrates (an old database is refused with the command to run)."""
    from bot.cli import _settings
    return _build(_settings().model_copy(update={"auto_migrate": False}))


def _when(instant: datetime | None) -> str:
    return f"{instant:%a %d %b %Y %H:%M} UTC" if instant else "none scheduled"


def _next_instants(app, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(next check-in, next digest) after `now`, for the "why nothing" line."""
    from bot.store.state import schedule_summary
    _due, checkin, digest = schedule_summary(app.engine, now)
    return checkin, digest


def cmd_nudges(args) -> int:
    now = parse_now(args.now)
    return _nudges_dry_run(now) if args.dry_run else _nudges(now)


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


def _nudges(now: datetime) -> int:
    from bot.core.delivery import worker_name

    app = _build()
    report = asyncio.run(_with_senders(app, lambda senders: _until_done(app, senders, now, worker_name())))
    line = (f"check-ins at {now:%Y-%m-%d %H:%M} UTC: sent {report.sent}, failed {report.failed}, "
            f"unreachable {report.unreachable}, paused {report.paused}, skipped as stale {report.stale}")
    if report.sent == 0:
        line += _why_no_checkins(app, now, report.failed + report.unreachable + report.paused + report.stale)
    print(line, file=sys.stderr)
    return 0


def _why_no_checkins(app, now: datetime, other: int) -> str:
    upcoming, _digest = _next_instants(app, now)
    reason = "none could be delivered" if other else "none was due"
    return f" ({reason}; next check-in {_when(upcoming)})"


def _nudges_dry_run(now: datetime) -> int:
    """Print every check-in a run at `now` would send; claims, schedules and rows stay as they are."""
    from bot.adapters.render_text import render
    from bot.checkins.messages import checkin_reply, last_note, paused_reply
    from bot.core.records import MAX_UNANSWERED, SNOOZED

    app = _build_read_only()
    dues = app.deps.checkins.preview_due(now, _platforms(app))
    for due in dues:
        pausing = due.attempt != SNOOZED and due.unanswered >= MAX_UNANSWERED
        reply = (paused_reply(app.deps.catalog, due) if pausing
                 else checkin_reply(app.deps.catalog, due, last_note(app.deps.tracks, due)))
        if reply is not None:
            print(f"[would DM {due.display_name or due.platform_user_id} on {due.platform}]\n{render(reply)}")
    line = f"dry run: check-ins at {now:%Y-%m-%d %H:%M} UTC: would send {len(dues)}"
    if not dues:
        line += f" (none is due; next check-in {_when(_next_instants(app, now)[0])})"
    print(line + "; nothing was sent or changed", file=sys.stderr)
    app.engine.dispose()
    return 0


def cmd_digest(args) -> int:
    now = parse_now(args.now)
    return _digest_dry_run(now) if args.dry_run else _digest(now)


def _digest(now: datetime) -> int:
    from bot.teams.digest import run_digests

    app = _build()
    posted = asyncio.run(_with_senders(app, lambda senders: run_digests(app, senders, now)))
    line = f"digests at {now:%Y-%m-%d %H:%M} UTC: posted {posted}"
    if posted == 0:
        line += f" (no team digest was due; next digest {_when(_next_instants(app, now)[1])})"
    print(line, file=sys.stderr)
    return 0


def _digest_dry_run(now: datetime) -> int:
    """Print every digest a run at `now` would post; nothing is claimed or moved."""
    from bot.adapters.render_text import render
    from bot.teams.digest import digest_reply

    app = _build_read_only()
    claims = app.deps.teams.preview_due(now, _platforms(app))
    for claim in claims:
        reply = digest_reply(app, claim.channel, claim.week, claim.due_at, now)
        print(f"[would post to #{claim.channel.channel_name or claim.channel.channel_id} on {claim.channel.platform}]"
              f"\n{render(reply)}")
    line = f"dry run: digests at {now:%Y-%m-%d %H:%M} UTC: would post {len(claims)}"
    if not claims:
        line += f" (no team digest is due; next digest {_when(_next_instants(app, now)[1])})"
    print(line + "; nothing was posted or changed", file=sys.stderr)
    app.engine.dispose()
    return 0
