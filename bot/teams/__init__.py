"""Team channels: opt-in progress sharing, weekly digests and milestones (no SQL here)."""
from __future__ import annotations

from bot.core.bot import SkillBot


def install(bot: SkillBot) -> None:
    """Add the team commands, buttons, progress hook and export data to the bot."""
    from bot.teams import commands
    from bot.teams.milestones import make_hook

    deps = bot.deps
    store = deps.teams
    bot.register_verb("team", commands.team)
    bot.register_verb("share", commands.share)
    bot.register_button(commands.SHARE_ON, commands.share_button)
    deps.progress_hooks.append(make_hook(deps, store))
    deps.exporters.append(lambda user: {"team_sharing": [
        {"platform": c.platform, "channel": c.channel_name or c.channel_id} for c in store.shared_channels(user)]})
