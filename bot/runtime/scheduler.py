"""The scheduler: every minute (and at start-up) ask the store what is due and send it.

APScheduler only keeps time; the database decides what is due and who sends it, so a restart
or a second replica never changes what users receive.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.checkins.dispatch import run_checkins
from bot.core.delivery import worker_name

if TYPE_CHECKING:
    from bot.runtime.runner import Runtime

log = logging.getLogger(__name__)


async def tick(runtime: Runtime, worker: str, now: datetime | None = None) -> None:
    """One pass over everything due at `now`; a failure in one part never stops the other."""
    now = now or datetime.now(UTC)
    started = time.monotonic()
    senders = runtime.senders
    try:
        report = await run_checkins(runtime.app, senders, now, worker, runtime.stopping)
        if report.sent or report.failed or report.unreachable or report.stale:
            log.info("check-ins sent=%d failed=%d unreachable=%d paused=%d stale_skipped=%d",
                     report.sent, report.failed, report.unreachable, report.paused, report.stale)
    except Exception:
        log.exception("check-in tick failed")
    if runtime.stopping.is_set():
        return
    try:
        from bot.teams.digest import run_digests
        # From when the check-ins are done, so digest claims carry their real age.
        await run_digests(runtime.app, senders, now + timedelta(seconds=time.monotonic() - started), worker,
                          runtime.stopping)
    except Exception:
        log.exception("digest tick failed")


async def start_scheduler(runtime: Runtime) -> Callable[[], Awaitable[None]]:
    """Start the minute tick; returns the stop function (finish the tick in flight, release claims)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    worker = worker_name()
    running: set[asyncio.Task] = set()

    async def guarded_tick() -> None:
        task = asyncio.current_task()
        assert task is not None  # a job always runs inside a task
        running.add(task)
        try:
            await tick(runtime, worker)
        finally:
            running.discard(task)

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(guarded_tick, "interval", minutes=1, next_run_time=datetime.now(UTC),
                      max_instances=1, coalesce=True, misfire_grace_time=30, id="tick")
    scheduler.start()

    async def stop() -> None:
        scheduler.pause()  # no new tick; the one in flight carries on
        runtime.stopping.set()  # sends not yet started are released, not begun
        if running:
            await asyncio.wait(running, timeout=6)
        # Only now: APScheduler's shutdown cancels a running job, which would cut sends in flight
        # and leave them neither recorded nor released.
        scheduler.shutdown(wait=False)
        released = await asyncio.to_thread(runtime.app.deps.checkins.release_all, worker)
        if released:
            log.info("released %d unsent check-in claim(s) for the next process", released)
        released = await asyncio.to_thread(runtime.app.deps.teams.release_all, worker)
        if released:
            log.info("released %d unposted digest claim(s) for the next process", released)

    return stop
