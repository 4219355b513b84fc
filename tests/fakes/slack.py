"""FakeSlack: a local stand-in for Slack's Web API, response_url and Socket Mode, on 127.0.0.1.

Written from Slack's documented behaviour, not from the bot's code. It records every call,
answers unknown methods with 404 (and records them), can inject errors (ratelimited with
Retry-After, not_in_channel, cannot_dm_bot, ...), enforces 5 uses of a response_url in 30 minutes,
and plays the user: slash commands and button clicks, signed exactly as Slack signs (HTTP mode)
or pushed as Socket Mode envelopes. Users can only click buttons the bot really posted.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
from aiohttp import web

from tests.fakes.files import EXTENSIONS, sniff
from tests.fakes.limits import Weather, Window, retry_after_header

TEAM = "T0TEAM"
BOT_USER = "UBOT"
BOT_TOKEN = "xoxb-test"
APP_TOKEN = "xapp-test"
RESPONSE_URL_USES = 5
# Slack's method tiers (per minute, per workspace): Tier 2 20+, Tier 3 50+, Tier 4 100+.
TIERS: dict[str, tuple[int, float]] = {"conversations.open": (50, 60.0), "users.info": (100, 60.0),
                                       "views.publish": (100, 60.0), "auth.test": (100, 60.0)}
RESPONSE_URL_TTL = 30 * 60
USERS = {
    "alice": {"id": "U0ALICE", "tz": "Europe/Berlin"},
    "bob": {"id": "U0BOB", "tz": "America/New_York"},
    "carol": {"id": "U0CAROL", "tz": "UTC", "is_admin": True},
}


@dataclass
class Call:
    method: str
    args: dict
    at: float
    status: int = 200
    error: str = ""


@dataclass
class SlackFile:
    """A file as it moves through files.getUploadURLExternal -> upload URL -> files.completeUploadExternal."""

    id: str
    filename: str
    length: int
    alt_txt: str = ""
    data: bytes = b""
    mimetype: str = ""
    title: str = ""
    channel: str = ""
    initial_comment: str = ""
    thread_ts: str = ""


class ApiError(Exception):
    """A Web API method answering {"ok": false, "error": ...}."""


MAX_UPLOAD = 1024 * 1024 * 1024  # Slack's limit for one file (1 GB)





@dataclass
class Envelope:
    envelope_id: str
    kind: str
    payload: dict
    sent_at: float
    acked_at: float | None = None
    ack: dict | None = None


@dataclass
class ResponseUrl:
    created: float
    posts: list[dict] = field(default_factory=list)


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 over 'v0:{timestamp}:{body}'."""
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


def buttons_in(blocks: list[dict]) -> list[dict]:
    out = []
    for block in blocks or []:
        if block.get("type") == "actions":
            out += [dict(e, block_id=block.get("block_id", "")) for e in block.get("elements", [])
                    if e.get("type") == "button"]
    return out


class FakeSlack:
    def __init__(self, signing_secret: str = "test-signing-secret"):
        self.signing_secret = signing_secret
        # Slack reports a token's scopes in this header of every Web API answer.
        self.scopes = ["commands", "chat:write", "im:write", "im:history", "app_mentions:read", "users:read",
                       "files:write"]
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self.failures: dict[str, list[tuple[str, int, float | None]]] = {}
        self.response_urls: dict[str, ResponseUrl] = {}
        self.envelopes: dict[str, Envelope] = {}
        self.sockets: list[web.WebSocketResponse] = []
        self.connections = 0
        self.posted_buttons: list[dict] = []
        self.uploads: dict[str, SlackFile] = {}  # file id -> file, from the moment an upload URL is issued
        self.files: list[SlackFile] = []  # files completed and shared, in order
        self.upload_errors: list[str] = []  # protocol mistakes seen at the upload URL
        self.changed = asyncio.Event()
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Bad weather and real rate limits (off unless a test or bench turns them on): see limits.py.
        self.weather = Weather()
        self.limits_on = False
        self.rate_limited = 0
        self.delivered: Counter[str] = Counter()  # DM or channel -> chat.postMessage calls accepted
        self._windows: dict[tuple[str, str], Window] = {}

    # -- server ----------------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def _notify(self) -> None:
        self.changed.set()
        self.changed = asyncio.Event()

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        async def loop():
            while not predicate():
                await self.changed.wait()
        await asyncio.wait_for(loop(), timeout)

    # -- Web API ---------------------------------------------------------------------------------
    def fail(self, method: str, error: str, status: int = 200, retry_after: float | None = None,
             times: int = 1) -> None:
        """The next `times` calls of `method` fail with `error` (429 + Retry-After for rate limits)."""
        self.failures.setdefault(method, []).extend([(error, status, retry_after)] * times)

    def enforce_limits(self, per_channel: tuple[int, float] = (1, 1.0),
                       workspace: tuple[int, float] = (300, 60.0), tiers: dict[str, tuple[int, float]] | None = None,
                       ) -> None:
        """Slack's documented limits: chat.postMessage about 1/s per channel and several hundred per minute
        per workspace; other methods by tier (per minute, per workspace). Excess gets 429 + Retry-After."""
        self.limits_on = True
        self._limit_shapes = {"channel": per_channel, "workspace": workspace, **(tiers or TIERS)}

    def _over_limit(self, method: str, args: dict) -> float:
        if method == "chat.postMessage":
            keys = [("workspace", ""), ("channel", str(args.get("channel", "")))]
        else:
            keys = [(method, "")] if method in self._limit_shapes else []
        windows = [self._windows.setdefault(k, Window(*self._limit_shapes[k[0]])) for k in keys]
        for window in windows:
            if window.remaining() == 0:
                return window.reset_after() or 0.001
        for window in windows:
            window.take()
        return 0.0

    def called(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _args(self, request: web.Request) -> dict:
        args: dict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        for key in ("blocks", "view", "files"):  # form-encoded arguments arrive as JSON strings
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        call = Call(method, args, time.monotonic())
        self.calls.append(call)
        self.weather.bound(self.calls)
        try:
            handler = getattr(self, "_m_" + method.replace(".", "_"), None)
            if handler is None:
                self.unknown.append(method)
                call.status = 404
                return web.Response(status=404, text="unknown_method")
            token = request.headers.get("Authorization", "").removeprefix("Bearer ") or args.get("token", "")
            wanted = APP_TOKEN if method == "apps.connections.open" else BOT_TOKEN
            if token != wanted:
                call.error = "invalid_auth"
                return web.json_response({"ok": False, "error": "invalid_auth"})
            queued = self.failures.get(method)
            if queued:
                error, status, retry_after = queued.pop(0)
                call.status, call.error = status, error
                headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
                return web.json_response({"ok": False, "error": error}, status=status, headers=headers)
            await self.weather.delay()
            wait = self._over_limit(method, args) if self.limits_on else 0.0
            if wait:
                self.rate_limited += 1
                call.status, call.error = 429, "ratelimited"
                return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                         headers={"Retry-After": retry_after_header(wait)})
            try:
                answer = handler(args)
            except ApiError as exc:
                call.error = str(exc)
                return web.json_response({"ok": False, "error": str(exc)})
            if method == "chat.postMessage":
                self.delivered[str(answer.get("channel"))] += 1
                mode = self.weather.next_mode()
                if mode:
                    call.status, call.error = 500, "after_accept_" + mode
                    return await self.weather.misbehave(mode, request)  # type: ignore[return-value]
            return web.json_response({"ok": True, **answer}, headers={"x-oauth-scopes": ",".join(self.scopes)})
        finally:
            self._notify()

    def _record_blocks(self, blocks) -> None:
        self.posted_buttons += buttons_in(blocks or [])

    def _ts_next(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _m_auth_test(self, args: dict) -> dict:
        return {"url": "https://fake.slack.com/", "team": "Fake", "user": "skillbot", "team_id": TEAM,
                "user_id": BOT_USER, "bot_id": "B0BOT"}

    def _m_chat_postMessage(self, args: dict) -> dict:
        self._record_blocks(args.get("blocks"))
        ts = self._ts_next()
        channel = str(args.get("channel", ""))
        if not channel.startswith(("C", "G", "D")):  # a user id: it lands in the app's DM with them
            channel = "D" + channel
        return {"channel": channel, "ts": ts,
                "message": {"text": args.get("text", ""), "blocks": args.get("blocks") or [], "ts": ts}}

    def _m_chat_postEphemeral(self, args: dict) -> dict:
        self._record_blocks(args.get("blocks"))
        return {"message_ts": self._ts_next()}

    def _m_conversations_open(self, args: dict) -> dict:
        return {"channel": {"id": "D" + str(args.get("users", "")).split(",")[0]}}

    def _m_users_info(self, args: dict) -> dict:
        for name, user in USERS.items():
            if user["id"] == args.get("user"):
                return {"user": {"id": user["id"], "name": name, "real_name": name.title(), "tz": user["tz"],
                                 "is_admin": user.get("is_admin", False), "is_owner": False,
                                 "profile": {"display_name": name}}}
        return {"user": {"id": args.get("user"), "name": "someone", "tz": "UTC"}}

    def _m_views_publish(self, args: dict) -> dict:
        self._record_blocks((args.get("view") or {}).get("blocks"))
        return {"view": {"id": "V1", **(args.get("view") or {})}}

    # -- files (files_upload_v2 = these two methods around a POST of the bytes) ------------------
    def _m_files_getUploadURLExternal(self, args: dict) -> dict:
        if "files:write" not in self.scopes:
            raise ApiError("missing_scope")
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit() or not 0 < int(length) <= MAX_UPLOAD:
            raise ApiError("invalid_arguments")
        file = SlackFile("F" + uuid.uuid4().hex[:10].upper(), filename, int(length), str(args.get("alt_txt") or ""))
        self.uploads[file.id] = file
        return {"upload_url": f"{self.base}/upload/{file.id}", "file_id": file.id}

    async def _upload(self, request: web.Request) -> web.Response:
        try:
            file = self.uploads.get(request.match_info["file_id"])
            data = await request.read()
            problem = self._upload_problem(file, data)
            if problem or file is None:
                self.upload_errors.append(problem)
                return web.Response(status=400, text=problem)
            file.data, file.mimetype = data, sniff(data)
            return web.Response(text=f"OK - {len(data)}")
        finally:
            self._notify()

    @staticmethod
    def _upload_problem(file: SlackFile | None, data: bytes) -> str:
        if file is None:
            return "unknown upload URL"
        if file.data:
            return f"{file.filename}: uploaded twice"
        if len(data) != file.length:
            return f"{file.filename}: {len(data)} bytes sent, {file.length} announced"
        wanted = EXTENSIONS.get(sniff(data))
        if wanted is None or not file.filename.endswith(wanted):
            return f"{file.filename}: the bytes are {sniff(data)}"
        return ""

    def _m_files_completeUploadExternal(self, args: dict) -> dict:
        entries = args.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        files = [self.uploads.get(str(e.get("id"))) for e in entries]
        if any(f is None or not f.data for f in files):
            raise ApiError("file_not_found")  # completing before (or without) uploading the bytes
        done = []
        for file, entry in zip(files, entries, strict=True):
            assert file is not None
            file.title = str(entry.get("title") or file.filename)
            file.channel = str(args.get("channel_id") or args.get("channels") or "")
            file.initial_comment = str(args.get("initial_comment") or "")
            file.thread_ts = str(args.get("thread_ts") or "")
            self.files.append(file)
            done.append({"id": file.id, "name": file.filename, "title": file.title, "mimetype": file.mimetype,
                         "size": len(file.data)})
        return {"files": done}

    def _m_apps_connections_open(self, args: dict) -> dict:
        return {"url": f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4().hex}"}

    async def _unknown(self, request: web.Request) -> web.Response:
        self.unknown.append(f"{request.method} {request.path}")
        self._notify()
        return web.Response(status=404)

    # -- response_url ----------------------------------------------------------------------------
    def new_response_url(self) -> str:
        key = uuid.uuid4().hex
        self.response_urls[key] = ResponseUrl(time.monotonic())
        return f"{self.base}/response/{key}"

    def responses(self, url: str) -> list[dict]:
        return self.response_urls[url.rsplit("/", 1)[1]].posts

    async def _response_url(self, request: web.Request) -> web.Response:
        try:
            entry = self.response_urls.get(request.match_info["key"])
            if entry is None:
                return web.Response(status=404, text="invalid_url")
            if len(entry.posts) >= RESPONSE_URL_USES or time.monotonic() - entry.created > RESPONSE_URL_TTL:
                return web.Response(status=404, text="used_url")
            body = await request.json()
            entry.posts.append(body)
            self._record_blocks(body.get("blocks"))
            return web.Response(text="ok")
        finally:
            self._notify()

    # -- Socket Mode -----------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        self.connections += 1
        await ws.send_json({"type": "hello", "num_connections": len(self.sockets),
                            "debug_info": {"host": "fake"}, "connection_info": {"app_id": "A0APP"}})
        self._notify()
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    envelope = self.envelopes.get(data.get("envelope_id", ""))
                    if envelope is not None and envelope.acked_at is None:
                        envelope.acked_at, envelope.ack = time.monotonic(), data
                    self._notify()
        finally:
            self.sockets.remove(ws)
            self._notify()
        return ws

    async def push(self, kind: str, payload: dict) -> Envelope:
        """Send one envelope (slash_commands, interactive, events_api) to the connected bot."""
        await self.wait_for(lambda: bool(self.sockets))
        envelope = Envelope(uuid.uuid4().hex, kind, payload, time.monotonic())
        self.envelopes[envelope.envelope_id] = envelope
        await self.sockets[-1].send_json({"envelope_id": envelope.envelope_id, "type": kind, "payload": payload,
                                          "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                                          "retry_reason": ""})
        return envelope

    async def wait_ack(self, envelope: Envelope, timeout: float = 3.0) -> float:
        """Seconds from sending to the ack; fails like Slack after `timeout`."""
        await self.wait_for(lambda: envelope.acked_at is not None, timeout)
        return envelope.acked_at - envelope.sent_at

    async def ask_to_reconnect(self) -> None:
        for ws in list(self.sockets):
            await ws.send_json({"type": "disconnect", "reason": "refresh_requested",
                                "debug_info": {"host": "fake"}})

    # -- the user side ---------------------------------------------------------------------------
    def slash_payload(self, text: str, user: str, channel: str = "C0GENERAL") -> dict:
        return {"token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
                "channel_name": "general" if channel.startswith("C") else "directmessage",
                "user_id": USERS[user]["id"], "user_name": user, "command": "/skill", "text": text,
                "api_app_id": "A0APP", "is_enterprise_install": "false",
                "response_url": self.new_response_url(), "trigger_id": uuid.uuid4().hex}

    def click_payload(self, button: dict, user: str, channel: str = "C0GENERAL", ephemeral: bool = True) -> dict:
        """A block_actions payload; only for a button the bot really posted."""
        known = any(b["action_id"] == button["action_id"] and b.get("value") == button.get("value")
                    for b in self.posted_buttons)
        assert known, f"the bot never posted a button {button['action_id']!r}"
        return {"type": "block_actions", "api_app_id": "A0APP", "token": "legacy",
                "user": {"id": USERS[user]["id"], "username": user, "name": user, "team_id": TEAM},
                "team": {"id": TEAM, "domain": "fake"}, "channel": {"id": channel, "name": "general"},
                "container": {"type": "message", "message_ts": self._ts_next(), "channel_id": channel,
                              "is_ephemeral": ephemeral},
                "trigger_id": uuid.uuid4().hex, "response_url": self.new_response_url(),
                "actions": [{"type": "button", "action_id": button["action_id"], "block_id": button["block_id"],
                             "value": button.get("value", ""), "text": button["text"],
                             "action_ts": str(time.time())}]}

    def event_payload(self, event: dict) -> dict:
        return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0APP", "event": event,
                "type": "event_callback", "event_id": "Ev" + uuid.uuid4().hex[:10], "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def http_body(kind: str, payload: dict) -> tuple[str, str]:
    """How Slack encodes each kind over HTTP: (body, content type)."""
    if kind == "slash_commands":
        return urlencode(payload), "application/x-www-form-urlencoded"
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    return json.dumps(payload), "application/json"


async def signed_post(url: str, body: str, content_type: str, secret: str, timestamp: int | None = None,
                      signature: str | None = None, timeout: float = 3.0) -> tuple[int, str, float]:
    """POST as Slack does (3-second timeout); returns (status, body, seconds)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": signature or sign(secret, ts, body)}
    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session, \
            session.post(url, data=body.encode(), headers=headers) as response:
        return response.status, await response.text(), time.monotonic() - started
