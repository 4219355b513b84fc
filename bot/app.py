"""The one factory: settings in, a ready bot out. Nothing is built at import time."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from bot import checkins, placement, recall, teams
from bot.content.loader import Catalog, load_catalog
from bot.content.search import Searcher
from bot.core.bot import SkillBot
from bot.core.deps import Deps, utc_now
from bot.runtime.metrics import Metrics
from bot.settings import Settings
from bot.store import migrate
from bot.store.assessments import AssessmentStore
from bot.store.checkins import CheckinStore
from bot.store.db import make_engine, make_session_factory
from bot.store.personal import PersonalData
from bot.store.questions import QuestionLogStore
from bot.store.ratelimit import RateLimitStore
from bot.store.recall import RecallStore
from bot.store.replay import SeenSignatures
from bot.store.state import StateStore
from bot.store.teams import TeamStore
from bot.store.tracks import TrackStore

log = logging.getLogger(__name__)
REPLAY_WINDOW = timedelta(minutes=5)  # Slack's request-timestamp tolerance

class DatabaseBehind(Exception):
    """The database is older than the code and automatic migration is off."""


@dataclass
class App:
    settings: Settings
    engine: Engine
    deps: Deps
    bot: SkillBot
    metrics: Metrics
    state: StateStore
    seen: SeenSignatures
    limits: RateLimitStore | None = None  # one shared rate-limit state per platform (all replicas)


def prepare_database(engine: Engine, auto_migrate: bool) -> None:
    if auto_migrate:
        migrate.upgrade(engine)
    elif not migrate.is_at_head(engine):
        raise DatabaseBehind(
            "The database is not at the latest migration and SKILLBOT_AUTO_MIGRATE=0. "
            "Run `skillbot db upgrade` first."
        )


def build_app(settings: Settings, catalog: Catalog | None = None, clock=utc_now) -> App:
    engine = make_engine(settings.database_url)
    prepare_database(engine, settings.auto_migrate)
    catalog = catalog or load_catalog(settings.content_path)
    sessions = make_session_factory(engine)
    assessments = AssessmentStore(sessions, clock)
    deps = Deps(
        catalog=catalog, searcher=Searcher(catalog, semantic=settings.semantic), tracks=TrackStore(sessions, clock),
        checkins=CheckinStore(sessions, clock), teams=TeamStore(sessions, clock),
        clock=clock, admins=settings.admin_ids, questions=QuestionLogStore(sessions, clock),
        assessments=assessments,
    )
    metrics = Metrics()
    bot = SkillBot(deps, on_handled=metrics.command_handled)
    # Features add their verbs, buttons and hooks explicitly, here and nowhere else.
    checkins.install(bot)
    teams.install(bot)
    placement.install(bot)
    recall.install(bot, RecallStore(sessions, clock), levels=assessments)  # at or below the assessed level
    deps.exporters.append(PersonalData(sessions))  # every table that points at the user
    seen = SeenSignatures(engine, REPLAY_WINDOW)
    return App(settings, engine, deps, bot, metrics, StateStore(engine), seen, RateLimitStore(sessions))
