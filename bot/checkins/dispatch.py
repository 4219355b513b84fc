"""One dispatch tick: claim what is due, send it through the platform's sender, record the outcome.

Any number of dispatchers may run at once (replicas); the store's claims keep each check-in to one.
Sends go out in groups of CONCURRENCY: the group is marked "sending", sent concurrently, and its
outcomes recorded together, so a crash can only ever cost the group in flight.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from bot.checkins.messages import checkin_reply, last_note, paused_reply
from bot.core.delivery import Delivery, DeliveryStatus, Sender
from bot.core.model import UserRef
from bot.core.ports import CheckinStorePort
from bot.core.records import MAX_UNANSWERED, SNOOZED, Due, Outcome
from bot.core.states import CheckinStatus

log = logging.getLogger(__name__)

CONCURRENCY = 16  # sends in flight at once, across platforms
RATE_LIMIT_TRIES = 3
MAX_RETRY_AFTER = 60.0  # never park a tick longer than this on one platform's say-so


@dataclass
class TickReport:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    paused: int = 0
    stale: int = 0
    released: int = 0
    by_platform: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> None:
        if outcome.status == CheckinStatus.SENT:
            self.sent += 1
            self.by_platform[outcome.due.platform] = self.by_platform.get(outcome.due.platform, 0) + 1
        elif outcome.status in (CheckinStatus.PAUSED, CheckinStatus.UNREACHABLE, CheckinStatus.RELEASED):
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        else:
            self.failed += 1


class _PlatformGate:
    """Holds every send to a platform back until its rate limit has passed."""

    def __init__(self) -> None:
        self.resume_at: dict[str, float] = {}

    async def wait(self, platform: str, stopping: asyncio.Event) -> None:
        """Until the platform's rate limit has passed, or the process is stopping."""
        delay = self.resume_at.get(platform, 0.0) - time.monotonic()
        if delay > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), delay)

    def hold(self, platform: str, seconds: float) -> None:
        until = time.monotonic() + min(max(seconds, 0.05), MAX_RETRY_AFTER)
        self.resume_at[platform] = max(self.resume_at.get(platform, 0.0), until)


async def run_checkins(app, senders: dict[str, Sender], now: datetime, worker: str,
                       stopping: asyncio.Event | None = None, batch: int = 200) -> TickReport:
    """Send every check-in due at `now` that a sender here can deliver; returns what happened."""
    store: CheckinStorePort = app.deps.checkins
    report = TickReport()
    gate = _PlatformGate()
    stopping = stopping or asyncio.Event()
    platforms = sorted(senders)  # claims only cover platforms this process can send to
    while not stopping.is_set():
        pending = await asyncio.to_thread(store.claim_pending, now, worker, platforms, batch)
        due, stale = await asyncio.to_thread(store.claim_due, now, worker, platforms, batch)
        report.stale += stale
        claimed = pending + due
        if claimed:
            app.metrics.checkins.labels(outcome="due", platform="all").inc(len(claimed))
        for start in range(0, len(claimed), CONCURRENCY):
            group = claimed[start:start + CONCURRENCY]
            if stopping.is_set():  # shutting down: hand the rest back for the next process
                outcomes = [Outcome(d, CheckinStatus.RELEASED) for d in claimed[start:]]
            else:
                await asyncio.to_thread(store.mark_sending, group)
                outcomes = await asyncio.gather(*(_attempt(app, senders[d.platform], d, gate, stopping)
                                                  for d in group))
            await asyncio.to_thread(store.record, outcomes, now)
            for outcome in outcomes:
                report.count(outcome)
            if stopping.is_set() and outcomes[0].status == CheckinStatus.RELEASED:
                break
        if len(pending) < batch and len(due) + stale < batch:
            break
    return report


async def _attempt(app, sender: Sender, due: Due, gate: _PlatformGate, stopping: asyncio.Event) -> Outcome:
    """Send one check-in; never raises, so one failing user never stops the others."""
    try:
        return await _send(app, sender, due, gate, stopping)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("check-in failed: platform=%s delivery=%s", due.platform, due.delivery_id)
        app.metrics.checkins.labels(outcome="failed", platform=due.platform).inc()
        return Outcome(due, CheckinStatus.RETRY, "internal error")


async def _send(app, sender: Sender, due: Due, gate: _PlatformGate, stopping: asyncio.Event) -> Outcome:
    pausing = due.attempt != SNOOZED and due.unanswered >= MAX_UNANSWERED
    note = None if pausing else await asyncio.to_thread(last_note, app.deps.tracks, due)
    reply = paused_reply(app.deps.catalog, due) if pausing else checkin_reply(app.deps.catalog, due, note)
    if reply is None:
        return Outcome(due, CheckinStatus.FAILED, "track or step no longer in content")
    user = UserRef(due.platform, due.workspace, due.platform_user_id, name=due.display_name, tz=due.checkin_tz)
    delivery = Delivery(DeliveryStatus.FAILED)
    for _ in range(RATE_LIMIT_TRIES):
        await gate.wait(due.platform, stopping)
        if stopping.is_set() and delivery.status is DeliveryStatus.RATE_LIMITED:
            # Do not sit out a rate limit while shutting down: the next process sends it.
            return Outcome(due, CheckinStatus.RELEASED, "rate limited at shutdown")
        delivery = await sender.send_dm(user, reply)
        if delivery.status is not DeliveryStatus.RATE_LIMITED:
            break
        app.metrics.api_retries.labels(platform=due.platform).inc()
        gate.hold(due.platform, delivery.retry_after)
    if delivery.ok:
        app.metrics.checkins.labels(outcome="sent", platform=due.platform).inc()
        return Outcome(due, CheckinStatus.PAUSED if pausing else CheckinStatus.SENT)
    app.metrics.checkins.labels(outcome="failed", platform=due.platform).inc()
    app.metrics.api_errors.labels(platform=due.platform, error=delivery.status.value).inc()
    log.warning("check-in not delivered: platform=%s delivery=%s status=%s detail=%s",
                due.platform, due.delivery_id, delivery.status.value, delivery.detail)
    if delivery.status is DeliveryStatus.UNREACHABLE:
        return Outcome(due, CheckinStatus.UNREACHABLE, delivery.detail)
    # Rate limited past our patience, or a passing failure: a later tick tries again.
    return Outcome(due, CheckinStatus.RETRY, delivery.detail or delivery.status.value)
