"""CLI commands that run platforms and scheduled work. Each imports its feature lazily."""
from __future__ import annotations

import argparse
import importlib


def _lazy(target: str):
    """'module:function', imported only when the command runs (keeps `skillbot ask` fast)."""
    module, _, name = target.partition(":")
    return lambda args: getattr(importlib.import_module(module), name)(args)


def _platform_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    parser.add_argument("--no-scheduler", action="store_true", help="do not run check-ins and digests here")


def _run_once_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", help="the instant to act as now, ISO-8601 (default: the real time)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be sent; send and change nothing")


def add_platform_commands(sub: argparse._SubParsersAction) -> None:
    run = sub.add_parser("run", help="run every configured platform plus the scheduler")
    _platform_options(run)
    run.add_argument("--shard-id", type=int, help="Discord: this process's shard")
    run.add_argument("--shard-count", type=int, help="Discord: the total number of shards")

    slack = sub.add_parser("slack", help="run the Slack adapter (or: slack manifest)")
    _platform_options(slack)
    slack_sub = slack.add_subparsers(dest="slack_command")
    manifest = slack_sub.add_parser("manifest", help="print a Slack app manifest")
    manifest.add_argument("--socket-mode", choices=("on", "off"), default="on")
    manifest.add_argument("--url", help="public base URL for HTTP mode, e.g. https://bot.example.com")

    discord = sub.add_parser("discord", help="run the Discord adapter (or: discord sync)")
    _platform_options(discord)
    discord.add_argument("--shard-id", type=int)
    discord.add_argument("--shard-count", type=int)
    discord_sub = discord.add_subparsers(dest="discord_command")
    sync = discord_sub.add_parser("sync", help="sync the /skill command with Discord")
    sync.add_argument("--guild", help="sync to one guild (instant) instead of globally")

    nudges = sub.add_parser("nudges", help="weekly check-ins")
    nudges_sub = nudges.add_subparsers(dest="nudges_command", required=True)
    _run_once_options(nudges_sub.add_parser("run-once", help="run one check-in tick and exit"))

    digest = sub.add_parser("digest", help="team digests")
    digest_sub = digest.add_subparsers(dest="digest_command", required=True)
    _run_once_options(digest_sub.add_parser("run-once", help="run one digest tick and exit"))

    sub.add_parser("doctor", help="check database, content, tokens and scheduler")
    sub.add_parser("config", help="print the effective configuration, secrets masked")


PLATFORM_COMMANDS = {
    "run": _lazy("bot.cli.run:cmd_run"),
    "slack": _lazy("bot.cli.run:cmd_slack"),
    "discord": _lazy("bot.cli.run:cmd_discord"),
    "nudges": _lazy("bot.cli.schedule:cmd_nudges"),
    "digest": _lazy("bot.cli.schedule:cmd_digest"),
    "doctor": _lazy("bot.runtime.ops:cmd_doctor"),
    "config": _lazy("bot.runtime.ops:cmd_config"),
}
