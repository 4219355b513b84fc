"""LOG_LEVEL=DEBUG never lets the SDKs log bodies, and secrets that slip into a line are masked."""
from __future__ import annotations

import logging

import pytest

from bot.runtime.logging_setup import SDK_LOGGERS, Redact, setup_logging


@pytest.fixture
def debug_logging(monkeypatch):
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, {n: logging.getLogger(n).level for n in SDK_LOGGERS})
    setup_logging("DEBUG", "text", ("discord-secret-token-value",))  # as Settings would pass them
    yield root
    root.handlers[:], root.level = saved[0], saved[1]
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def test_sdk_loggers_stay_at_warning_when_ours_log_debug(debug_logging):
    assert logging.getLogger("bot.adapters.slack").isEnabledFor(logging.DEBUG)
    for name in ("discord.http", "discord.gateway", "slack_sdk.web.async_base_client", "slack_bolt.App",
                 "sqlalchemy.engine.Engine", "aiohttp.access"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name


@pytest.mark.parametrize(("line", "secret"), [
    ("POST https://discord.com/api/v10/interactions/123/aW50ZXJhY3Rpb246dG9rZW4/callback", "aW50ZXJhY3Rpb246dG9rZW4"),
    ("PATCH /api/v10/webhooks/456/aW50ZXJhY3Rpb246dG9rZW4/messages/@original", "aW50ZXJhY3Rpb246dG9rZW4"),
    ("respond to https://hooks.slack.com/commands/T1/2/abcdef", "abcdef"),
    ("token xoxb-1234-5678-abcdefgh used", "xoxb-1234"),
    ("login with discord-secret-token-value", "discord-secret-token-value"),
])
def test_secrets_in_a_line_are_masked(line, secret):
    record = logging.LogRecord("discord.http", logging.WARNING, __file__, 1, "%s", (line,), None)
    Redact(("discord-secret-token-value",)).filter(record)
    assert secret not in record.getMessage()
