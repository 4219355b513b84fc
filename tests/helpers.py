"""Helpers shared by tests that start the real `skillbot` in a subprocess."""
from __future__ import annotations

import os

# Never hand a developer's real tokens to a test's subprocess; tests add the fake ones they need.
_STRIPPED = ("SLACK_", "DISCORD_")


def clean_env(*, isolated: bool = False, **extra: str) -> dict[str, str]:
    """os.environ without SLACK_*/DISCORD_* (isolated: also without SKILLBOT_*, DATABASE_URL and LOG_*),
    plus `extra`. Every subprocess a test starts gets its environment from here."""
    prefixes = (*_STRIPPED, "SKILLBOT_", "DATABASE_URL", "LOG_") if isolated else _STRIPPED
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(extra)
    return env
