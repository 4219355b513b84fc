"""The interface through which core and the scheduler send messages on their own: a DM or a post."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.core.model import ChannelRef, Reply, UserRef


class DeliveryStatus(str, Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # DMs closed, user gone, cannot DM a bot: do not retry
    CHANNEL_GONE = "channel_gone"  # removed, archived, deleted: switch the team channel off
    RATE_LIMITED = "rate_limited"  # try again after retry_after seconds
    FAILED = "failed"  # anything else; may be retried later


@dataclass(frozen=True)
class Delivery:
    status: DeliveryStatus
    retry_after: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is DeliveryStatus.SENT


SENT = Delivery(DeliveryStatus.SENT)


class Sender(Protocol):
    """Implemented by every adapter."""

    platform: str

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery: ...

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery: ...
