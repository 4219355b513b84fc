"""The shape of one skill file. Validated at load so a broken file never reaches users."""
from __future__ import annotations

from typing import Annotated, Literal

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


Url = Annotated[str, StringConstraints(pattern=r"^https://[^\s<>]+$", max_length=300)]
Month = Annotated[str, StringConstraints(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")]
Level = Literal["entry", "mid", "senior"]


class Resource(_Strict):
    """Somewhere to learn more: official docs, a well-known course, a paper (arXiv) or a book."""

    title: Line
    url: Url
    kind: Literal["docs", "course", "paper", "book"]
    free: bool


class Topic(_Strict):
    id: Slug
    title: Line
    explain: Paragraph
    keywords: list[Line] = Field(min_length=3, max_length=30)
    tools: list[Line] = Field(default_factory=list, max_length=12)
    resources: list[Resource] = Field(default_factory=list, max_length=3)


class Levels(_Strict):
    entry: list[Line] = Field(min_length=1, max_length=8)
    mid: list[Line] = Field(min_length=1, max_length=8)
    senior: list[Line] = Field(min_length=1, max_length=8)


class Step(_Strict):
    title: Line
    do: Paragraph
    done_when: Line
    topics: list[Slug] = Field(default_factory=list, max_length=4)  # topic ids of this skill the step covers


class Skill(_Strict):
    id: Slug
    title: Line
    aliases: list[Line] = Field(min_length=1, max_length=30)
    summary: Line
    why: Paragraph
    topics: list[Topic] = Field(min_length=8, max_length=15)
    levels: Levels
    track: list[Step] = Field(min_length=6, max_length=12)
    reviewed: Month | None = None  # YYYY-MM of the last technical review

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


Option = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=70)]


class Question(_Strict):
    """One multiple-choice quiz question about a topic, at one level."""

    id: Slug
    topic: Slug
    level: Level
    question: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=300)]
    options: list[Option] = Field(min_length=3, max_length=4)
    answer: int = Field(ge=0, le=3)  # index into options of the one correct option
    explain: Annotated[str, StringConstraints(strip_whitespace=True, min_length=20, max_length=400)]


class QuizBank(_Strict):
    """content/quiz/<skill>.yaml: the questions for one skill's topics."""

    skill: Slug
    questions: list[Question] = Field(min_length=1)
