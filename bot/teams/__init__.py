"""Team channels: opt-in progress sharing, weekly digests and milestones."""
from __future__ import annotations

from bot.core.bot import SkillBot


def install(bot: SkillBot) -> None:
    """Add the team commands, buttons and progress hooks to the bot."""
    from bot.teams import commands
    from bot.teams.milestones import make_hook
    from bot.teams.store import TeamStore

    deps = bot.deps
    store = TeamStore(deps.tracks.sessions, deps.clock)
    deps.extra["teams"] = store
    bot.text_handlers["team"] = commands.team
    bot.text_handlers["share"] = commands.share
    bot.button_handlers[commands.SHARE_ON] = commands.share_button
    deps.progress_hooks.append(make_hook(deps, store))
    exporters = deps.extra.setdefault("exporters", [])
    exporters.append(lambda user: {"team_sharing": [
        {"platform": c.platform, "channel": c.channel_name or c.channel_id} for c in store.shared_channels(user)]})
