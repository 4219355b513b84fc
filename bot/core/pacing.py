"""Pacing one platform's requests under a cap shared by every replica, and holding them after a 429.

Each request first reserves a slot in the platform's shared row (the store makes it atomic), waits
for it, then checks the shared pause once more just before going out: a 429 seen by any process
stops every process's requests to that platform until its Retry-After has passed.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.core.ports import RateLimitPort

log = logging.getLogger(__name__)

MAX_WAIT = 5.0  # a request waits this long at most for its slot or a pause; longer ones are deferred
# Pace a little under the cap: timers and networks jitter, and a burst over the cap costs a 429.
HEADROOM = 0.9


class Deferred(Exception):
    """The platform is paused (or booked) for longer than a request should wait; try again later."""

    def __init__(self, retry_after: float):
        super().__init__(f"platform busy for {retry_after:.1f}s")
        self.retry_after = retry_after


class Pacer:
    """One platform's shared pacing; `rate` requests per second across all replicas (0: no cap)."""

    def __init__(self, limits: RateLimitPort | None, platform: str, rate: float, max_wait: float = MAX_WAIT,
                 wall: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.limits, self.platform, self.rate = limits, platform, rate
        self.max_wait, self.wall, self.sleep = max_wait, wall, sleep

    async def acquire(self) -> None:
        """Wait for this request's slot; raises Deferred when that would take longer than max_wait."""
        if self.limits is None:
            return
        while True:
            await self._wait_out_pause()
            if self.rate > 0:
                now = self.wall()
                slot = await asyncio.to_thread(self.limits.reserve, self.platform, 1.0 / (self.rate * HEADROOM), now)
                if slot - now > self.max_wait:
                    raise Deferred(slot - now)
                if slot > now:
                    await self.sleep(slot - now)
            # A 429 elsewhere may have arrived while this request waited for its slot.
            if await self._paused_for() <= 0:
                return

    async def _paused_for(self) -> float:
        assert self.limits is not None
        return await asyncio.to_thread(self.limits.paused_until, self.platform) - self.wall()

    async def _wait_out_pause(self) -> None:
        left = await self._paused_for()
        if left > self.max_wait:
            raise Deferred(left)
        if left > 0:
            await self.sleep(left)

    async def hold(self, retry_after: float) -> None:
        """A 429 said wait `retry_after` seconds: every replica's requests wait with us."""
        if self.limits is None:
            return
        log.info("rate limited: platform=%s pausing every replica for %.1fs", self.platform, retry_after)
        await asyncio.to_thread(self.limits.pause, self.platform, self.wall() + max(retry_after, 0.0))
