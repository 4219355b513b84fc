"""FakeDiscord: a local stand-in for Discord's REST API and gateway, for the real discord.py client.

It binds 127.0.0.1 on a free port, records every REST call, enforces the rules the bot must follow
(one callback per interaction, the 3-second window, message limits, synced commands only) and
remembers any endpoint it does not know, which every test asserts was never hit.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.files import EXTENSIONS, sniff
from tests.fakes.limits import Weather, Window

API = "/api/v10"
APP_ID = "900000000000000001"
BOT_ID = "900000000000000002"
GUILD_ID = "900000000000000010"
CHANNEL_ID = "900000000000000020"
JSON = "application/json"  # exactly: discord.py rejects a charset suffix
_ids = itertools.count(910000000000000000)


def snowflake() -> str:
    return str(next(_ids))


def user_payload(user_id: str, name: str, bot: bool = False) -> dict:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot}


def _error(status: int, code: int, message: str, **extra) -> web.Response:
    body = {"code": code, "message": message, **extra}
    headers = {"Content-Type": JSON}
    if status == 429:  # discord.py treats a 429 without Via as a Cloudflare ban
        headers.update({"Via": "1.1 google", "Retry-After": str(extra.get("retry_after", 1))})
    return web.Response(status=status, body=json.dumps(body).encode(), headers=headers)


def _ok(body: Any, status: int = 200) -> web.Response:
    if status == 204:
        return web.Response(status=204)
    return web.Response(status=status, body=json.dumps(body).encode(), headers={"Content-Type": JSON})


@dataclass
class Call:
    method: str
    path: str
    query: dict
    body: Any
    status: int = 0


@dataclass
class UploadedFile:
    """One file sent with a message (multipart `files[n]`), as the fake received it."""

    filename: str
    content_type: str  # what Discord detects from the bytes
    data: bytes
    description: str
    path: str  # the endpoint it arrived at


ATTACHMENT_LIMIT = 8 * 1024 * 1024  # the interaction's attachment_size_limit below



async def read_multipart(request: web.Request) -> tuple[dict | None, dict[int, tuple[str, bytes]]]:
    """(payload_json, {n: (filename, bytes)}) of a multipart/form-data request, as discord.py sends it."""
    payload, parts = None, {}
    reader = await request.multipart()
    async for part in reader:
        data = await part.read()  # type: ignore[union-attr]
        name = part.name or ""
        if name == "payload_json":
            payload = json.loads(data)
        elif name.startswith("files[") and name.endswith("]") and name[6:-1].isdigit():
            parts[int(name[6:-1])] = (part.filename or "", bytes(data))  # type: ignore[union-attr]
    return payload, parts


def check_files(message: dict, parts: dict[int, tuple[str, bytes]]) -> str | None:
    """What Discord would reject about a message's files, or None."""
    declared = message.get("attachments") or []
    if len(declared) != len(parts) or len(parts) > 10:
        return f"{len(parts)} files sent, {len(declared)} attachments declared"
    for entry in declared:
        part = parts.get(int(entry.get("id", -1)))
        if part is None or part[0] != entry.get("filename"):
            return f"attachment {entry.get('id')}: no files[{entry.get('id')}] part named {entry.get('filename')!r}"
        filename, data = part
        if not data or len(data) > ATTACHMENT_LIMIT:
            return f"{filename}: size {len(data)} outside 1..{ATTACHMENT_LIMIT}"
        wanted = EXTENSIONS.get(sniff(data))
        if wanted is None or not filename.endswith(wanted):
            return f"{filename}: the bytes are {sniff(data)}"
    return None


@dataclass
class Injection:
    method: str
    pattern: re.Pattern
    status: int
    code: int
    times: int
    retry_after: float = 0.0


@dataclass
class InteractionState:
    id: str
    token: str
    user_id: str
    sent_at: float
    callback: dict | None = None
    callback_at: float = 0.0
    answered_at: float = 0.0  # when the user sees the answer: a message callback or the first edit
    original: dict | None = None  # the message the user sees for the callback (after edits)
    followups: list[dict] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


def validate_message(body: dict) -> str | None:
    """What Discord would reject in a message payload, or None."""
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    rows = body.get("components") or []
    if len(content) > 2000:
        return "content: must be 2000 or fewer in length"
    if len(embeds) > 10:
        return "embeds: must be 10 or fewer in length"
    total = 0
    for embed in embeds:
        limits = {"title": 256, "description": 4096}
        for key, limit in limits.items():
            if len(embed.get(key) or "") > limit:
                return f"embeds.{key}: must be {limit} or fewer in length"
        fields = embed.get("fields") or []
        if len(fields) > 25:
            return "embeds.fields: must be 25 or fewer in length"
        for f in fields:
            if not f.get("name") or not f.get("value") or len(f["name"]) > 256 or len(f["value"]) > 1024:
                return "embeds.fields: bad field"
        footer = (embed.get("footer") or {}).get("text") or ""
        if len(footer) > 2048:
            return "embeds.footer: must be 2048 or fewer in length"
        total += sum(len(embed.get(k) or "") for k in limits) + len(footer)
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > 6000:
        return "embeds: total size exceeds 6000"
    if len(rows) > 5:
        return "components: must be 5 or fewer in length"
    seen: set[str] = set()
    for row in rows:
        if row.get("type") != 1 or len(row.get("components") or []) > 5:
            return "components: bad action row"
        for button in row["components"]:
            custom_id = button.get("custom_id") or ""
            if not custom_id or len(custom_id) > 100 or custom_id in seen:
                return "components.custom_id: bad custom_id"
            if len(button.get("label") or "") > 80:
                return "components.label: must be 80 or fewer in length"
            seen.add(custom_id)
    return None


class FakeDiscord:
    """REST + gateway. Use `await start()`, then point DISCORD_API_URL / DISCORD_GATEWAY_URL at it."""

    def __init__(self, interaction_deadline: float = 3.0, token: str = "test-token"):
        self.deadline = interaction_deadline
        self.token = token
        self.calls: list[Call] = []
        self.unknown: list[str] = []
        self.commands: dict[str, list[dict]] = {}  # "global" or a guild id -> synced commands
        self.command_syncs: list[str] = []
        self.interactions: dict[str, InteractionState] = {}
        self.by_token: dict[str, InteractionState] = {}
        self.messages: dict[str, list[dict]] = {}  # channel id -> messages posted
        self.dm_channels: dict[str, str] = {}  # user id -> DM channel id
        self.injections: list[Injection] = []
        self.files: list[UploadedFile] = []  # every file attached to a message, in order
        self.upload_errors: list[str] = []
        self.identifies = 0
        self.identify_payloads: list[dict] = []
        self.resumes = 0
        self.heartbeats = 0
        self.sockets: list[web.WebSocketResponse] = []
        self.ready = asyncio.Event()
        self.changed = asyncio.Condition()
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Bad weather and real rate limits (off unless a test or bench turns them on): see limits.py.
        self.weather = Weather()
        self.limits_on = False
        self.rate_limited = 0
        self.delivered: Counter[str] = Counter()  # channel id -> messages created
        self._global = Window(50, 1.0)
        self._buckets: dict[str, Window] = {}
        self._nonces: dict[tuple[str, str], dict] = {}

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        app.router.add_route("*", "/{tail:.*}", self._unknown_route)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        for ws in list(self.sockets):
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # -- test controls ---------------------------------------------------------------------------
    def inject(self, method: str, path_regex: str, status: int, code: int = 0, times: int = 1,
               retry_after: float = 0.0) -> None:
        """The next `times` calls matching method + path fail with this status/code."""
        self.injections.append(Injection(method, re.compile(path_regex), status, code, times, retry_after))

    def enforce_limits(self, global_per_second: int = 50, messages: tuple[int, float] = (5, 5.0),
                       other: tuple[int, float] = (50, 1.0)) -> None:
        """Discord's documented shape: a global 50 requests/s per bot, and per-route buckets (a channel's
        messages: 5 per 5 s) announced in X-RateLimit-* headers; interactions are exempt from the global."""
        self.limits_on = True
        self._global = Window(global_per_second, 1.0)
        self._shapes = {"messages": messages, "other": other}

    def _bucket(self, method: str, path: str) -> tuple[str, Window]:
        match = re.fullmatch(r"/channels/(\d+)/messages", path)
        route = re.sub(r"/\d+", "/:id", path)
        key, shape = ((f"messages:{match.group(1)}", "messages") if match and method == "POST"
                      else (f"{method}:{route}", "other"))
        return key, self._buckets.setdefault(key, Window(*self._shapes[shape]))

    def _limited(self, method: str, path: str) -> tuple[web.Response | None, dict]:
        """A 429 when a bucket or the global limit is spent; else the X-RateLimit-* headers to send."""
        if path.startswith(("/interactions/", "/webhooks/")):
            return None, {}
        key, bucket = self._bucket(method, path)
        wait = bucket.reset_after() if bucket.remaining() == 0 else 0.0
        scope = "user"
        if not wait and self._global.remaining() == 0:
            wait, scope = self._global.reset_after() or 0.001, "global"
        if wait:
            self.rate_limited += 1
            headers = {"Retry-After": str(math.ceil(wait)), "X-RateLimit-Scope": scope, "Via": "1.1 google",
                       "X-RateLimit-Bucket": key, "X-RateLimit-Limit": str(bucket.limit),
                       "X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": f"{wait:.3f}"}
            if scope == "global":
                headers["X-RateLimit-Global"] = "true"
            body = {"message": "You are being rate limited.", "retry_after": round(wait, 3), "global": scope == "global"}
            return web.json_response(body, status=429, headers=headers), {}
        bucket.take()
        self._global.take()
        return None, {"X-RateLimit-Limit": str(bucket.limit), "X-RateLimit-Remaining": str(bucket.remaining()),
                      "X-RateLimit-Reset": f"{time.time() + bucket.reset_after():.3f}",
                      "X-RateLimit-Reset-After": f"{bucket.reset_after():.3f}", "X-RateLimit-Bucket": key}

    def calls_to(self, method: str, path_regex: str) -> list[Call]:
        pattern = re.compile(path_regex)
        return [c for c in self.calls if c.method == method and pattern.search(c.path)]

    def unlocked_messages(self) -> list[Call]:
        """Message-sending calls without allowed_mentions that block @everyone, @here and roles."""
        bad = []
        for call in self.calls:
            if call.method not in ("POST", "PATCH") or not isinstance(call.body, dict):
                continue
            body = call.body.get("data") if "/callback" in call.path else call.body
            if not body or not (body.get("content") or body.get("embeds")):
                continue
            allowed = body.get("allowed_mentions") or {}
            if allowed.get("parse") != [] or allowed.get("roles"):
                bad.append(call)
        return bad

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        async def _wait() -> None:
            async with self.changed:
                await self.changed.wait_for(predicate)
        await asyncio.wait_for(_wait(), timeout)

    async def _notify(self) -> None:
        async with self.changed:
            self.changed.notify_all()

    async def send_op(self, op: int, data: Any = None) -> None:
        """Send a raw gateway opcode (7 RECONNECT, 9 INVALID SESSION) to every connected socket."""
        for ws in list(self.sockets):
            await ws.send_str(json.dumps({"op": op, "d": data, "s": None, "t": None}))

    async def dispatch(self, event: str, data: dict) -> None:
        if not self.sockets:
            raise AssertionError("no gateway connection to dispatch to")
        self._seq += 1
        await self.sockets[-1].send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    # -- interactions ----------------------------------------------------------------------------
    def _base_interaction(self, kind: int, user_id: str, name: str, guild: bool, admin: bool) -> dict:
        interaction_id, token = snowflake(), "tok-" + snowflake()
        data = {
            "id": interaction_id, "application_id": APP_ID, "type": kind, "token": token, "version": 1,
            "locale": "en-US", "entitlements": [], "attachment_size_limit": 8388608,
            "authorizing_integration_owners": {"0": GUILD_ID} if guild else {"1": user_id},
            "context": 0 if guild else 1, "app_permissions": "2248473465835073",
        }
        user = user_payload(user_id, name)
        if guild:
            data.update(guild_id=GUILD_ID, guild_locale="en-US",
                        channel={"id": CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "general",
                                 "position": 0, "permission_overwrites": [], "nsfw": False},
                        channel_id=CHANNEL_ID,
                        member={"user": user, "roles": [], "joined_at": "2026-01-01T00:00:00+00:00",
                                "deaf": False, "mute": False, "flags": 0, "nick": None,
                                "permissions": str(0x20 if admin else 0)})
        else:
            dm = self.dm_channels.setdefault(user_id, snowflake())
            data.update(channel={"id": dm, "type": 1, "recipients": [user]}, channel_id=dm, user=user)
        return data

    def _track(self, data: dict) -> InteractionState:
        user_id = (data.get("member") or {}).get("user", data.get("user", {})).get("id", "")
        state = InteractionState(data["id"], data["token"], user_id, time.monotonic())
        self.interactions[state.id] = state
        self.by_token[state.token] = state
        return state

    def _skill_command(self, guild: bool) -> dict:
        scopes = ["global"] + ([GUILD_ID] if guild else [])
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == "skill":
                    return command
        raise AssertionError("/skill was never synced, so Discord would not offer it")

    async def slash(self, text: str, user_id: str, name: str = "", guild: bool = True,
                    admin: bool = False) -> InteractionState:
        """A user runs `/skill text:<text>`."""
        command = self._skill_command(guild)
        data = self._base_interaction(2, user_id, name or user_id, guild, admin)
        options = [{"name": "text", "type": 3, "value": text}] if text else []
        data["data"] = {"id": command["id"], "name": "skill", "type": 1, "options": options}
        state = self._track(data)
        await self.dispatch("INTERACTION_CREATE", data)
        return state

    async def autocomplete(self, partial: str, user_id: str = "910", guild: bool = True) -> InteractionState:
        command = self._skill_command(guild)
        data = self._base_interaction(4, user_id, "typist", guild, False)
        data["data"] = {"id": command["id"], "name": "skill", "type": 1,
                        "options": [{"name": "text", "type": 3, "value": partial, "focused": True}]}
        state = self._track(data)
        await self.dispatch("INTERACTION_CREATE", data)
        return state

    async def click(self, custom_id: str, message: dict, user_id: str, name: str = "",
                    guild: bool = True) -> InteractionState:
        """A user presses a button on a message the bot sent."""
        data = self._base_interaction(3, user_id, name or user_id, guild, False)
        data["message"] = message
        data["data"] = {"custom_id": custom_id, "component_type": 2}
        state = self._track(data)
        await self.dispatch("INTERACTION_CREATE", data)
        return state

    # -- gateway ---------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                await self._on_gateway(ws, json.loads(msg.data))
        finally:
            if ws in self.sockets:
                self.sockets.remove(ws)
        return ws

    async def _on_gateway(self, ws: web.WebSocketResponse, frame: dict) -> None:
        op = frame.get("op")
        if op == 1:
            self.heartbeats += 1
            await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
        elif op == 2:
            if frame["d"].get("token") != self.token:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            self.identifies += 1
            self.identify_payloads.append(frame["d"])
            self._seq += 1
            ready = {"v": 10, "user": user_payload(BOT_ID, "skillbot", bot=True), "guilds": [],
                     "session_id": "session-" + snowflake(), "resume_gateway_url": self.gateway_url,
                     "application": {"id": APP_ID, "flags": 0}, "private_channels": [],
                     "relationships": []}
            shard = frame["d"].get("shard")
            if shard:
                ready["shard"] = shard
            await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": self._seq, "d": ready}))
            self.ready.set()
            await self._notify()
        elif op == 6:
            self.resumes += 1
            self._seq += 1
            await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}}))
            await self._notify()

    # -- REST ------------------------------------------------------------------------------------
    async def _unknown_route(self, request: web.Request) -> web.Response:
        self.unknown.append(f"{request.method} {request.path}")
        return _error(404, 0, "404: Not Found")

    def _injected(self, method: str, path: str) -> Injection | None:
        for injection in self.injections:
            if injection.times > 0 and injection.method == method and injection.pattern.search(path):
                injection.times -= 1
                return injection
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = await request.json() if request.can_read_body and request.content_type == JSON else None
        parts: dict[int, tuple[str, bytes]] = {}
        if request.can_read_body and request.content_type == "multipart/form-data":
            body, parts = await read_multipart(request)
        call = Call(request.method, path, dict(request.query), body)
        self.calls.append(call)
        self.weather.bound(self.calls)
        await self.weather.delay()
        problem = self._take_files(path, body, parts)
        if problem:
            self.upload_errors.append(problem)
            call.status = 400
            await self._notify()
            return _error(400, 50035, "Invalid Form Body", errors=problem)
        injection = self._injected(request.method, path)
        needs_token = not path.startswith(("/interactions/", "/webhooks/"))  # those carry their own token
        limited, limit_headers = self._limited(request.method, path) if self.limits_on else (None, {})
        if needs_token and request.headers.get("Authorization") != f"Bot {self.token}":
            response = _error(401, 0, "401: Unauthorized")
        elif limited is not None:
            response = limited
        elif injection is not None:
            extra = {"retry_after": injection.retry_after, "global": False} if injection.status == 429 else {}
            response = _error(injection.status, injection.code, "injected", **extra)
        else:
            response = await self._route(request.method, path, request, body)
        response.headers.update(limit_headers)
        call.status = response.status
        await self._notify()
        mode = self.weather.next_mode() if response.status == 200 and "/messages" in path and request.method == "POST" else None
        if mode:  # the message exists now; the answer is lost
            call.status = 500
            return await self.weather.misbehave(mode, request)  # type: ignore[return-value]
        return response

    def _take_files(self, path: str, body: Any, parts: dict[int, tuple[str, bytes]]) -> str | None:
        """Check a message's files and record them; the message then lists them as attachments."""
        message = (body or {}).get("data") if "/callback" in path else body
        if not isinstance(message, dict) or not (parts or message.get("attachments")):
            return None
        problem = check_files(message, parts)
        if problem:
            return problem
        listed = []
        for entry in message["attachments"]:
            filename, data = parts[int(entry["id"])]
            upload = UploadedFile(filename, sniff(data), data, str(entry.get("description") or ""), path)
            self.files.append(upload)
            listed.append({"id": snowflake(), "filename": filename, "size": len(data),
                           "content_type": upload.content_type, "description": upload.description,
                           "url": f"http://127.0.0.1:{self.port}/attachments/{filename}",
                           "proxy_url": f"http://127.0.0.1:{self.port}/attachments/{filename}"})
        message["_stored_attachments"] = listed
        return None

    async def _route(self, method: str, path: str, request: web.Request, body: Any) -> web.Response:
        for route_method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, path)
            if match and method == route_method:
                return await handler(body, request, *match.groups())
        self.unknown.append(f"{method} {API}{path}")
        return _error(404, 0, "404: Not Found")

    def _routes(self):
        webhook = rf"/webhooks/{APP_ID}/([^/]+)"
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("PUT", r"/applications/(\d+)/commands", self._put_commands),
            ("GET", r"/applications/(\d+)/commands", self._get_commands),
            ("PUT", r"/applications/(\d+)/guilds/(\d+)/commands", self._put_guild_commands),
            ("GET", r"/applications/(\d+)/guilds/(\d+)/commands", self._get_guild_commands),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", webhook, self._followup),
            ("PATCH", webhook + r"/messages/@original", self._edit_original),
            ("GET", webhook + r"/messages/@original", self._get_original),
            ("DELETE", webhook + r"/messages/@original", self._delete_original),
            ("PATCH", webhook + r"/messages/(\d+)", self._edit_followup),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("POST", r"/channels/(\d+)/messages", self._channel_message),
        ]

    async def _me(self, body, request) -> web.Response:
        return _ok(user_payload(BOT_ID, "skillbot", bot=True))

    async def _gateway_bot(self, body, request) -> web.Response:
        return _ok({"url": self.gateway_url, "shards": 1,
                    "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 0,
                                            "max_concurrency": 1}})

    async def _application(self, body, request) -> web.Response:
        return _ok({"id": APP_ID, "name": "Skillbot", "description": "", "icon": None, "bot_public": True,
                    "bot_require_code_grant": False, "owner": user_payload("900000000000000003", "owner"),
                    "verify_key": "0" * 64, "flags": 0, "summary": "", "team": None})

    def _store_commands(self, scope: str, body: list[dict]) -> list[dict]:
        stored = [{**c, "id": snowflake(), "application_id": APP_ID, "version": snowflake(),
                   "default_member_permissions": c.get("default_member_permissions"), "type": c.get("type", 1)}
                  for c in body]
        self.commands[scope] = stored
        self.command_syncs.append(scope)
        return stored

    async def _put_commands(self, body, request, app_id) -> web.Response:
        return _ok(self._store_commands("global", body))

    async def _get_commands(self, body, request, app_id) -> web.Response:
        return _ok(self.commands.get("global", []))

    async def _put_guild_commands(self, body, request, app_id, guild_id) -> web.Response:
        return _ok(self._store_commands(guild_id, body))

    async def _get_guild_commands(self, body, request, app_id, guild_id) -> web.Response:
        return _ok(self.commands.get(guild_id, []))

    def _message(self, body: dict, channel_id: str, ephemeral: bool = False) -> dict:
        flags = body.get("flags") or 0
        return {"id": snowflake(), "channel_id": channel_id, "type": 0, "content": body.get("content") or "",
                "embeds": body.get("embeds") or [], "components": body.get("components") or [],
                "attachments": body.get("_stored_attachments") or [], "mentions": [], "mention_roles": [], "mention_everyone": False,
                "pinned": False, "tts": False, "timestamp": "2026-11-24T10:00:00+00:00",
                "edited_timestamp": None, "author": user_payload(BOT_ID, "skillbot", bot=True),
                "flags": flags | (64 if ephemeral else 0), "allowed_mentions": body.get("allowed_mentions")}

    async def _callback(self, body, request, interaction_id, token) -> web.Response:
        state = self.interactions.get(interaction_id)
        if state is None or state.token != token:
            return _error(404, 10062, "Unknown interaction")
        if state.callback is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - state.sent_at > self.deadline:
            return _error(404, 10062, "Unknown interaction")
        kind, data = body.get("type"), body.get("data") or {}
        if kind in (4, 7):
            problem = validate_message(data)
            if problem:
                return _error(400, 50035, "Invalid Form Body", errors=problem)
        state.callback, state.callback_at = body, time.monotonic()
        if kind in (4, 7):
            state.answered_at = state.callback_at
        interaction = {"id": interaction_id, "type": 2, "response_message_loading": kind == 5,
                       "response_message_ephemeral": bool((data.get("flags") or 0) & 64)}
        response: dict = {"interaction": interaction}
        if kind in (4, 5):
            state.original = self._message(data, CHANNEL_ID)
            interaction["response_message_id"] = state.original["id"]
            if kind == 4:
                response["resource"] = {"type": kind, "message": state.original}
        if kind == 8:
            state.done.set()
        return _ok(response)

    async def _followup(self, body, request, token) -> web.Response:
        state = self.by_token.get(token)
        if state is None or state.callback is None:
            return _error(404, 10015, "Unknown Webhook")
        problem = validate_message(body)
        if problem:
            return _error(400, 50035, "Invalid Form Body", errors=problem)
        message = self._message(body, CHANNEL_ID)
        state.answered_at = state.answered_at or time.monotonic()
        state.followups.append(message)
        return _ok(message)

    async def _edit_original(self, body, request, token) -> web.Response:
        state = self.by_token.get(token)
        if state is None or state.original is None:
            return _error(404, 10008, "Unknown Message")
        problem = validate_message(body)
        if problem:
            return _error(400, 50035, "Invalid Form Body", errors=problem)
        state.answered_at = state.answered_at or time.monotonic()
        flags = state.original["flags"]
        state.original = {**self._message(body, CHANNEL_ID), "id": state.original["id"], "flags": flags}
        return _ok(state.original)

    async def _get_original(self, body, request, token) -> web.Response:
        state = self.by_token.get(token)
        if state is None or state.original is None:
            return _error(404, 10008, "Unknown Message")
        return _ok(state.original)

    async def _delete_original(self, body, request, token) -> web.Response:
        state = self.by_token.get(token)
        if state is None or state.original is None:
            return _error(404, 10008, "Unknown Message")
        state.original = None
        return _ok(None, status=204)

    async def _edit_followup(self, body, request, token, message_id) -> web.Response:
        state = self.by_token.get(token)
        for index, message in enumerate(state.followups if state else []):
            if message["id"] == message_id:
                state.followups[index] = {**self._message(body, CHANNEL_ID), "id": message_id}
                return _ok(state.followups[index])
        return _error(404, 10008, "Unknown Message")

    async def _open_dm(self, body, request) -> web.Response:
        user_id = str(body["recipient_id"])
        channel_id = self.dm_channels.setdefault(user_id, snowflake())
        return _ok({"id": channel_id, "type": 1, "last_message_id": None,
                    "recipients": [user_payload(user_id, "user" + user_id[-3:])]})

    async def _channel_message(self, body, request, channel_id) -> web.Response:
        if body is None:
            return _error(400, 50006, "Cannot send an empty message")
        problem = validate_message(body)
        if problem:
            return _error(400, 50035, "Invalid Form Body", errors=problem)
        nonce = str(body.get("nonce") or "")
        if nonce and body.get("enforce_nonce") and (channel_id, nonce) in self._nonces:
            return _ok(self._nonces[(channel_id, nonce)])  # Discord: the same nonce within minutes is one message
        message = self._message(body, channel_id)
        self.messages.setdefault(channel_id, []).append(message)
        self.delivered[channel_id] += 1
        if nonce:
            self._nonces[(channel_id, nonce)] = message
            while len(self._nonces) > 10_000:  # bounded: Discord only remembers nonces for a few minutes
                self._nonces.pop(next(iter(self._nonces)))
        return _ok(message)
