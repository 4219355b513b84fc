"""What core needs from the outside world, built once at start-up and passed in."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.content.loader import Catalog
from bot.content.search import Searcher
from bot.core.model import Command, Field, Post, Result
from bot.core.ports import (
    AssessmentStorePort,
    CheckinStorePort,
    QuestionLogPort,
    TeamStorePort,
    TrackStorePort,
)
from bot.core.records import EnrollmentRecord, Member, TeamChannelRecord, UserRecord

# Called after a step is recorded; returns posts to send (team milestones). Set by the team feature.
ProgressHook = Callable[[UserRecord, EnrollmentRecord], list[Post]]
# Adds a line to `/skill progress` (recall's "Recall: 12 answered, 83% right, 2 due"), or None.
ProgressField = Callable[[UserRecord], Field | None]
# Adds a feature's own data to `/skill export`.
Exporter = Callable[[UserRecord], dict[str, Any]]
# `/skill team <word>` views a feature adds (e.g. "matrix"), given the team channel.
TeamView = Callable[["Deps", Command, TeamChannelRecord], Result]
# A section a feature adds to the weekly team digest, from the opted-in members; "" adds nothing.
DigestSection = Callable[[TeamChannelRecord, list[Member]], str]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    catalog: Catalog
    searcher: Searcher
    tracks: TrackStorePort
    checkins: CheckinStorePort
    teams: TeamStorePort
    clock: Callable[[], datetime] = utc_now
    admins: frozenset[str] = frozenset()  # platform user ids allowed to run admin commands
    progress_hooks: list[ProgressHook] = field(default_factory=list)
    exporters: list[Exporter] = field(default_factory=list)
    questions: QuestionLogPort | None = None  # the answers' question log (most asked, curators' gaps)
    progress_fields: list[ProgressField] = field(default_factory=list)
    assessments: AssessmentStorePort | None = None  # placement; None when the feature is not wired
    team_views: dict[str, TeamView] = field(default_factory=dict)
    digest_sections: list[DigestSection] = field(default_factory=list)
