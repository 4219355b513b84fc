"""One dispatch tick: claim what is due, send it through the platform's sender, record the outcome.

Any number of dispatchers may run at once (replicas); the store's claims keep each check-in to one.
Claims are taken CONCURRENCY at a time and sent at once: a claim never waits behind other groups,
so a slow platform cannot let its lease run out while this process still means to send it. Each
group is moved to "sending" with a compare-and-set, and only the rows won are sent. A send whose
outcome is unknown (connection dropped, timeout, 5xx after the platform may have taken it) is
recorded "uncertain" and never sent again. A 429 pauses the platform for every replica.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.checkins.messages import checkin_reply, last_note, paused_reply
from bot.core.delivery import Delivery, DeliveryStatus, Sender
from bot.core.model import Reply, UserRef
from bot.core.pacing import MAX_WAIT
from bot.core.ports import CheckinStorePort, RateLimitPort
from bot.core.records import MAX_UNANSWERED, SNOOZED, Due, Outcome
from bot.core.states import CheckinStatus

log = logging.getLogger(__name__)

CONCURRENCY = 16  # sends in flight at once, and claims taken at once
RATE_LIMIT_TRIES = 3
# A tick stops claiming after this much wall time (the lease is 5 minutes): the next tick goes on.
TICK_BUDGET = 120.0

_OUTCOME_OF = {DeliveryStatus.UNREACHABLE: CheckinStatus.UNREACHABLE, DeliveryStatus.UNCERTAIN: CheckinStatus.UNCERTAIN}


@dataclass
class TickReport:
    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    paused: int = 0
    stale: int = 0
    released: int = 0
    uncertain: int = 0
    fenced: int = 0  # claims another process took over before this one began sending them
    by_platform: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> None:
        if outcome.status == CheckinStatus.SENT:
            self.sent += 1
            self.by_platform[outcome.due.platform] = self.by_platform.get(outcome.due.platform, 0) + 1
        elif outcome.status in (CheckinStatus.PAUSED, CheckinStatus.UNREACHABLE, CheckinStatus.RELEASED,
                                CheckinStatus.UNCERTAIN):
            setattr(self, outcome.status, getattr(self, outcome.status) + 1)
        else:
            self.failed += 1


@dataclass
class _Tick:
    """What one tick's sends share."""

    app: Any
    limits: RateLimitPort | None
    stopping: asyncio.Event


async def run_checkins(app, senders: dict[str, Sender], now: datetime, worker: str,
                       stopping: asyncio.Event | None = None, batch: int = CONCURRENCY,
                       budget: float = TICK_BUDGET) -> TickReport:
    """Send every check-in due at `now` that a sender here can deliver; returns what happened.

    Claim times run on from `now` with the wall clock, so a long tick's claims carry their real age.
    """
    store: CheckinStorePort = app.deps.checkins
    tick = _Tick(app, app.limits, stopping or asyncio.Event())
    report = TickReport()
    group = max(1, min(batch, CONCURRENCY))
    started = time.monotonic()
    while not tick.stopping.is_set() and time.monotonic() - started < budget:
        current = now + timedelta(seconds=time.monotonic() - started)
        platforms = await _open_platforms(tick, sorted(senders))  # only platforms this process can send to
        if not platforms:
            break
        claimed = await asyncio.to_thread(store.claim_pending, current, worker, platforms, group)
        stale = 0
        if len(claimed) < group:
            due, stale = await asyncio.to_thread(store.claim_due, current, worker, platforms, group - len(claimed))
            claimed += due
        report.stale += stale
        if not claimed:
            if stale:
                continue
            break
        app.metrics.checkins.labels(outcome="due", platform="all").inc(len(claimed))
        won = await asyncio.to_thread(store.mark_sending, claimed, worker, current)
        report.fenced += len(claimed) - len(won)
        outcomes = await asyncio.gather(*(_attempt(tick, senders[d.platform], d) for d in won))
        await asyncio.to_thread(store.record, list(outcomes), current, worker)
        for outcome in outcomes:
            report.count(outcome)
    return report


async def _open_platforms(tick: _Tick, platforms: list[str]) -> list[str]:
    """Platforms not paused by a 429 (here or in another replica) for longer than a send would wait."""
    if tick.limits is None:
        return platforms
    wall = time.time()
    paused = await asyncio.gather(*(asyncio.to_thread(tick.limits.paused_until, p) for p in platforms))
    return [p for p, until in zip(platforms, paused, strict=True) if until - wall <= MAX_WAIT]


async def _attempt(tick: _Tick, sender: Sender, due: Due) -> Outcome:
    """Send one check-in; never raises, so one failing user never stops the others."""
    try:
        return await _send(tick, sender, due)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("check-in failed: platform=%s delivery=%s", due.platform, due.delivery_id)
        tick.app.metrics.checkins.labels(outcome="failed", platform=due.platform).inc()
        return Outcome(due, CheckinStatus.RETRY, "internal error")


async def _send(tick: _Tick, sender: Sender, due: Due) -> Outcome:
    app = tick.app
    pausing = due.attempt != SNOOZED and due.unanswered >= MAX_UNANSWERED
    catalog = app.deps.catalog
    note = None if pausing else await asyncio.to_thread(last_note, app.deps.tracks, due)
    reply = paused_reply(catalog, due) if pausing else checkin_reply(catalog, due, note)
    if reply is None:
        return Outcome(due, CheckinStatus.FAILED, "track or step no longer in content")
    user = UserRef(due.platform, due.workspace, due.platform_user_id, name=due.display_name, tz=due.checkin_tz,
                   dm_channel=due.dm_channel)
    delivery = await _deliver(tick, sender, user, reply, due)
    metrics = app.metrics
    if delivery.ok:
        metrics.checkins.labels(outcome="sent", platform=due.platform).inc()
        return Outcome(due, CheckinStatus.PAUSED if pausing else CheckinStatus.SENT, dm_channel=delivery.dm_channel)
    if delivery.status is DeliveryStatus.RATE_LIMITED:
        # Waiting longer would hold this claim; hand it back for whichever process is free after the pause.
        return Outcome(due, CheckinStatus.RELEASED, "rate limited")
    metrics.checkins.labels(outcome=delivery.status.value, platform=due.platform).inc()
    metrics.api_errors.labels(platform=due.platform, error=delivery.status.value).inc()
    if delivery.status is DeliveryStatus.UNCERTAIN:
        metrics.uncertain.labels(kind="checkin", platform=due.platform).inc()
    log.warning("check-in not delivered: platform=%s delivery=%s status=%s detail=%s",
                due.platform, due.delivery_id, delivery.status.value, delivery.detail)
    # A passing failure (the platform surely did not take it) is tried again by a later tick.
    status = _OUTCOME_OF.get(delivery.status, CheckinStatus.RETRY)
    return Outcome(due, status, delivery.detail or delivery.status.value, dm_channel=delivery.dm_channel)


async def _deliver(tick: _Tick, sender: Sender, user: UserRef, reply: Reply, due: Due) -> Delivery:
    """The send, with 429s waited out (shared with every replica) while that stays short."""
    delivery = Delivery(DeliveryStatus.FAILED)
    for _ in range(RATE_LIMIT_TRIES):
        delivery = await sender.send_dm(user, reply)
        if delivery.status is not DeliveryStatus.RATE_LIMITED:
            return delivery
        tick.app.metrics.api_retries.labels(platform=due.platform).inc()
        if tick.limits is not None:
            await asyncio.to_thread(tick.limits.pause, due.platform, time.time() + delivery.retry_after)
        if delivery.retry_after > MAX_WAIT or tick.stopping.is_set():
            return delivery
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(tick.stopping.wait(), max(delivery.retry_after, 0.01))
    return delivery
