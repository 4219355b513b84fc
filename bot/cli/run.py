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


def cmd_slack(args) -> int:
    if getattr(args, "slack_command", None) == "manifest":
        from bot.cli.slack import cmd_manifest
        return cmd_manifest(args)
    return _serve(args, ["slack"])


def cmd_discord(args) -> int:
    if getattr(args, "discord_command", None) == "sync":
        from bot.cli.discord import cmd_sync
        return cmd_sync(args)
    return _serve(args, ["discord"])
