"""`skillbot run`, `skillbot slack`, `skillbot discord`: build the runtime and serve."""
from __future__ import annotations

import asyncio
import logging
import sys

from bot.cli import _build
from bot.runtime.runner import Runtime, build_adapters, serve

log = logging.getLogger(__name__)

MISSING_HELP = """No platform is configured, so there is nothing to connect to.
  Slack:   set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)
  Discord: set DISCORD_TOKEN
Or try the bot in this terminal with no tokens at all:  skillbot
"""


def _serve(args, platforms: list[str]) -> int:
    app = _build()
    options = {"discord": {"shard_id": getattr(args, "shard_id", None), "shard_count": getattr(args, "shard_count", None)}}
    runtime = Runtime(app, build_adapters(app, platforms, **options))
    port = args.port or app.settings.port
    return asyncio.run(serve(runtime, port, start_scheduler=not args.no_scheduler))


def cmd_run(args) -> int:
    from bot.cli import _settings
    settings = _settings()
    platforms = [name for name, ok in (("slack", settings.slack_configured), ("discord", settings.discord_configured)) if ok]
    if not platforms:
        print(MISSING_HELP, file=sys.stderr)
        return 2
    return _serve(args, platforms)


def missing_credentials(settings, platform: str) -> str | None:
    """One line naming the variable a platform still needs, or None when it has what it needs."""
    if platform == "slack" and settings.slack_bot_token is None:
        return "skillbot slack: SLACK_BOT_TOKEN is not set (the Bot User OAuth Token, xoxb-...); see the README's Slack section"
    if platform == "slack" and not settings.slack_configured:
        return ("skillbot slack: set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) "
                "besides SLACK_BOT_TOKEN")
    if platform == "discord" and settings.discord_token is None:
        return "skillbot discord: DISCORD_TOKEN is not set (the bot token from the Developer Portal); see the README's Discord section"
    return None


def _serve_one(args, platform: str) -> int:
    from bot.cli import _settings
    problem = missing_credentials(_settings(), platform)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    return _serve(args, [platform])


def cmd_slack(args) -> int:
    if getattr(args, "slack_command", None) == "manifest":
        from bot.cli.slack import cmd_manifest
        return cmd_manifest(args)
    return _serve_one(args, "slack")


def cmd_discord(args) -> int:
    if getattr(args, "discord_command", None) == "sync":
        from bot.cli.discord import cmd_sync
        return cmd_sync(args)
    return _serve_one(args, "discord")
