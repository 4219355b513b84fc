"""Weekly DM check-ins: claiming due check-ins, sending them, and their buttons."""
from __future__ import annotations

from bot.core.bot import SkillBot


def install(bot: SkillBot) -> None:
    """Add the check-in store and buttons to the bot."""
    from bot.checkins import buttons
    from bot.checkins.messages import DONE, SKIP, SNOOZE
    from bot.checkins.store import CheckinStore

    deps = bot.deps
    deps.extra["checkins"] = CheckinStore(deps.tracks.sessions, deps.clock)
    bot.button_handlers.update({DONE: buttons.done, SKIP: buttons.skip, SNOOZE: buttons.snooze})
