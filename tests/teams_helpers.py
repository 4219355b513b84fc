"""Shared by the team tests: a recording sender and a one-call digest tick."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.core.delivery import SENT, Delivery
from bot.core.model import ChannelRef, Reply, UserRef
from bot.core.text import Mention, split_mentions
from bot.teams.digest import run_digests

FRIDAY = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # the first default digest after the test clock


class RecordingSender:
    """Records posts and DMs; `status[channel_id]` makes posts to that channel fail that way."""

    def __init__(self, platform: str = "console", delay: float = 0.0):
        self.platform = platform
        self.delay = delay
        self.posts: list[tuple[ChannelRef, Reply]] = []
        self.dms: list[tuple[UserRef, Reply]] = []
        self.status: dict[str, Delivery] = {}

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.posts.append((channel, reply))
        return self.status.get(channel.channel_id, SENT)

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery:
        self.dms.append((user, reply))
        return SENT


def tick(app, sender, now: datetime) -> int:
    senders = {sender.platform: sender} if not isinstance(sender, dict) else sender
    return asyncio.run(asyncio.wait_for(run_digests(app, senders, now), 20))


def mentioned(reply: Reply) -> set[str]:
    """User ids mentioned anywhere in the reply."""
    return {p.user_id for p in split_mentions(reply.plain_text()) if isinstance(p, Mention)}


def without_mentions(reply: Reply) -> str:
    return "".join(p for p in split_mentions(reply.plain_text()) if isinstance(p, str))
