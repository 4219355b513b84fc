"""What core needs from the outside world, built once at start-up and passed in."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.content.loader import Catalog
from bot.content.search import Searcher
from bot.core.model import Post
from bot.store.records import EnrollmentRecord, UserRecord
from bot.store.tracks import TrackStore

# Called after a step is recorded; returns posts to send (team milestones). Set by the team feature.
ProgressHook = Callable[[UserRecord, EnrollmentRecord], list[Post]]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    catalog: Catalog
    searcher: Searcher
    tracks: TrackStore
    clock: Callable[[], datetime] = utc_now
    admins: frozenset[str] = frozenset()  # platform user ids allowed to run admin commands
    progress_hooks: list[ProgressHook] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)  # optional stores of later features
