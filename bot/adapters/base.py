"""What every adapter is handed: settings, the core bot, metrics and state, without importing the app."""
from __future__ import annotations

from typing import Protocol

from bot.core.bot import SkillBot
from bot.core.deps import Deps
from bot.core.ports import StatePort
from bot.runtime.metrics import Metrics
from bot.settings import Settings


class Host(Protocol):
    """The wired objects an adapter needs; the composition root's App satisfies it."""

    @property
    def settings(self) -> Settings: ...
    @property
    def deps(self) -> Deps: ...
    @property
    def bot(self) -> SkillBot: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def state(self) -> StatePort: ...
