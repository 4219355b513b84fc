"""One digest tick: claim the team channels whose weekly digest is due, post each, record the outcome.

At most once per channel and week: the claim (a delivery row with a unique (channel, week) key) is
committed before the post, and moved to "sending" with a compare-and-set on (id, owner, "claimed")
so only the process holding it posts. Claims a process still holds at shutdown are handed back;
those of a process that died are taken over by another once their lease runs out (the old owner, if it
was only slow, then fails the compare-and-set and skips them). A post that had begun when its process
died, or whose outcome is unknown (the connection dropped, a timeout, a 5xx: "uncertain"), is never
posted again: that channel may miss that week's digest, but never gets it twice.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.delivery import Delivery, DeliveryStatus, Sender, worker_name
from bot.core.model import Reply, UserRef
from bot.core.ports import TeamStorePort
from bot.core.records import Claim, TeamChannelRecord
from bot.core.schedule import week_label
from bot.core.states import DigestStatus
from bot.teams.board import Window, build_board

log = logging.getLogger(__name__)

WEEK = timedelta(weeks=1)


def store_of(app) -> TeamStorePort:
    return app.deps.teams


def digest_reply(app, channel: TeamChannelRecord, week: str, due_at: datetime, now: datetime) -> Reply:
    """The digest of the week ending at the due instant (steps up to `now` count, so none fall between)."""
    members = store_of(app).members(channel.id)
    window = Window(due_at - WEEK, max(due_at, now))
    board = build_board(app.deps.catalog, members, window, now, f"Team digest · {week_label(week)}", private=False)
    extra = tuple(text for section in app.deps.digest_sections if (text := section(channel, members)))
    return replace(board, sections=board.sections + extra) if extra else board


def gone_reply(channel: TeamChannelRecord) -> Reply:
    name = f"#{channel.channel_name}" if channel.channel_name else "a team channel"
    return Reply(title="Team digests stopped", sections=(
        (f"I can no longer post in {name} (I was removed, or it was archived or deleted), so I switched "
        "its team digests off. To start again, add me to a channel and run `/skill team here` there."),))


async def run_digests(app, senders: dict[str, Sender], now: datetime, worker: str | None = None,
                      stopping: asyncio.Event | None = None) -> int:
    """Post every digest due at `now` that a sender here can deliver; returns how many were posted.

    Once `stopping` is set no further digest is begun: what this worker still holds stays claimed for
    the shutdown to release. Claim times run on from `now` with the wall clock, so a long tick's
    claims carry their real age (their lease starts when they are taken).
    """
    store = store_of(app)
    worker = worker or worker_name()
    stopping = stopping or asyncio.Event()
    platforms = sorted(senders)  # a platform not configured here is left for a process that has it
    if not platforms or stopping.is_set():
        return 0
    started = time.monotonic()

    def current() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    posted = 0
    retries, expired = await asyncio.to_thread(store.claim_retries, current(), platforms, worker)
    while not stopping.is_set():
        due, stale = await asyncio.to_thread(store.claim_due, current(), platforms, worker)
        if stale or expired:
            log.info("digests skipped: stale=%d retry window over=%d", stale, expired)
        for claim in retries + due:
            if stopping.is_set():
                break
            posted += await _post_one(app, senders[claim.channel.platform], claim, now, worker)
        # Every channel a claim looked at has moved a week on, so this loop ends.
        if not due and not stale:
            break
        retries, expired = [], 0
    return posted


async def _post_one(app, sender: Sender, claim: Claim, now: datetime, worker: str) -> int:
    """Post one digest; never raises, so one failing channel never stops the others."""
    store = store_of(app)
    channel = claim.channel
    try:
        reply = await asyncio.to_thread(digest_reply, app, channel, claim.week, claim.due_at, now)
        if not await asyncio.to_thread(store.start_sending, claim.delivery_id, worker):
            return 0  # no longer ours: another process holds this claim
        delivery = await sender.post(channel.ref, reply)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("digest failed: platform=%s team_channel=%s", channel.platform, channel.id)
        await asyncio.to_thread(store.mark, claim.delivery_id, DigestStatus.FAILED, now, worker)
        return 0
    if delivery.ok:
        await asyncio.to_thread(store.mark, claim.delivery_id, DigestStatus.SENT, now, worker)
        return 1
    app.metrics.api_errors.labels(platform=channel.platform, error=delivery.status.value).inc()
    if delivery.status is DeliveryStatus.CHANNEL_GONE:
        await _channel_gone(app, sender, claim)
    elif delivery.status is DeliveryStatus.UNCERTAIN:
        app.metrics.uncertain.labels(kind="digest", platform=channel.platform).inc()
        await asyncio.to_thread(store.mark, claim.delivery_id, DigestStatus.UNCERTAIN, now, worker)
    else:
        # Rate limited or a passing failure: a later tick tries again, within the 12-hour window only.
        if delivery.status is DeliveryStatus.RATE_LIMITED:
            app.metrics.api_retries.labels(platform=channel.platform).inc()
            if app.limits is not None:  # every replica holds this platform's sends until Retry-After
                await asyncio.to_thread(app.limits.pause, channel.platform, time.time() + delivery.retry_after)
        await asyncio.to_thread(store.mark, claim.delivery_id, DigestStatus.RETRY, now, worker)
    return 0


async def _channel_gone(app, sender: Sender, claim: Claim) -> None:
    store = store_of(app)
    channel = claim.channel
    await asyncio.to_thread(store.mark, claim.delivery_id, DigestStatus.GONE, claim.due_at)
    switched = await asyncio.to_thread(store.disable, channel.id)
    log.info("team channel gone, switched off: platform=%s team_channel=%s", channel.platform, channel.id)
    if not switched or channel.admin_user_id is None:
        return
    admin = await asyncio.to_thread(app.deps.tracks.user_by_id, channel.admin_user_id)
    if admin is None:
        return
    ref = UserRef(admin.platform, admin.workspace, admin.platform_user_id, name=admin.display_name)
    try:
        result: Delivery = await sender.send_dm(ref, gone_reply(channel))
        if not result.ok:
            log.info("could not tell the admin: platform=%s status=%s", channel.platform, result.status.value)
    except Exception:
        log.exception("could not tell the admin: platform=%s team_channel=%s", channel.platform, channel.id)
