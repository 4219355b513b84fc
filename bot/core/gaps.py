"""Content gaps for curators: the questions most often refused or voted down, similar wordings grouped."""
from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, utils

from bot.core.records import QuestionRecord
from bot.core.states import QuestionOutcome, Vote

SIMILAR = 80  # token_set_ratio at or above which two questions are one gap ("what is a gpu" ~ "whats a GPU?")


@dataclass
class Gap:
    question: str  # the first wording seen
    refused: int = 0
    voted_down: int = 0
    topics: set[str] = field(default_factory=set)  # the topics answered when people voted down
    wordings: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.refused + self.voted_down


def is_gap(record: QuestionRecord) -> bool:
    return record.outcome == QuestionOutcome.REFUSED or record.vote == Vote.DOWN


def group(records: list[QuestionRecord], similar: int = SIMILAR) -> list[Gap]:
    """Greedy grouping against each group's first wording; most counted first."""
    gaps: list[Gap] = []
    for record in (r for r in records if is_gap(r)):
        text = utils.default_process(record.question)
        gap = next((g for g in gaps if fuzz.token_set_ratio(text, utils.default_process(g.question)) >= similar),
                   None)
        if gap is None:
            gap = Gap(record.question)
            gaps.append(gap)
        if record.question not in gap.wordings:
            gap.wordings.append(record.question)
        if record.outcome == QuestionOutcome.REFUSED:
            gap.refused += 1
        else:
            gap.voted_down += 1
            gap.topics.add(record.topic_id or record.skill_id or "?")
    return sorted(gaps, key=lambda g: (-g.count, g.question.lower()))


def report(gaps: list[Gap], days: int, limit: int = 50) -> str:
    """Plain text for `skillbot content gaps`."""
    if not gaps:
        return f"No refused or voted-down questions in the last {days} days."
    lines = [f"Questions most often refused or voted down, last {days} days:", ""]
    for gap in gaps[:limit]:
        parts = [f"{gap.refused} refused"] if gap.refused else []
        if gap.voted_down:
            parts.append(f"{gap.voted_down} voted down (answered with {', '.join(sorted(gap.topics))})")
        lines.append(f"{gap.count:>4}  {gap.question}  [{'; '.join(parts)}]")
        others = [w for w in gap.wordings if w != gap.question][:3]
        if others:
            lines.append("      also: " + " | ".join(others))
    return "\n".join(lines)
