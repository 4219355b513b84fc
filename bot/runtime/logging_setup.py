"""Logging: one line per event; LOG_FORMAT=json for machines."""
from __future__ import annotations

import json
import logging
import sys


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


def setup_logging(level: str = "WARNING", log_format: str = "text") -> None:
    """Level and format come from Settings (LOG_LEVEL, LOG_FORMAT, .env included), never the raw environment."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Alembic narrates every plugin and DDL step at INFO; operators only need its warnings.
    logging.getLogger("alembic").setLevel(max(root.level, logging.WARNING))
