"""`skillbot slack manifest`: a ready Slack app manifest to paste into api.slack.com/apps."""
from __future__ import annotations

from bot.core.commands import usage_hint

# The one scope list: the manifest asks for these and `skillbot doctor` checks the token has them.
BOT_SCOPES = [
    "commands",          # the /skill slash command
    "chat:write",        # answers, check-ins and team posts
    "im:write",          # open a DM for check-ins (conversations.open)
    "im:history",        # read DMs sent to the bot (message.im)
    "app_mentions:read",  # answer @Skillbot questions
    "users:read",        # time zone and workspace-admin flag (users.info)
    "files:write",       # pictures and files on replies (files_upload_v2), e.g. the skill matrix
]
BOT_EVENTS = ["app_mention", "message.im", "app_home_opened"]


def manifest(socket_mode: bool = True, url: str | None = None) -> dict:
    """The manifest; HTTP mode points the command, events and interactivity at URL/slack/events."""
    events_url = f"{(url or 'https://YOUR-HOST').rstrip('/')}/slack/events"
    command = {"command": "/skill", "description": "Learn AI engineering skills: ask, track, progress",
               "usage_hint": usage_hint(), "should_escape": False}
    interactivity: dict = {"is_enabled": True}
    events: dict = {"bot_events": BOT_EVENTS}
    if not socket_mode:
        command["url"] = events_url
        interactivity["request_url"] = events_url
        events["request_url"] = events_url
    return {
        "display_information": {"name": "Skillbot", "description": "Learn AI engineering skills, one week at a time.",
                                "background_color": "#2c2d30"},
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": "Skillbot", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {"event_subscriptions": events, "interactivity": interactivity,
                     "org_deploy_enabled": False, "socket_mode_enabled": socket_mode,
                     "token_rotation_enabled": False},
    }
