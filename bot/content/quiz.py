"""Read content/quiz/<skill>.yaml, the multiple-choice bank behind placement and recall, and check it."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.content.errors import ContentError, location
from bot.content.schema import Question, QuizBank, Skill
from bot.content.side_files import YAML_LOADER

MIN_PER_TOPIC = 3


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _parse(path: Path, errors: list[ContentError]) -> QuizBank | None:
    name = f"quiz/{path.name}"
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
        return QuizBank.model_validate(data)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(ContentError(name, "", f"not valid YAML: {exc}"))
    except ValidationError as exc:
        errors.extend(ContentError(name, location(e["loc"]), e["msg"]) for e in exc.errors())
    return None


def _question_problems(q: Question, topics: set[str]) -> list[tuple[str, str]]:
    problems = []
    if q.topic not in topics:
        problems.append(("topic", f"{q.topic!r} is not a topic of this skill"))
    if q.answer >= len(q.options):
        problems.append(("answer", f"index {q.answer} but only {len(q.options)} options"))
    if len({" ".join(o.lower().split()) for o in q.options}) != len(q.options):
        problems.append(("options", "two options say the same thing"))
    return problems


def load_questions(directory: Path, skills: list[Skill], errors: list[ContentError]) -> tuple[Question, ...]:
    """Every bank under directory/quiz, validated against the skills; problems are appended to errors."""
    by_id = {s.id: s for s in skills}
    found: list[Question] = []
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for path in sorted((directory / "quiz").glob("*.yaml")):
        bank = _parse(path, errors)
        if bank is None:
            continue
        name = f"quiz/{path.name}"
        skill = by_id.get(bank.skill)
        if skill is None or bank.skill != path.stem:
            errors.append(ContentError(name, "skill", f"{bank.skill!r} must be a skill id equal to the file name"))
            continue
        topics = {t.id for t in skill.topics}
        for i, q in enumerate(bank.questions):
            where = f"questions[{i}]"
            for field, message in _question_problems(q, topics):
                errors.append(ContentError(name, f"{where}.{field}", message))
            if q.id in seen_ids:
                errors.append(ContentError(name, f"{where}.id", f"duplicate id {q.id!r} (also in {seen_ids[q.id]})"))
            if _norm(q.question) in seen_text:
                errors.append(ContentError(name, f"{where}.question", f"same question as {seen_text[_norm(q.question)]}"))
            seen_ids.setdefault(q.id, name)
            seen_text.setdefault(_norm(q.question), f"{name} {q.id}")
            found.append(q)
    _check_coverage(skills, found, errors)
    return tuple(found)


def _check_coverage(skills: list[Skill], questions: list[Question], errors: list[ContentError]) -> None:
    per_topic = Counter(q.topic for q in questions)
    for skill in skills:
        for i, topic in enumerate(skill.topics):
            if per_topic[topic.id] < MIN_PER_TOPIC:
                errors.append(ContentError(f"quiz/{skill.id}.yaml", "",
                                           f"topic {topic.id!r} has {per_topic[topic.id]} questions; "
                                           f"at least {MIN_PER_TOPIC} expected"))
