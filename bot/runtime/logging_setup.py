"""Logging: one line per event; LOG_FORMAT=json for machines. No user text or secret at any level.

Our own modules log ids, kinds and counts only. The SDKs are noisier: at DEBUG slack_sdk and
discord.py log whole request bodies (user text, response URLs, interaction tokens), SQLAlchemy logs
bound parameters, and slack-bolt logs request bodies at INFO and WARNING. So third-party loggers never
go below WARNING whatever LOG_LEVEL says, and every line passes a redacting filter as a backstop.
"""
from __future__ import annotations

import json
import logging
import re
import sys

# Loggers that may carry user text or credentials below WARNING.
SDK_LOGGERS = ("slack_bolt", "slack_sdk", "discord", "aiohttp", "asyncio", "sqlalchemy", "apscheduler",
               "websockets", "urllib3", "alembic")
_REDACTIONS = (
    (re.compile(r"\bx(?:ox[a-z]|app)-[\w-]+"), "xox*-***"),  # Slack bot, user and app tokens
    (re.compile(r"https?://hooks\.slack\.com/\S+"), "https://hooks.slack.com/***"),  # response URLs
    (re.compile(r"/(interactions|webhooks)/(\d+)/[\w.-]+"), r"/\1/\2/***"),  # Discord interaction tokens
    (re.compile(r"\b[MNO][\w-]{23,27}\.[\w-]{6}\.[\w-]{27,40}\b"), "***discord-token***"),
)
_WITHHELD = "%s (body withheld)"


class Redact(logging.Filter):
    """Replaces secrets with *** and withholds request bodies that SDKs put into their warnings."""

    def __init__(self, secrets: tuple[str, ...] = ()):
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.name.startswith("slack_bolt") and "(" in message:
            # e.g. "Unhandled request ({...the user's message...})": keep the sentence, not the body.
            message = _WITHHELD % message.split("(", 1)[0].rstrip()
        for pattern, replacement in _REDACTIONS:
            message = pattern.sub(replacement, message)
        for secret in self.secrets:
            message = message.replace(secret, "***")
        record.msg, record.args = message, ()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
                "msg": record.getMessage()}
        for key in ("platform", "workspace", "command", "latency_ms"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data)


def setup_logging(level: str = "WARNING", log_format: str = "text", secrets: tuple[str, ...] = ()) -> None:
    """Level, format and the secrets to mask come from Settings (.env included), never the raw environment."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(max(root.level, logging.WARNING))
