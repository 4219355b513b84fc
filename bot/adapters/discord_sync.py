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
from datetime import UTC, datetime

import discord
from discord import app_commands
from sqlalchemy import Engine

from bot.app import DatabaseBehind, prepare_database
from bot.settings import Settings
from bot.store.db import make_engine, make_session_factory
from bot.store.models import BotState

log = logging.getLogger(__name__)

COMMAND = "skill"
DESCRIPTION = "Learn a skill: look it up, track it week by week, check your progress"
OPTION_HELP = "A skill or question, or: track, progress, done, help..."
SubCallback = Callable[[discord.Interaction, str], Awaitable[None]]
CompleteCallback = Callable[[discord.Interaction, str], Awaitable[list[app_commands.Choice[str]]]]


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


def stored_hash(engine: Engine, key: str) -> str | None:
    with make_session_factory(engine)() as session:
        row = session.get(BotState, key)
        return row.value if row else None


def store_hash(engine: Engine, key: str, value: str) -> None:
    with make_session_factory(engine)() as session, session.begin():
        row = session.get(BotState, key)
        if row is None:
            session.add(BotState(key=key, value=value, updated_at=datetime.now(UTC)))
        else:
            row.value, row.updated_at = value, datetime.now(UTC)


async def sync(tree: app_commands.CommandTree, engine: Engine, guild_id: int | None = None,
               force: bool = False) -> bool:
    """Sync when forced or when the definition changed; True when Discord was called."""
    key, current = state_key(guild_id), definition_hash(tree)
    if not force and await asyncio.to_thread(stored_hash, engine, key) == current:
        log.info("discord commands unchanged since the last sync; not syncing (scope=%s)", key)
        return False
    guild = discord.Object(guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)  # a guild sync sends only guild commands
    await tree.sync(guild=guild)
    await asyncio.to_thread(store_hash, engine, key, current)
    log.info("discord commands synced (scope=%s)", key)
    return True


def sync_state(settings: Settings) -> str:
    """For `skillbot doctor`: whether the global /skill definition matches the last sync."""
    engine = make_engine(settings.database_url)
    try:
        stored = stored_hash(engine, state_key())
    finally:
        engine.dispose()
    if stored is None:
        return "commands never synced (they sync on the first start, or run `skillbot discord sync`)"
    if stored != definition_hash(_offline_tree()):
        return "commands changed since the last sync (they sync on the next start)"
    return "commands in sync"


async def _sync_once(settings: Settings, guild_id: int | None) -> bool:
    from bot.adapters.discord import configure_endpoints
    configure_endpoints(settings)
    quiet_voice_warnings()
    client = discord.Client(intents=bot_intents())
    tree = app_commands.CommandTree(client)
    define_commands(tree, _noop_skill, _no_choices)
    engine = make_engine(settings.database_url)
    try:
        await asyncio.to_thread(prepare_database, engine, settings.auto_migrate)  # bot_state must exist
        await client.login(settings.discord_token.get_secret_value())  # REST only: no gateway needed
        return await sync(tree, engine, guild_id, force=True)
    finally:
        await client.close()
        engine.dispose()


def cmd_sync(args) -> int:
    """`skillbot discord sync [--guild ID]`: push the /skill definition to Discord now."""
    from bot.cli import _settings
    settings = _settings()
    if settings.discord_token is None:
        print("DISCORD_TOKEN is not set.")
        return 2
    guild_id = int(args.guild) if getattr(args, "guild", None) else None
    try:
        asyncio.run(_sync_once(settings, guild_id))
    except discord.HTTPException as exc:
        print(f"Sync failed: Discord said {exc.status} ({exc.code}).")
        return 1
    except DatabaseBehind as exc:
        print(str(exc))
        return 1
    except discord.LoginFailure:
        print("Sync failed: Discord rejected DISCORD_TOKEN.")
        return 1
    where = f"guild {guild_id} (available now)" if guild_id else "all servers (may take up to an hour to appear)"
    print(f"Synced /{COMMAND} to {where}.")
    return 0
