"""The adaptive placement quiz, as pure functions of the answers so far (no storage, no randomness).

It starts at mid; a right answer moves the next question up a level, a wrong one down. Questions
are chosen in a fixed order (topics spread across the skill, fewest asked first), so the same
answers always see the same questions and get the same level.
"""
from __future__ import annotations

from math import gcd

from bot.content.loader import Catalog
from bot.content.schema import Question, Skill
from bot.core.records import AnswerRecord
from bot.core.states import Level

LEVELS = (Level.ENTRY, Level.MID, Level.SENIOR)  # the question levels, lowest first
START = Level.MID
MIN_QUESTIONS, MAX_QUESTIONS = 6, 10
PASS_RATE = 0.6  # right answers at a level needed to be placed there
MIN_AT_LEVEL = 2  # answers at a level needed to be placed there
STABLE_FOR = 3  # stop early once the estimate has not changed for this many answers


def _spread(count: int) -> list[int]:
    """Topic indexes in a stride order (0, 5, 10, 2, ...) so a short quiz samples the whole skill."""
    stride = next(s for s in range(count // 2 + 1, 2 * count + 2) if gcd(s, count) == 1) if count > 1 else 1
    return [(i * stride) % count for i in range(count)]


def target_level(answers: tuple[AnswerRecord, ...]) -> Level:
    """The level of the next question: one up from the last after a right answer, one down after a wrong one."""
    if not answers:
        return START
    last = answers[-1]
    index = LEVELS.index(Level(last.level)) + (1 if last.correct else -1)
    return LEVELS[max(0, min(len(LEVELS) - 1, index))]


def next_question(catalog: Catalog, skill: Skill, answers: tuple[AnswerRecord, ...]) -> Question | None:
    """The next question, or None when the quiz is over (or the bank has run dry)."""
    if is_over(answers):
        return None
    asked = {a.question_id for a in answers}
    per_topic: dict[str, int] = {}
    for a in answers:
        per_topic[a.topic_id] = per_topic.get(a.topic_id, 0) + 1
    order = {skill.topics[i].id: rank for rank, i in enumerate(_spread(len(skill.topics)))}
    target = target_level(answers)
    # The target level first; if it has nothing left, the nearest level (lower before higher).
    for level in sorted(LEVELS, key=lambda lv: (abs(LEVELS.index(lv) - LEVELS.index(target)), LEVELS.index(lv))):
        pool = [q for t in skill.topics for q in catalog.questions_for(t.id) if q.level == level and q.id not in asked]
        if pool:
            return min(pool, key=lambda q: (per_topic.get(q.topic, 0), order[q.topic], q.id))
    return None


def estimate(answers: tuple[AnswerRecord, ...]) -> Level:
    """The highest level with enough answers there, most of them right; `new` when there is none."""
    placed = Level.NEW
    for level in LEVELS:
        at = [a for a in answers if a.level == level]
        if len(at) >= MIN_AT_LEVEL and sum(a.correct for a in at) / len(at) >= PASS_RATE:
            placed = level
    return placed


def is_over(answers: tuple[AnswerRecord, ...]) -> bool:
    """Done at MAX_QUESTIONS, or from MIN_QUESTIONS on once the estimate has settled."""
    if len(answers) >= MAX_QUESTIONS:
        return True
    if len(answers) < MIN_QUESTIONS:
        return False
    recent = {estimate(answers[:n]) for n in range(len(answers) - STABLE_FOR + 1, len(answers) + 1)}
    return len(recent) == 1


def missed_topics(answers: tuple[AnswerRecord, ...]) -> list[str]:
    """Topic ids answered wrongly, in the order they were asked, each once."""
    out: list[str] = []
    for a in answers:
        if not a.correct and a.topic_id not in out:
            out.append(a.topic_id)
    return out


def start_week(skill: Skill, answers: tuple[AnswerRecord, ...]) -> int:
    """The 1-based week to start at: the first whose topics were missed; else the first with a topic
    not shown right; else the last week (everything asked was right)."""
    missed = set(missed_topics(answers))
    for index, step in enumerate(skill.track):
        if missed & set(step.topics):
            return index + 1
    right = {a.topic_id for a in answers if a.correct}
    for index, step in enumerate(skill.track):
        if not set(step.topics) <= right:
            return index + 1
    return len(skill.track)
