"""The shape of one skill file. Validated at load so a broken file never reaches users."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

SKILL_IDS = (
    "programming", "math", "ml", "deep-learning", "genai", "mlops",
    "cloud", "system-design", "data-engineering", "soft-skills", "responsible-ai",
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Paragraph = Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=1500)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Topic(_Strict):
    id: Slug
    title: Line
    explain: Paragraph
    keywords: list[Line] = Field(min_length=3, max_length=30)
    tools: list[Line] = Field(default_factory=list, max_length=12)


class Levels(_Strict):
    entry: list[Line] = Field(min_length=1, max_length=8)
    mid: list[Line] = Field(min_length=1, max_length=8)
    senior: list[Line] = Field(min_length=1, max_length=8)


class Step(_Strict):
    title: Line
    do: Paragraph
    done_when: Line


class Skill(_Strict):
    id: Slug
    title: Line
    aliases: list[Line] = Field(min_length=1, max_length=30)
    summary: Line
    why: Paragraph
    topics: list[Topic] = Field(min_length=8, max_length=15)
    levels: Levels
    track: list[Step] = Field(min_length=6, max_length=12)

    @field_validator("id")
    @classmethod
    def _known_skill(cls, value: str) -> str:
        if value not in SKILL_IDS:
            raise ValueError(f"unknown skill id {value!r}; expected one of {', '.join(SKILL_IDS)}")
        return value

    @field_validator("aliases")
    @classmethod
    def _lower_aliases(cls, value: list[str]) -> list[str]:
        return [alias.lower() for alias in value]

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)
