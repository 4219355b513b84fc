"""One asyncio loop for everything: platform adapters, the scheduler and the HTTP endpoints.

Adapters implement `PlatformAdapter`. The runner builds them, gives the HTTP-mode ones the shared
aiohttp application to add routes to, starts them, and stops them in reverse order on shutdown.
"""
from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import web

from bot.app import App
from bot.core.delivery import Sender

log = logging.getLogger(__name__)


class PlatformAdapter(Protocol):
    platform: str

    @property
    def sender(self) -> Sender:
        """How the scheduler reaches this platform."""

    def add_routes(self, web_app: web.Application) -> None:
        """Add HTTP routes (e.g. Slack's /slack/events) before the server starts."""

    async def start(self) -> None:
        """Connect and return once the adapter takes events (runs in the background)."""

    async def stop(self) -> None:
        """Stop taking events and close connections."""

    def ready(self) -> bool:
        """Connected to the platform."""


@dataclass
class Runtime:
    """What is running in this process; handed to the scheduler and the health endpoints."""

    app: App
    adapters: list[PlatformAdapter] = field(default_factory=list)
    web_app: web.Application = field(default_factory=web.Application)
    on_stop: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def senders(self) -> dict[str, Sender]:
        return {a.platform: a.sender for a in self.adapters}


def build_adapters(app: App, platforms: list[str], **options) -> list[PlatformAdapter]:
    """Import platform code only when that platform runs (keeps `skillbot ask` fast)."""
    adapters: list[PlatformAdapter] = []
    if "slack" in platforms:
        from bot.adapters.slack import SlackAdapter
        adapters.append(SlackAdapter(app, **options.get("slack", {})))
    if "discord" in platforms:
        from bot.adapters.discord import DiscordAdapter
        adapters.append(DiscordAdapter(app, **options.get("discord", {})))
    return adapters


async def serve(runtime: Runtime, port: int, start_scheduler: bool = True, host: str = "0.0.0.0") -> int:
    """Run until SIGTERM/SIGINT or runtime.stopping is set; then shut down in order."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, runtime.stopping.set)
        except (NotImplementedError, RuntimeError):  # not in the main thread (tests)
            pass
    for adapter in runtime.adapters:
        adapter.add_routes(runtime.web_app)
    from bot.runtime.health import add_health_routes
    add_health_routes(runtime)
    web_runner = web.AppRunner(runtime.web_app, handle_signals=False)
    await web_runner.setup()
    site = web.TCPSite(web_runner, host, port)
    await site.start()
    log.info("HTTP listening on %s:%s", host, port)
    for adapter in runtime.adapters:
        await adapter.start()
    # Start-up objects (content, SDK clients) live for the whole process: freezing them keeps
    # full garbage collections short, which removed ~80 ms p99 spikes in bench/discord_roundtrip.py.
    gc.freeze()
    if start_scheduler:
        from bot.runtime.scheduler import start_scheduler as _start
        runtime.on_stop.append(await _start(runtime))
    await runtime.stopping.wait()
    log.info("shutting down")
    for stop in reversed(runtime.on_stop):
        await _quietly(stop())
    for adapter in reversed(runtime.adapters):
        await _quietly(adapter.stop())
    await web_runner.cleanup()
    runtime.app.engine.dispose()
    return 0


async def _quietly(awaitable: Awaitable[None], timeout: float = 8.0) -> None:
    try:
        await asyncio.wait_for(awaitable, timeout)
    except Exception:
        log.exception("error during shutdown")
