"""The /skill command definition, and syncing it with Discord only when it changed.

Discord caps command creations per day, so the bot never syncs on every start: it stores a hash
of the definition it last synced (table bot_state) and syncs again only when the hash differs,
or when someone runs `skillbot discord sync [--guild ID]`.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from bot.core.ports import StatePort
from bot.settings import Settings

log = logging.getLogger(__name__)

COMMAND = "skill"
DESCRIPTION = "Learn a skill: look it up, track it week by week, check your progress"
OPTION_HELP = "A skill or question, or: track, progress, done, help..."
SubCallback = Callable[[discord.Interaction, str], Awaitable[None]]
CompleteCallback = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at DISCORD_API_URL / DISCORD_GATEWAY_URL (tests and proxies).

    discord.py keeps both as class attributes, so this is process-wide by design of the library.
    """
    if settings.discord_api_url:
        discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def bot_intents() -> discord.Intents:
    """Only the unprivileged guilds intent: commands, autocomplete and buttons need no more."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


def quiet_voice_warnings() -> None:
    """The bot has no voice features, so discord.py's warnings about voice libraries are noise."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def state_key(guild_id: int | None = None) -> str:
    return f"discord.commands.{guild_id or 'global'}"


def define_commands(tree: app_commands.CommandTree, on_skill: SubCallback, on_complete: CompleteCallback) -> None:
    """Add `/skill text:<...>` with autocomplete to the tree."""

    @app_commands.command(name=COMMAND, description=DESCRIPTION)
    @app_commands.describe(text=OPTION_HELP)
    async def skill(interaction: discord.Interaction, text: str = "") -> None:
        await on_skill(interaction, text)

    @skill.autocomplete("text")
    async def complete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await on_complete(interaction, current)

    tree.add_command(skill)


def definition_hash(tree: app_commands.CommandTree) -> str:
    """A stable hash of what Discord would be sent (callbacks excluded)."""
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def _noop_skill(interaction: discord.Interaction, text: str) -> None:
    return None


async def _no_choices(interaction: discord.Interaction, text: str) -> list[app_commands.Choice[str]]:
    return []


def _offline_tree() -> app_commands.CommandTree:
    """A tree with the real definition and no connection, for hashing."""
    quiet_voice_warnings()
    tree = app_commands.CommandTree(discord.Client(intents=bot_intents()))
    define_commands(tree, _noop_skill, _no_choices)
    return tree


async def sync(tree: app_commands.CommandTree, state: StatePort, guild_id: int | None = None,
               force: bool = False) -> bool:
    """Sync when forced or when the definition changed; True when Discord was called."""
    key, current = state_key(guild_id), definition_hash(tree)
    if not force and await asyncio.to_thread(state.get, key) == current:
        log.info("discord commands unchanged since the last sync; not syncing (scope=%s)", key)
        return False
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)  # a guild sync sends only guild commands
    await tree.sync(guild=guild)
    await asyncio.to_thread(state.set, key, current)
    log.info("discord commands synced (scope=%s)", key)
    return True
