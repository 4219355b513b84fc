"""/healthz and /readyz beside the platform routes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.store.state import ping

if TYPE_CHECKING:
    from bot.runtime.runner import Runtime


def add_health_routes(runtime: Runtime) -> None:
    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_request: web.Request) -> web.Response:
        checks = {"database": await _database_ok(runtime)}
        checks.update({a.platform: a.ready() for a in runtime.adapters})
        ok = all(checks.values()) and not runtime.stopping.is_set()
        return web.json_response({"ready": ok, "checks": checks}, status=200 if ok else 503)

    async def metrics(_request: web.Request) -> web.Response:
        body = runtime.app.metrics.render()
        return web.Response(body=body, headers={"Content-Type": runtime.app.metrics.content_type})

    runtime.web_app.router.add_get("/metrics", metrics)
    runtime.web_app.router.add_get("/healthz", healthz)
    runtime.web_app.router.add_get("/readyz", readyz)


async def _database_ok(runtime: Runtime) -> bool:
    import asyncio

    def answers() -> bool:
        try:
            ping(runtime.app.engine)
            return True
        except Exception:  # noqa: BLE001 - doctor and readiness report any failure, never raise
            return False

    return await asyncio.to_thread(answers)
