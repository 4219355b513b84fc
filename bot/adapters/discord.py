"""The Discord adapter: discord.py events in, neutral Commands to core, embeds and buttons out.

Slash commands and autocomplete arrive through an app_commands tree; button clicks are routed by
custom_id in on_interaction, so a button works after a restart without any view in memory.
Every interaction is answered inside Discord's 3 seconds: a fast core answer is sent directly,
a slow one is deferred first and then edited in.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.base import AdapterBase, Host
from bot.adapters.discord_render import OutMessage, parse_custom_id, render
from bot.adapters.discord_sync import (
    bot_intents,
    configure_endpoints,
    define_commands,
    quiet_voice_warnings,
    sync,
)
from bot.core.commands import SUGGESTED
from bot.core.delivery import SENT, Delivery, DeliveryStatus, deliver_posts
from bot.core.model import Action, ChannelRef, Command, Reply, UserRef
from bot.core.pacing import Deferred, Pacer

log = logging.getLogger(__name__)

PLATFORM = "discord"
# A Discord user id is global, and check-ins (and their buttons) arrive in DMs, outside any server:
# one person is one learner everywhere, so users are not scoped by server. Channels are.
USER_SCOPE = "discord"
DEFER_AFTER = 0.05  # seconds of core time before deferring: a quick answer goes direct, anything
# slower shows "thinking..." at once, so the 3-second rule never depends on how busy the machine is
DEFER_WHEN_BUSY = 2  # interactions already in flight: a new one would wait for the GIL, so acknowledge it first
READY_TIMEOUT = 60.0
MAX_RATELIMIT_WAIT = 30.0  # discord.py sleeps through 429s up to this (its minimum); longer ones come back to us


def _delivery_for(exc: Exception, dm: bool) -> Delivery:
    """Map a Discord error to what the scheduler should do next."""
    if isinstance(exc, discord.RateLimited):
        return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=exc.retry_after, detail="429")
    if not isinstance(exc, discord.HTTPException):
        return Delivery(DeliveryStatus.FAILED, detail=type(exc).__name__)
    code, detail = exc.code, f"{exc.status}/{exc.code}"
    if code == 50007 or (dm and code in (10013, 50001)):  # DMs closed, unknown user, no access
        return Delivery(DeliveryStatus.UNREACHABLE, detail=detail)
    if code in (10003, 50001):  # unknown channel, missing access
        return Delivery(DeliveryStatus.CHANNEL_GONE, detail=detail)
    if code == 40003 or exc.status == 429:
        retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
        return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=float(retry or 60), detail=detail)
    return Delivery(DeliveryStatus.FAILED, detail=detail)


async def send_all(destination: discord.abc.Messageable, reply: Reply) -> None:
    for message in render(reply):
        await destination.send(**message.kwargs())


def _outcome_unknown(exc: Exception) -> bool:
    """The message may exist: a dropped connection, a timeout, or a 5xx after discord.py's own retries
    (those resend the same nonce with enforce_nonce, so Discord itself keeps them to one message)."""
    if isinstance(exc, discord.DiscordServerError):
        return True
    if isinstance(exc, (discord.HTTPException, aiohttp.ClientConnectorError)):  # answered, or never connected
        return False
    return isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError))


class DiscordSender:
    """Sends the bot's own messages (check-ins, digests). Never raises.

    Every request waits for its slot under the shared cap (opening a DM counts). A DM goes straight to
    the user's stored DM channel when known; otherwise the channel opened is reported back to be stored.
    """

    platform = PLATFORM

    def __init__(self, client: discord.Client, metrics=None, pacer: Pacer | None = None, timeout: float = 30.0):
        self.client = client
        self.metrics = metrics
        self.pacer = pacer or Pacer(None, PLATFORM, 0)
        self.timeout = timeout

    def _failed(self, exc: Exception, dm: bool, maybe_sent: bool) -> Delivery:
        delivery = _delivery_for(exc, dm)
        if maybe_sent:
            delivery = Delivery(DeliveryStatus.UNCERTAIN, detail=delivery.detail)
        elif dm and delivery.status is DeliveryStatus.CHANNEL_GONE:
            delivery = Delivery(DeliveryStatus.UNREACHABLE, detail=delivery.detail)
        log.warning("discord send failed: %s (%s)", delivery.status.value, delivery.detail)
        if self.metrics is not None:
            self.metrics.api_errors.labels(platform=PLATFORM, error=delivery.status.value).inc()
        return delivery

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery:
        opened = ""
        channel_id = user.dm_channel
        if not channel_id:
            try:
                await self.pacer.acquire()
                channel = await asyncio.wait_for(self.client.create_dm(discord.Object(int(user.user_id))), self.timeout)
            except Deferred as busy:
                return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=busy.retry_after, detail="paused")
            except Exception as exc:  # noqa: BLE001 - opening a DM sends nothing, so it is never uncertain
                return self._failed(exc, dm=True, maybe_sent=False)
            channel_id = opened = str(channel.id)
        delivery = await self._send(int(channel_id), reply, dm=True)
        return replace(delivery, dm_channel=opened) if opened else delivery

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        return await self._send(int(channel.channel_id), reply, dm=False)

    async def _send(self, channel_id: int, reply: Reply, dm: bool) -> Delivery:
        destination = self.client.get_partial_messageable(channel_id)
        posted = 0
        try:
            for message in render(reply):
                await self.pacer.acquire()
                await asyncio.wait_for(destination.send(**message.kwargs()), self.timeout)
                posted += 1
        except Deferred as busy:
            if not posted:
                return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=busy.retry_after, detail="paused")
            return Delivery(DeliveryStatus.UNCERTAIN, detail="paused mid-reply")
        except Exception as exc:  # noqa: BLE001 - a Sender reports failures, never raises
            return self._failed(exc, dm, maybe_sent=bool(posted) or _outcome_unknown(exc))
        return SENT


def suggestions(searcher, current: str, limit: int = 25) -> list[str]:
    """Autocomplete: subcommands and skill/topic names for what the user has typed so far."""
    text = " ".join(current.lower().split())
    verb, space, rest = text.partition(" ")
    if space and verb in SUGGESTED:
        return [f"{verb} {name}" for name in searcher.names_like(rest, limit)][:limit]
    verbs = [v for v in SUGGESTED if v.startswith(text)] if not space else []
    return (verbs + [n for n in searcher.names_like(text, limit) if n not in verbs])[:limit]


class _Client(discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options):
        super().__init__(**options)
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial:  # Discord allows one IDENTIFY per 5 s; tests shorten the wait
            await asyncio.sleep(self.adapter.identify_delay)

    async def setup_hook(self) -> None:
        await self.adapter.sync_if_changed()

    async def on_ready(self) -> None:
        self.adapter.connected = True
        self.adapter.ready_event.set()

    async def on_resumed(self) -> None:
        self.adapter.connected = True

    async def on_disconnect(self) -> None:
        self.adapter.connected = False

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.component:
            await self.adapter.on_component(interaction)


class DiscordAdapter(AdapterBase):
    """A PlatformAdapter for Discord. One process can run one shard (shard_id of shard_count)."""

    platform = PLATFORM

    def __init__(self, app: Host, shard_id: int | None = None, shard_count: int | None = None,
                 guild_ready_timeout: float = 2.0, identify_delay: float = 5.0):
        super().__init__()
        self.app = app
        configure_endpoints(app.settings)
        quiet_voice_warnings()
        self.pacer = Pacer(app.limits, PLATFORM, app.settings.discord_rate)
        self.client = _Client(self, intents=bot_intents(), shard_id=shard_id, shard_count=shard_count,
                              guild_ready_timeout=guild_ready_timeout, max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
                              allowed_mentions=discord.AllowedMentions.none(), http_trace=self._trace_429s())
        self.shard_id = shard_id
        self.client.tree.error(self._on_tree_error)
        define_commands(self.client.tree, self.on_skill, self.on_complete)
        self.sender = DiscordSender(self.client, app.metrics, self.pacer, app.settings.send_timeout)
        self.defer_after = DEFER_AFTER
        self.defer_when_busy = DEFER_WHEN_BUSY
        self.identify_delay = identify_delay
        self.connected = False
        self.ready_event = asyncio.Event()
        self._task: asyncio.Task | None = None

    def _trace_429s(self) -> aiohttp.TraceConfig:
        """discord.py waits out a 429 itself; this tells every other replica to wait too."""
        trace = aiohttp.TraceConfig()

        async def on_end(session, context, params: aiohttp.TraceRequestEndParams) -> None:
            if params.response.status == 429:
                retry = params.response.headers.get("Retry-After") or "1"
                with contextlib.suppress(Exception):  # the pause is advice; a failed write never breaks a send
                    await self.pacer.hold(float(retry))

        trace.on_request_end.append(on_end)
        return trace

    # -- lifecycle -------------------------------------------------------------------------------
    def add_routes(self, web_app) -> None:
        """Discord speaks over the gateway; no HTTP routes."""

    async def start(self) -> None:
        token = self.app.settings.discord_token
        if token is None:
            raise RuntimeError("DISCORD_TOKEN is not set")
        self._task = asyncio.create_task(self.client.start(token.get_secret_value()), name="discord")
        waiter = asyncio.create_task(self.ready_event.wait())
        done, _ = await asyncio.wait({self._task, waiter}, timeout=READY_TIMEOUT,
                                     return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            await self.client.close()
            if self._task in done:
                self._task.result()  # raises the login/connection error
            raise TimeoutError("Discord did not become ready in time")
        log.info("discord connected (shard=%s)", self.shard_id)

    async def stop(self) -> None:
        """Finish the answers in flight (briefly), then disconnect."""
        await self._drain("interactions")
        await self.client.close()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 10)
            except Exception:
                log.exception("discord client ended with an error")
        self.connected = False

    def ready(self) -> bool:
        return self.connected and not self.client.is_closed()

    async def sync_if_changed(self) -> None:
        """Sync /skill at start only if its definition changed; one shard is enough."""
        if self.shard_id not in (None, 0):
            return
        try:
            await sync(self.client.tree, self.app.state)
        except Exception:
            log.exception("discord command sync failed; run `skillbot discord sync` to retry")

    # -- translate in ----------------------------------------------------------------------------
    def _user(self, interaction: discord.Interaction) -> UserRef:
        user = interaction.user
        admins = self.app.settings.admin_ids
        is_admin = (interaction.guild_id is not None and interaction.permissions.manage_guild) or \
            str(user.id) in admins or f"discord:{user.id}" in admins
        return UserRef(PLATFORM, USER_SCOPE, str(user.id), name=user.display_name, is_admin=bool(is_admin))

    def _channel(self, interaction: discord.Interaction) -> ChannelRef:
        return ChannelRef(PLATFORM, str(interaction.guild_id or "dm"), str(interaction.channel_id or ""),
                          name=getattr(interaction.channel, "name", None) or "",
                          is_dm=interaction.guild_id is None)

    async def on_skill(self, interaction: discord.Interaction, text: str) -> None:
        cmd = Command(self._user(interaction), self._channel(interaction), text=f"/skill {text}".strip())
        await self._answer(interaction, cmd, "command")

    async def on_component(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        action_id, value = parse_custom_id(str(data.get("custom_id", "")))
        message_id = str(interaction.message.id) if interaction.message else ""
        cmd = Command(self._user(interaction), self._channel(interaction),
                      action=Action(action_id, value, message_ts=message_id))
        await self._answer(interaction, cmd, "button")

    async def on_complete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        try:
            names = suggestions(self.app.deps.searcher, current)
        except Exception:
            log.exception("discord autocomplete failed: workspace=%s", interaction.guild_id or "dm")
            return []
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    # -- answer out ------------------------------------------------------------------------------
    async def _answer(self, interaction: discord.Interaction, cmd: Command, kind: str) -> None:
        """Answer directly when core is quick; defer first when it is slow or others are queued."""
        busy = self._busy >= self.defer_when_busy
        self._enter()
        try:
            if busy:
                await interaction.response.defer(ephemeral=True, thinking=True)
            core = asyncio.ensure_future(self._core(cmd))
            deferred = busy
            try:
                result = await asyncio.wait_for(asyncio.shield(core), None if busy else self.defer_after)
            except TimeoutError:
                await interaction.response.defer(ephemeral=True, thinking=True)
                deferred = True
                result = await core
            await self._reply(interaction, result.replies, deferred)
            await deliver_posts(self.sender, result.posts)
        except Exception:
            log.exception("discord interaction failed: workspace=%s kind=%s", cmd.channel.workspace, kind)
            self.app.metrics.api_errors.labels(platform=PLATFORM, error="interaction").inc()
            await self._apologize(interaction)
        finally:
            self._leave()

    async def _reply(self, interaction: discord.Interaction, replies: list[Reply], deferred: bool) -> None:
        messages: list[tuple[OutMessage, bool]] = [(m, r.private) for r in replies for m in render(r)]
        if not messages:  # nothing to say: acknowledge quietly so Discord shows no failure
            if interaction.type is discord.InteractionType.component and not deferred:
                await interaction.response.defer()  # "deferred update": the clicked message stays as it is
                return
            if not deferred:
                await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.delete_original_response()
            return
        (first, private), rest = messages[0], messages[1:]
        if deferred and not private:  # the "thinking..." placeholder is private; a public answer follows it
            await interaction.followup.send(**first.kwargs(), ephemeral=False)
            await interaction.delete_original_response()
        elif deferred:
            kwargs = first.kwargs()
            if "files" in kwargs:  # editing a message takes its new files as `attachments`
                kwargs["attachments"] = kwargs.pop("files")
            await interaction.edit_original_response(**kwargs)
        else:
            await interaction.response.send_message(**first.kwargs(), ephemeral=private)
        for message, private in rest:
            await interaction.followup.send(**message.kwargs(), ephemeral=private)


    async def _apologize(self, interaction: discord.Interaction) -> None:
        message = render(self.apology)[0]
        try:
            if interaction.response.is_done():
                await interaction.followup.send(**message.kwargs(), ephemeral=True)
            else:
                await interaction.response.send_message(**message.kwargs(), ephemeral=True)
        except Exception:
            log.warning("discord apology could not be sent", exc_info=True)

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        log.error("discord command error: workspace=%s error=%s", interaction.guild_id or "dm",
                  type(error).__name__, exc_info=error)
        await self._apologize(interaction)
