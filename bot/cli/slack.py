"""`skillbot slack manifest`: print the Slack app manifest."""
from __future__ import annotations

import json
import sys

from bot.adapters.slack_manifest import manifest


def cmd_manifest(args) -> int:
    socket_mode = getattr(args, "socket_mode", "on") != "off"
    url = getattr(args, "url", None)
    if not socket_mode and not url:
        print("HTTP mode needs your public base URL: --url https://bot.example.com", file=sys.stderr)
        return 2
    print(json.dumps(manifest(socket_mode, url), indent=2))
    return 0
