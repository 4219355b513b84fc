"""One typed settings object, read from the environment (and .env) once at start-up."""
from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.store.db import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    database_url: str = Field(DEFAULT_DATABASE_URL, alias="DATABASE_URL")
    auto_migrate: bool = Field(True, alias="SKILLBOT_AUTO_MIGRATE")
    admins: str = Field("", alias="SKILLBOT_ADMINS")
    content_dir: str = Field("", alias="SKILLBOT_CONTENT_DIR")
    log_level: str = Field("INFO", alias="LOG_LEVEL")
    log_format: str = Field("text", alias="LOG_FORMAT")
    port: int = Field(3000, alias="PORT")

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

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value.lower() not in ("text", "json"):
            raise ValueError("LOG_FORMAT must be 'text' or 'json'")
        return value.lower()

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.admins.split(",") if a.strip())

    @property
    def slack_configured(self) -> bool:
        return self.slack_bot_token is not None and (self.slack_app_token is not None or self.slack_signing_secret is not None)

    @property
    def discord_configured(self) -> bool:
        return self.discord_token is not None
