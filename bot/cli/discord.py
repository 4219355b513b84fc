"""`skillbot discord sync` and the doctor's view of the command sync state."""
from __future__ import annotations

import asyncio

import discord
from discord import app_commands

from bot.adapters.discord_sync import (
    COMMAND,
    _no_choices,
    _noop_skill,
    _offline_tree,
    bot_intents,
    configure_endpoints,
    define_commands,
    definition_hash,
    quiet_voice_warnings,
    state_key,
    sync,
)
from bot.app import DatabaseBehind, prepare_database
from bot.cli import _settings
from bot.settings import Settings
from bot.store.db import make_engine
from bot.store.state import StateStore


def sync_state(settings: Settings) -> str:
    """For `skillbot doctor`: whether the global /skill definition matches the last sync."""
    engine = make_engine(settings.database_url)
    try:
        stored = StateStore(engine).get(state_key())
    finally:
        engine.dispose()
    if stored is None:
        return "commands never synced (they sync on the first start, or run `skillbot discord sync`)"
    if stored != definition_hash(_offline_tree()):
        return "commands changed since the last sync (they sync on the next start)"
    return "commands in sync"


async def _sync_once(settings: Settings, guild_id: int | None) -> bool:
    configure_endpoints(settings)
    quiet_voice_warnings()
    client = discord.Client(intents=bot_intents())
    tree = app_commands.CommandTree(client)
    define_commands(tree, _noop_skill, _no_choices)
    engine = make_engine(settings.database_url)
    try:
        await asyncio.to_thread(prepare_database, engine, settings.auto_migrate)  # bot_state must exist
        token = settings.discord_token
        if token is None:  # cmd_sync checks first; keeps the type honest
            return False
        await client.login(token.get_secret_value())  # REST only: no gateway needed
        return await sync(tree, StateStore(engine), guild_id, force=True)
    finally:
        await client.close()
        engine.dispose()


def cmd_sync(args) -> int:
    """`skillbot discord sync [--guild ID]`: push the /skill definition to Discord now."""
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
