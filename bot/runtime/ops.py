"""`skillbot doctor` and `skillbot config`: what an operator runs before and after deploying."""
from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import SecretStr

from bot.adapters.slack_manifest import BOT_SCOPES
from bot.cli import _settings
from bot.settings import Settings

SLACK_SCOPES = set(BOT_SCOPES)


@dataclass
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str

    def line(self) -> str:
        mark = {"ok": "✔", "warn": "!", "fail": "✘"}[self.status]
        return f"{mark} {self.name}: {self.detail}"


def check_database(settings: Settings) -> Check:
    """Read-only: reports where the database is; never creates, connects a missing file, or migrates."""
    from bot.store import migrate
    from bot.store.db import make_engine, safe_url
    engine = make_engine(settings.database_url)
    where = safe_url(settings.database_url)
    try:
        at_head, line = migrate.read_only_status(engine)
    except Exception as exc:  # noqa: BLE001 - doctor and readiness report any failure, never raise
        from bot.store.db import describe_unreachable
        return Check("database", "fail", describe_unreachable(settings.database_url, exc))
    finally:
        engine.dispose()
    return Check("database", "ok" if at_head else "fail", f"{where}: {line}")


def check_content(settings: Settings) -> Check:
    from bot.content.loader import ContentInvalid, load_catalog
    try:
        catalog = load_catalog(settings.content_path)
    except ContentInvalid as exc:
        return Check("content", "fail", f"{len(exc.errors)} error(s); first: {exc.errors[0]}")
    return Check("content", "ok", f"{len(catalog.skills)} skills, {sum(len(s.topics) for s in catalog.skills)} topics")


async def check_slack(settings: Settings) -> Check:
    if settings.slack_bot_token is None:
        return Check("slack", "warn", "not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) "
                     "or SLACK_SIGNING_SECRET (HTTP mode)")
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient
    base = settings.slack_api_url or "https://slack.com/api/"
    client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(), base_url=base.rstrip("/") + "/")
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        return Check("slack", "fail", f"auth.test failed: {exc.response.get('error', 'unknown error')}")
    except Exception as exc:  # noqa: BLE001 - doctor and readiness report any failure, never raise
        return Check("slack", "fail", f"cannot reach Slack: {type(exc).__name__}")
    granted = {s.strip() for s in (response.headers.get("x-oauth-scopes") or "").split(",") if s.strip()}
    missing = SLACK_SCOPES - granted if granted else set()
    if missing:
        return Check("slack", "fail", f"token valid for team {response.get('team')}, missing scopes: {', '.join(sorted(missing))}")
    mode = "Socket Mode" if settings.slack_app_token else "HTTP mode"
    if not settings.slack_app_token and not settings.slack_signing_secret:
        return Check("slack", "fail", "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN nor SLACK_SIGNING_SECRET")
    return Check("slack", "ok", f"token valid for team {response.get('team')} as {response.get('user')}, {mode}")


async def check_discord(settings: Settings, database_ok: bool = True) -> Check:
    if settings.discord_token is None:
        return Check("discord", "warn", "not configured: set DISCORD_TOKEN")
    import aiohttp
    base = (settings.discord_api_url or "https://discord.com/api/v10").rstrip("/")
    headers = {"Authorization": f"Bot {settings.discord_token.get_secret_value()}"}
    try:
        async with aiohttp.ClientSession(headers=headers) as session, session.get(f"{base}/users/@me") as response:
            if response.status != 200:
                return Check("discord", "fail", f"token rejected (HTTP {response.status})")
            me = await response.json()
    except Exception as exc:  # noqa: BLE001 - doctor and readiness report any failure, never raise
        return Check("discord", "fail", f"cannot reach Discord: {type(exc).__name__}")
    sync = _discord_sync_state(settings) if database_ok else "command sync state unknown (database not ready)"
    status = "ok" if "in sync" in sync else "warn"
    return Check("discord", status, f"token valid as {me.get('username')}; {sync}")


def _discord_sync_state(settings: Settings) -> str:
    try:
        from bot.cli.discord import sync_state
    except ImportError:
        return "command sync state unknown"
    try:
        return sync_state(settings)
    except Exception as exc:  # noqa: BLE001 - doctor and readiness report any failure, never raise
        return f"command sync state unknown ({type(exc).__name__})"


def check_scheduler(settings: Settings) -> Check:
    from bot.store.db import make_engine
    from bot.store.state import schedule_summary
    engine = make_engine(settings.database_url)
    try:
        due, upcoming, digest = schedule_summary(engine, datetime.now(UTC))
    except Exception as exc:  # noqa: BLE001 - doctor and readiness report any failure, never raise
        return Check("scheduler", "fail", f"cannot read schedule: {type(exc).__name__}")
    finally:
        engine.dispose()
    fmt = lambda t: t.strftime("%Y-%m-%d %H:%M UTC") if t else "none"
    return Check("scheduler", "ok", f"{due} check-in(s) due now; next check-in {fmt(upcoming)}; next digest {fmt(digest)}")


def cmd_doctor(args) -> int:
    settings = _settings()
    checks = [check_database(settings), check_content(settings)]
    database_ok = checks[0].status == "ok"
    checks += asyncio.run(_platform_checks(settings, database_ok))
    if database_ok:
        checks.append(check_scheduler(settings))
    for check in checks:
        print(check.line())
    failed = [c for c in checks if c.status == "fail"]
    print(_verdict(settings, failed))
    return 1 if failed else 0


def _verdict(settings: Settings, failed: list[Check]) -> str:
    if failed:
        return f"{len(failed)} problem(s)."
    if not (settings.slack_configured or settings.discord_configured):
        return ("No platform configured: set SLACK_BOT_TOKEN (+ SLACK_APP_TOKEN or SLACK_SIGNING_SECRET) "
                "or DISCORD_TOKEN. Everything else checked out.")
    return "All checks passed."


async def _platform_checks(settings: Settings, database_ok: bool) -> list[Check]:
    return list(await asyncio.gather(check_slack(settings), check_discord(settings, database_ok)))


def masked(value) -> str:
    if value is None:
        return "(not set)"
    # Wholly: even a prefix of a signing secret narrows a brute force, and tokens' prefixes say little.
    return "****** (set)"


def cmd_config(args) -> int:
    from bot.store.db import redact_url
    settings = _settings()
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, SecretStr) or any(word in name for word in ("token", "secret", "password", "key")):
            shown = masked(value) if value is not None else "(not set)"
        elif name.endswith("_url") and value:
            shown = redact_url(value)
        else:
            shown = "(not set)" if value in (None, "") else str(value)
        print(f"{field.alias or name.upper()}={shown}")
    print(f"# platforms: slack={'on' if settings.slack_configured else 'off'}, "
          f"discord={'on' if settings.discord_configured else 'off'}", file=sys.stdout)
    return 0
