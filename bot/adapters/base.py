"""What every adapter is handed (settings, the core bot, metrics, state) and the lifecycle they share."""
from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.core.bot import APOLOGY, SkillBot
from bot.core.deps import Deps
from bot.core.model import Command, Reply, Result
from bot.core.ports import RateLimitPort, SeenPort, StatePort
from bot.runtime.metrics import Metrics
from bot.settings import Settings

log = logging.getLogger(__name__)


class Host(Protocol):
    """The wired objects an adapter needs; the composition root's App satisfies it."""

    @property
    def settings(self) -> Settings: ...
    @property
    def deps(self) -> Deps: ...
    @property
    def bot(self) -> SkillBot: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def state(self) -> StatePort: ...
    @property
    def limits(self) -> RateLimitPort | None: ...
    @property
    def seen(self) -> SeenPort: ...


class AdapterBase:
    """The lifecycle every network adapter shares: answers in flight are counted so a stop can wait
    for them (briefly), core runs in a worker thread so the event loop never blocks, and a failure
    is answered with the same short apology everywhere."""

    platform: str
    app: Host
    apology: Reply = APOLOGY

    def __init__(self) -> None:
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def _enter(self) -> None:
        self._busy += 1
        self._idle.clear()

    def _leave(self) -> None:
        self._busy -= 1
        if not self._busy:
            self._idle.set()

    async def idle(self) -> None:
        """Wait until nothing is being answered (tests and graceful shutdown)."""
        await self._idle.wait()

    async def _drain(self, what: str, timeout: float = 5.0) -> None:
        """Give the answers in flight a moment to finish before the connection closes."""
        try:
            await asyncio.wait_for(self.idle(), timeout)
        except TimeoutError:
            log.warning("%s stopping with %d %s still being answered", self.platform, self._busy, what)

    async def _core(self, cmd: Command) -> Result:
        """Core is synchronous (it talks to the database): run it off the event loop."""
        return await asyncio.to_thread(self.app.bot.handle, cmd)
