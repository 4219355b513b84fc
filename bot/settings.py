"""One typed settings object, read from the environment (and .env) once at start-up.

Every value is checked here, so a bad one is named at start-up (by `skillbot` in one line each,
exit code 2) instead of surfacing later as a traceback.
"""
from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///skillbot.db"
# scheme[+driver]://rest: checked without SQLAlchemy, whose import would slow `skillbot ask` by a third of a second
_URL = re.compile(r"^(?P<scheme>[a-z][a-z0-9]*)(?:\+[a-z0-9_]+)?://\S*$", re.IGNORECASE)

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    auto_migrate: bool = Field(True, alias="SKILLBOT_AUTO_MIGRATE")
    admins: str = Field("", alias="SKILLBOT_ADMINS")
    content_dir: str = Field("", alias="SKILLBOT_CONTENT_DIR")
    semantic: bool = Field(True, alias="SKILLBOT_SEMANTIC")  # used only when the semantic extra is installed
    # Unset means "the command's own default": services log INFO, interactive commands WARNING.
    log_level: str | None = Field(None, alias="LOG_LEVEL")
    log_format: str = Field("text", alias="LOG_FORMAT")
    port: int = Field(3000, alias="PORT", ge=0, le=65535)

    # Proactive caps for the bot's own sends (check-ins, digests), shared by every replica; 0 turns pacing off.
    # Discord allows 50 requests/s per bot (opening a DM counts); Slack's chat.postMessage allows about
    # 1 message/s per channel and "several hundred per minute" per workspace.
    discord_rate: float = Field(50.0, alias="SKILLBOT_DISCORD_RATE")
    slack_rate: float = Field(5.0, alias="SKILLBOT_SLACK_RATE")
    send_timeout: float = Field(30.0, alias="SKILLBOT_SEND_TIMEOUT")  # a send past this is "uncertain"

    slack_bot_token: SecretStr | None = Field(None, alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(None, alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(None, alias="SLACK_SIGNING_SECRET")
    slack_api_url: str | None = Field(None, alias="SLACK_API_URL")

    discord_token: SecretStr | None = Field(None, alias="DISCORD_TOKEN")
    discord_api_url: str | None = Field(None, alias="DISCORD_API_URL")
    discord_gateway_url: str | None = Field(None, alias="DISCORD_GATEWAY_URL")

    def secret_values(self) -> tuple[str, ...]:
        """Every configured secret, for the log filter that masks them."""
        secrets = (self.slack_bot_token, self.slack_app_token, self.slack_signing_secret, self.discord_token)
        return tuple(s.get_secret_value() for s in secrets if s is not None)

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.strip().lower() not in ("text", "json"):
            raise ValueError("expected text or json")
        return value.strip().lower()

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if value.strip().upper() not in LOG_LEVELS:
            raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}")
        return value.strip().upper()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        found = _URL.match(value.strip())
        if not found or found["scheme"].lower() not in DATABASE_SCHEMES:
            raise ValueError("expected sqlite:///FILE or postgresql://USER:PASSWORD@HOST/DB")
        return value.strip()

    @field_validator("content_dir")
    @classmethod
    def _content_dir(cls, value: str) -> str:
        if value.strip() and not Path(value.strip()).is_dir():
            raise ValueError("expected a folder of skill files (it does not exist)")
        return value.strip()

    @field_validator("slack_api_url", "discord_api_url", "discord_gateway_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("expected a URL starting with http(s):// or ws(s)://")
        return value or None

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.admins.split(",") if a.strip())

    @property
    def slack_configured(self) -> bool:
        return self.slack_bot_token is not None and (self.slack_app_token is not None or self.slack_signing_secret is not None)

    @property
    def discord_configured(self) -> bool:
        return self.discord_token is not None

    @property
    def content_path(self) -> Path | None:
        """The content folder override, or None for the bundled content."""
        return Path(self.content_dir) if self.content_dir else None


def error_lines(exc) -> list[str]:
    """A pydantic ValidationError as one line per bad variable: the name, the value's problem, what's expected."""
    aliases = {name: (f.alias or name.upper()) for name, f in Settings.model_fields.items()}
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        name = aliases.get(field, field)
        message = error["msg"].removeprefix("Value error, ")
        shown = "" if "token" in field or "secret" in field else f"={str(error.get('input', ''))[:60]!s}"
        if name == "DATABASE_URL":
            shown = ""  # it may hold a password
        lines.append(f"Configuration error: {name}{shown}: {_expected(error['type'], message)}")
    return lines


def _expected(kind: str, message: str) -> str:
    """pydantic's wording where it is already about expectations; our own validators say 'expected ...'."""
    if kind == "bool_parsing":
        return "expected 1 or 0 (true/false, yes/no)"
    if kind.startswith("int") or kind in ("less_than_equal", "greater_than_equal"):
        return "expected a whole number from 0 to 65535"
    return message
