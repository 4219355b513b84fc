"""Rate limits and bad weather for the fakes, as the platforms document them.

- `Window`: N requests per `per` seconds (sliding), the shape of both Discord's buckets and Slack's tiers.
- `Weather`: latency, and "accept, then fail": the platform creates the message, then drops the
  connection, never answers (the client times out), or answers 500. A client that retries these
  posts twice; one that records the outcome as unknown does not.
- Bounded call logs: benchmarks keep only the last `max_calls` calls and count the rest.
"""
from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Window:
    """At most `limit` requests in any `per` seconds."""

    limit: int
    per: float
    hits: deque = field(default_factory=deque)

    def _trim(self, now: float) -> None:
        while self.hits and self.hits[0] <= now - self.per:
            self.hits.popleft()

    def take(self, now: float | None = None) -> float:
        """0 when the request may pass (and counts it); otherwise seconds until it could."""
        now = time.monotonic() if now is None else now
        self._trim(now)
        if len(self.hits) >= self.limit:
            return max(self.hits[0] + self.per - now, 0.001)
        self.hits.append(now)
        return 0.0

    def remaining(self, now: float | None = None) -> int:
        self._trim(time.monotonic() if now is None else now)
        return max(self.limit - len(self.hits), 0)

    def reset_after(self, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        return max(self.hits[0] + self.per - now, 0.0) if self.hits else 0.0


def retry_after_header(seconds: float) -> str:
    """Slack sends whole seconds."""
    return str(max(1, math.ceil(seconds)))


@dataclass
class Weather:
    """Latency and accept-then-fail modes, shared by both fakes."""

    latency: float = 0.0
    after_accept: list[str] = field(default_factory=list)  # "drop", "timeout", "500", one per message
    hang: float = 3600.0
    max_calls: int | None = None  # None: keep every call (tests assert on them); a number: benchmarks
    dropped_calls: int = 0

    def accept_then(self, mode: str, times: int = 1) -> None:
        if mode not in ("drop", "timeout", "500"):
            raise ValueError(mode)
        self.after_accept += [mode] * times

    async def delay(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    def next_mode(self) -> str | None:
        return self.after_accept.pop(0) if self.after_accept else None

    async def misbehave(self, mode: str, request: web.Request) -> web.StreamResponse:
        """After the message was created: fail in the chosen way."""
        if mode == "drop":
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # the handler ends without an answer; the client sees a disconnect
        if mode == "timeout":
            await asyncio.sleep(self.hang)
        return web.json_response({"message": "500: Internal Server Error", "code": 0}, status=500)

    def bound(self, calls: list) -> None:
        if self.max_calls is not None and len(calls) > self.max_calls:
            drop = len(calls) - self.max_calls // 2
            del calls[:drop]
            self.dropped_calls += drop
