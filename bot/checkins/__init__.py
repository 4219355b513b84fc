"""Weekly DM check-ins: sending what the store claims, and the check-in's buttons (no SQL here)."""
from __future__ import annotations

from bot.core.bot import SkillBot


def install(bot: SkillBot) -> None:
    """Add the check-in buttons to the bot."""
    from bot.checkins import buttons
    from bot.checkins.messages import DONE, SKIP, SNOOZE

    bot.register_button(DONE, buttons.done)
    bot.register_button(SKIP, buttons.skip)
    bot.register_button(SNOOZE, buttons.snooze)
