"""The Slack adapter: slack-bolt events in, neutral Commands to core, Block Kit out.

Every request is acknowledged at once (Slack allows 3 seconds); core runs in a thread after the
ack and the answer goes to the response_url (`respond`) or the Web API. Buttons carry the
neutral action id and value in the message itself, so a click works after a restart.
Socket Mode when SLACK_APP_TOKEN is set; otherwise HTTP mode on /slack/events.
"""
from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters import slack_http
from bot.adapters.base import AdapterBase, Host
from bot.adapters.slack_blocks import home_view, parse_action_id, render, unescape
from bot.adapters.ttl_cache import TTLCache
from bot.core.delivery import SENT, Delivery, DeliveryStatus, deliver_posts
from bot.core.model import Action, ChannelRef, Command, Reply, UserRef
from bot.core.pacing import MAX_WAIT, Deferred, Pacer

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

log = logging.getLogger(__name__)

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
READY_TIMEOUT = 30.0
USER_CACHE_SECONDS = 300.0
USER_CACHE_ENTRIES = 2000  # the users active in the last 5 minutes; older ones are looked up again
RESPONSE_URL_USES = 5  # Slack accepts 5 posts per response_url; more go through the Web API


def _unauthorized() -> web.Response:
    """A bare 401: nothing about why, and never the body."""
    return web.Response(status=401)


CHANNEL_GAP = 1.0  # Slack allows about one message per second per channel

CHANNEL_GONE = {"not_in_channel", "channel_not_found", "is_archived"}
UNREACHABLE = {"user_not_found", "cannot_dm_bot", "account_inactive", "user_disabled"}


def api_base_url(url: str | None) -> str:
    """slack_sdk joins method names with urljoin, which drops the last path part without a slash."""
    return (url or DEFAULT_API_URL).rstrip("/") + "/"


def delivery_for(exc: Exception) -> Delivery:
    """Map a Slack error to what the scheduler should do next."""
    if not isinstance(exc, SlackApiError):
        return Delivery(DeliveryStatus.FAILED, detail=type(exc).__name__)
    response = exc.response
    error = str(response.get("error", "")) if response is not None else ""
    if error in CHANNEL_GONE:
        return Delivery(DeliveryStatus.CHANNEL_GONE, detail=error)
    if error in UNREACHABLE:
        return Delivery(DeliveryStatus.UNREACHABLE, detail=error)
    if error == "ratelimited" or (response is not None and response.status_code == 429):
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        retry = headers.get("retry-after")
        retry = retry[0] if isinstance(retry, list) else retry
        return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=float(retry or 60), detail="ratelimited")
    return Delivery(DeliveryStatus.FAILED, detail=error or type(exc).__name__)


class _CountingRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits Retry-After), counting retries for /metrics."""

    def __init__(self, metrics, **kwargs):
        super().__init__(**kwargs)
        self.metrics = metrics

    async def prepare_for_next_attempt_async(self, **kwargs) -> None:
        if self.metrics is not None:
            self.metrics.api_retries.labels(platform=PLATFORM).inc()
        await super().prepare_for_next_attempt_async(**kwargs)


async def post_reply(client: AsyncWebClient, channel: str, reply: Reply, **extra) -> None:
    for message in render(reply):
        await client.chat_postMessage(channel=channel, blocks=message.blocks, text=message.text, **extra)
    await upload_attachments(client, channel, reply, thread_ts=extra.get("thread_ts"))


async def upload_attachments(client: AsyncWebClient, channel: str, reply: Reply, thread_ts: str | None = None,
                             comment: str | None = None) -> None:
    """Each attachment through the files API (files_upload_v2: get an upload URL, upload, complete)."""
    for attachment in reply.attachments:
        await client.files_upload_v2(channel=channel, file=attachment.data, filename=attachment.filename,
                                     title=attachment.filename, thread_ts=thread_ts or None,
                                     alt_txt=attachment.alt[:1000] if attachment.is_image and attachment.alt else None,
                                     initial_comment=comment)


def _outcome_unknown(exc: Exception) -> bool:
    """The request may have reached Slack and been acted on: a dropped connection, a timeout, a 5xx."""
    if isinstance(exc, SlackApiError):
        return exc.response is not None and exc.response.status_code >= 500
    if isinstance(exc, aiohttp.ClientConnectorError):  # never connected: nothing was sent
        return False
    return isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError))


class SlackSender:
    """Sends the bot's own messages (check-ins, digests). Never raises.

    At most once: its client has none of slack_sdk's retries (a retry after a dropped connection or a
    timeout may post twice); a 429 is retried here, after the Retry-After every replica now honours.
    DMs go to the user id (Slack posts them in the app's Messages tab): one request, no conversations.open.
    """

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, metrics=None, pacer: Pacer | None = None):
        self.client = client
        self.metrics = metrics
        self.pacer = pacer or Pacer(None, PLATFORM, 0)
        self._last_post: OrderedDict[str, float] = OrderedDict()  # channel -> monotonic time, bounded

    def _failed(self, exc: Exception, dm: bool, posted: int) -> Delivery:
        delivery = delivery_for(exc)
        if posted or _outcome_unknown(exc):
            delivery = Delivery(DeliveryStatus.UNCERTAIN, detail=delivery.detail or type(exc).__name__)
        elif dm and delivery.status is DeliveryStatus.CHANNEL_GONE:
            delivery = Delivery(DeliveryStatus.UNREACHABLE, detail=delivery.detail)
        log.warning("slack send failed: %s (%s)", delivery.status.value, delivery.detail)
        if self.metrics is not None:
            self.metrics.api_errors.labels(platform=PLATFORM, error=delivery.status.value).inc()
        return delivery

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery:
        return await self._send(user.user_id, reply, dm=True)

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        return await self._send(channel.channel_id, reply, dm=False)

    async def _send(self, channel: str, reply: Reply, dm: bool) -> Delivery:
        posted = 0
        try:
            for message in render(reply):
                await self._post_once(channel, message.blocks, message.text)
                posted += 1
        except Deferred as busy:
            if not posted:
                return Delivery(DeliveryStatus.RATE_LIMITED, retry_after=busy.retry_after, detail="paused")
            return Delivery(DeliveryStatus.UNCERTAIN, detail="paused mid-reply")
        except Exception as exc:  # noqa: BLE001 - a Sender reports failures, never raises
            return self._failed(exc, dm, posted)
        return SENT

    async def _post_once(self, channel: str, blocks, text: str) -> None:
        """One chat.postMessage under the shared cap and 1 message/s per channel; one retry after a 429."""
        for attempt in range(2):
            await self._channel_gap(channel)
            await self.pacer.acquire()
            try:
                await self.client.chat_postMessage(channel=channel, blocks=blocks, text=text)
                return
            except SlackApiError as exc:
                delivery = delivery_for(exc)
                if delivery.status is not DeliveryStatus.RATE_LIMITED:
                    raise
                await self.pacer.hold(delivery.retry_after)  # every replica waits, not only this one
                if attempt:
                    raise
                if self.metrics is not None:
                    self.metrics.api_retries.labels(platform=PLATFORM).inc()
                if self.pacer.limits is None:  # otherwise the next acquire waits the pause out
                    await asyncio.sleep(min(delivery.retry_after, MAX_WAIT))

    async def _channel_gap(self, channel: str) -> None:
        now = time.monotonic()
        wait = self._last_post.get(channel, 0.0) + CHANNEL_GAP - now
        if wait > 0:
            await asyncio.sleep(wait)
        self._last_post[channel] = max(now, now + wait)
        self._last_post.move_to_end(channel)
        while self._last_post:  # only channels posted to in the last second matter: bounded
            oldest = next(iter(self._last_post.values()))
            if len(self._last_post) <= 1000 and oldest >= now - CHANNEL_GAP:
                break
            self._last_post.popitem(last=False)


@dataclass(frozen=True, slots=True)
class SlackProfile:
    """The four facts the bot uses from users.info (the whole answer is ~7 KiB a user)."""

    display_name: str
    fallback_name: str
    is_admin: bool
    tz: str | None

    @classmethod
    def of(cls, info: dict) -> SlackProfile:
        profile = info.get("profile") or {}
        return cls(str(profile.get("display_name") or ""), str(info.get("real_name") or info.get("name") or ""),
                   bool(info.get("is_admin") or info.get("is_owner")), info.get("tz") or None)


class SlackAdapter(AdapterBase):
    """A PlatformAdapter for Slack: Socket Mode with SLACK_APP_TOKEN, else HTTP on /slack/events."""

    platform = PLATFORM

    def __init__(self, app: Host, ping_interval: float = 10.0):
        super().__init__()
        settings = app.settings
        if settings.slack_bot_token is None:
            raise RuntimeError("SLACK_BOT_TOKEN is not set")
        self.app = app
        self.app_token = settings.slack_app_token.get_secret_value() if settings.slack_app_token else None
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        if not self.app_token and not secret:
            raise RuntimeError("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
        self.socket_mode = bool(self.app_token)
        self.client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(),
                                     base_url=api_base_url(settings.slack_api_url))
        self.client.retry_handlers.append(_CountingRetryHandler(app.metrics, max_retry_count=1))
        self.bolt = AsyncApp(client=self.client, signing_secret=secret, process_before_response=False,
                             logger=logging.getLogger("slack_bolt"))
        self._register()
        # The bot's own sends get a client without slack_sdk's retries (see SlackSender).
        send_client = AsyncWebClient(token=settings.slack_bot_token.get_secret_value(),
                                     base_url=api_base_url(settings.slack_api_url), retry_handlers=[],
                                     timeout=int(max(1, settings.send_timeout)))
        self.sender = SlackSender(send_client, app.metrics,
                                  Pacer(app.limits, PLATFORM, settings.slack_rate))
        self.signing_secret = secret
        self.ping_interval = ping_interval
        self.handler: AsyncSocketModeHandler | None = None
        self.bot_user_id = ""
        self.started = False
        self._users: TTLCache[SlackProfile] = TTLCache(USER_CACHE_ENTRIES, USER_CACHE_SECONDS)
        self._background: set[asyncio.Task] = set()

    def _register(self) -> None:
        self.bolt.command("/skill")(self.on_command)
        self.bolt.action(re.compile(".*"))(self.on_action)
        self.bolt.event("app_mention")(self.on_mention)
        self.bolt.event("message")(self.on_message)
        self.bolt.event("app_home_opened")(self.on_home)
        self.bolt.error(self.on_error)

    # -- lifecycle -------------------------------------------------------------------------------
    def add_routes(self, web_app: web.Application) -> None:
        if not self.socket_mode:
            web_app.router.add_post("/slack/events", self.handle_http)

    async def start(self) -> None:
        auth = await self.client.auth_test()
        self.bot_user_id = str(auth.get("user_id") or "")
        if self.socket_mode:
            # Built here, not in __init__: its aiohttp session must belong to the running loop.
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
            self.handler = AsyncSocketModeHandler(self.bolt, self.app_token, web_client=self.client,
                                                  ping_interval=self.ping_interval)
            await asyncio.wait_for(self.handler.connect_async(), READY_TIMEOUT)
        self.started = True
        log.info("slack connected (mode=%s)", "socket" if self.socket_mode else "http")

    async def stop(self) -> None:
        """Finish answers in flight (briefly), then close the connection."""
        await self._drain("requests")
        if self.handler is not None:
            await self.handler.close_async()
        self.started = False

    def ready(self) -> bool:
        if not self.started:
            return False
        if not self.socket_mode:
            return True
        if self.handler is None:
            return False
        client = self.handler.client
        return not client.closed and client.current_session is not None and not client.current_session.closed

    async def handle_http(self, request: web.Request) -> web.Response:
        """Verify (once across replicas), parse, then hand to bolt; anything unsigned gets a bare 401."""
        signed = slack_http.signed_headers(request.headers)
        if signed is None or not self.signing_secret:
            return _unauthorized()
        body = await request.text()
        timestamp, signature = signed
        if not slack_http.valid_signature(self.signing_secret, body, timestamp, signature):
            return _unauthorized()
        if not await asyncio.to_thread(self.app.seen.first_sight, signature, datetime.now(UTC)):
            return _unauthorized()  # a replay: this or another replica already answered it
        try:
            parsed = slack_http.parse_body(body, request.content_type)
        except (ValueError, TypeError):
            return web.Response(status=400)
        bolt_request = slack_http.bolt_request(body, parsed, request.query_string, request.headers)
        if slack_http.acks_with_nothing(parsed):
            # Our acks are empty, so a signed command or click can be answered 200 now; bolt polls for
            # the ack every 10 ms, which under load queues acknowledgements behind each other.
            self._dispatch_in_background(bolt_request)
            return web.Response(status=200)
        return await to_aiohttp_response(await self.bolt.async_dispatch(bolt_request))

    def _dispatch_in_background(self, bolt_request: AsyncBoltRequest) -> None:
        self._enter()
        task = asyncio.create_task(self.bolt.async_dispatch(bolt_request))
        self._background.add(task)  # a task nobody references can be garbage-collected mid-flight
        task.add_done_callback(self._dispatched)

    def _dispatched(self, task: asyncio.Task) -> None:
        self._background.discard(task)
        self._leave()
        if task.cancelled():
            return
        if task.exception() is not None:
            log.error("slack dispatch failed: %s", type(task.exception()).__name__)
        elif task.result().status != 200:
            log.warning("slack dispatch answered %s after an early ack", task.result().status)

    # -- translate in ----------------------------------------------------------------------------
    async def _profile(self, user_id: str) -> SlackProfile:
        cached = self._users.get(user_id)
        if cached is not None:
            return cached
        try:
            info = (await self.client.users_info(user=user_id)).get("user") or {}
        except Exception as exc:  # noqa: BLE001 - without users.info the user is simply not an admin
            log.warning("slack users.info failed: %s", delivery_for(exc).detail)
            info = {}
        profile = SlackProfile.of(info)
        self._users.put(user_id, profile)
        return profile

    async def user(self, team_id: str, user_id: str, name: str = "") -> UserRef:
        profile = await self._profile(user_id)
        admins = self.app.settings.admin_ids
        is_admin = user_id in admins or f"slack:{user_id}" in admins or profile.is_admin
        return UserRef(PLATFORM, team_id, user_id, name=profile.display_name or name or profile.fallback_name or user_id,
                       is_admin=is_admin, tz=profile.tz)

    @staticmethod
    def channel(team_id: str, channel_id: str, name: str = "") -> ChannelRef:
        is_dm = channel_id.startswith("D") or name == "directmessage"
        return ChannelRef(PLATFORM, team_id, channel_id, name=name, is_dm=is_dm)

    # -- surfaces --------------------------------------------------------------------------------
    async def on_command(self, ack, command: dict, respond) -> None:
        team = str(command.get("team_id", ""))
        self._enter()  # before the ack, so idle() never misses a request that was acknowledged
        try:
            await ack()  # first, always: Slack shows an error after 3 seconds without it
            user = await self.user(team, str(command.get("user_id", "")), str(command.get("user_name", "")))
            channel = self.channel(team, str(command.get("channel_id", "")), str(command.get("channel_name", "")))
            result = await self._core(Command(user, channel, text=f"/skill {command.get('text', '')}".strip()))
            await self._respond_all(respond, result.replies, channel, user)
            await deliver_posts(self.sender, result.posts)
        except Exception:
            log.exception("slack command failed: workspace=%s kind=command", team)
            await self._apologize(respond)
        finally:
            self._leave()

    async def on_action(self, ack, body: dict, action: dict, respond) -> None:
        team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
        self._enter()
        try:
            await ack()
            who = body.get("user") or {}
            user = await self.user(team, str(who.get("id", "")), str(who.get("name") or who.get("username") or ""))
            container = body.get("container") or {}
            where = body.get("channel") or {}
            channel = self.channel(team, str(where.get("id") or container.get("channel_id") or ""),
                                   str(where.get("name", "")))
            neutral = Action(parse_action_id(str(action.get("action_id", ""))), str(action.get("value") or ""),
                             message_ts=str(container.get("message_ts", "")))
            result = await self._core(Command(user, channel, action=neutral))
            # An ephemeral message was seen (and clicked) by its owner only: replace it in place.
            replace = bool(container.get("is_ephemeral")) and bool(body.get("response_url"))
            await self._respond_all(respond, result.replies, channel, user, replace_first=replace)
            await deliver_posts(self.sender, result.posts)
        except Exception:
            log.exception("slack button failed: workspace=%s kind=button", team)
            await self._apologize(respond)
        finally:
            self._leave()

    async def on_mention(self, event: dict, body: dict) -> None:
        await self._answer_message(event, body)

    async def on_message(self, event: dict, body: dict) -> None:
        if event.get("channel_type") == "im":
            await self._answer_message(event, body)

    async def _answer_message(self, event: dict, body: dict) -> None:
        """A question in a mention or a DM: answered in a thread under it."""
        if event.get("bot_id") or event.get("subtype") or not event.get("user"):
            return  # bot messages (ours included), edits and joins are not questions
        self._enter()
        team = str(body.get("team_id") or event.get("team") or "")
        try:
            text = str(event.get("text") or "")
            if self.bot_user_id:
                text = re.sub(rf"<@{re.escape(self.bot_user_id)}(\|[^>]*)?>", " ", text)
            user = await self.user(team, str(event["user"]))
            channel = self.channel(team, str(event.get("channel", "")),
                                   "directmessage" if event.get("channel_type") == "im" else "")
            result = await self._core(Command(user, channel, text=f"/skill {unescape(text).strip()}".strip()))
            thread = str(event.get("thread_ts") or event.get("ts") or "")
            for reply in result.replies:
                if reply.private and not channel.is_dm:
                    for message in render(reply):
                        await self.client.chat_postEphemeral(channel=channel.channel_id, user=user.user_id,
                                                             blocks=message.blocks, text=message.text,
                                                             thread_ts=thread)
                    await self._upload(reply, channel, user)
                else:
                    await post_reply(self.client, channel.channel_id, reply, thread_ts=thread)
            await deliver_posts(self.sender, result.posts)
        except Exception:
            log.exception("slack message failed: workspace=%s kind=%s", team, event.get("type"))
        finally:
            self._leave()

    async def on_home(self, event: dict, body: dict) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        self._enter()
        team = str(body.get("team_id") or "")
        try:
            user = await self.user(team, str(event["user"]))
            channel = self.channel(team, str(event.get("channel", "")), "directmessage")
            replies: list[Reply] = []
            for text in ("/skill progress", "/skill schedule"):
                replies += (await self._core(Command(user, channel, text=text))).replies
            await self.client.views_publish(user_id=user.user_id, view=home_view(replies))
        except Exception:
            log.exception("slack app home failed: workspace=%s kind=home", team)
        finally:
            self._leave()

    async def on_error(self, error: Exception, body: dict) -> None:
        team = (body or {}).get("team_id") or ((body or {}).get("team") or {}).get("id")
        log.error("slack listener error: workspace=%s error=%s", team, type(error).__name__, exc_info=error)

    # -- answer out ------------------------------------------------------------------------------
    async def _respond_all(self, respond, replies: list[Reply], channel: ChannelRef, user: UserRef,
                           replace_first: bool = False) -> None:
        uses = 0
        for reply in replies:
            for message in render(reply):
                kind = "ephemeral" if reply.private else "in_channel"
                if uses < RESPONSE_URL_USES:
                    replace = replace_first and uses == 0 and reply.private
                    response = await respond(text=message.text, blocks=message.blocks, response_type=kind,
                                             replace_original=replace)
                    uses += 1
                    if response.status_code != 200:
                        log.warning("slack response_url answered %s", response.status_code)
                elif reply.private:
                    await self.client.chat_postEphemeral(channel=channel.channel_id, user=user.user_id,
                                                         blocks=message.blocks, text=message.text)
                else:
                    await self.client.chat_postMessage(channel=channel.channel_id, blocks=message.blocks,
                                                       text=message.text)
        for reply in replies:
            if reply.attachments:
                await self._upload(reply, channel, user)

    async def _upload(self, reply: Reply, channel: ChannelRef, user: UserRef, thread_ts: str | None = None) -> None:
        """Files cannot be ephemeral on Slack: a private reply's files go to the user's DM with the bot."""
        if reply.private and not channel.is_dm:
            opened = await self.client.conversations_open(users=user.user_id)
            await upload_attachments(self.client, opened["channel"]["id"], reply, comment=reply.title or None)
        else:
            await upload_attachments(self.client, channel.channel_id, reply, thread_ts=thread_ts)


    async def _apologize(self, respond) -> None:
        self.app.metrics.api_errors.labels(platform=PLATFORM, error="handler").inc()
        message = render(self.apology)[0]
        try:
            await respond(text=message.text, blocks=message.blocks, response_type="ephemeral", replace_original=False)
        except Exception:
            log.warning("slack apology could not be sent", exc_info=True)
