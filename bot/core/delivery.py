"""The interface through which core and the scheduler send messages on their own: a DM or a post."""
from __future__ import annotations

import logging
import socket
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.model import ChannelRef, Post, Reply, UserRef

log = logging.getLogger(__name__)


class DeliveryStatus(str, Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # DMs closed, user gone, cannot DM a bot: do not retry
    CHANNEL_GONE = "channel_gone"  # removed, archived, deleted: switch the team channel off
    RATE_LIMITED = "rate_limited"  # try again after retry_after seconds
    FAILED = "failed"  # anything else; may be retried later
    UNCERTAIN = "uncertain"  # the platform may have taken it (connection dropped, timeout, 5xx): never retry


@dataclass(frozen=True)
class Delivery:
    status: DeliveryStatus
    retry_after: float = 0.0
    detail: str = ""
    dm_channel: str = ""  # the DM channel a send opened, for the store to remember (one request next time)

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.SENT


SENT = Delivery(DeliveryStatus.SENT)


class Sender(Protocol):
    """Implemented by every adapter."""

    platform: str

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery: ...

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery: ...


async def deliver_posts(sender: Sender, posts: list[Post]) -> list[Delivery]:
    """Send the DMs and channel posts a command produced, in order; failures are reported, not raised."""
    outcomes = []
    for post in posts:
        if post.to_user is not None:
            outcomes.append(await sender.send_dm(post.to_user, post.reply))
        elif post.to_channel is not None:
            outcomes.append(await sender.post(post.to_channel, post.reply))
    for outcome in outcomes:
        if not outcome.ok:
            log.info("post not delivered: %s", outcome.status.value)
    return outcomes


def worker_name() -> str:
    """A name for this process's claims: the host and a random suffix."""
    return f"{socket.gethostname()[:40]}-{uuid.uuid4().hex[:8]}"
