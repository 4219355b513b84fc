"""Learner questions land on the right skill: keyword style, natural questions, casual, typos."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.content.search import Searcher

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def searcher(catalog):
    return Searcher(catalog)


def test_top1_accuracy_on_learner_questions(searcher):
    questions = yaml.safe_load((DATA / "learner_questions.yaml").read_text())
    assert len(questions) >= 60
    assert {q["skill"] for q in questions} == {s.id for s in searcher.catalog.skills}
    # The first-round set must not fall below where the content rewrite left it (93.2%); the round-2 set (casual chat, symptoms instead of terms, written
    # before round-2 changes and much harder) has its own floor.
    # The round-3 set (paraphrases, skill-boundary choices, short questions; written before round-3 changes) too.
    first, second, third = _dev_parts()
    for part, floor in ((first, 0.93), (second, 0.90), (third, 0.80)):
        misses = [(q["q"], q["skill"], searcher.search(q["q"]).skill_id) for q in part
                  if searcher.search(q["q"]).skill_id != q["skill"]]
        accuracy = 1 - len(misses) / len(part)
        assert accuracy >= floor, f"top-1 accuracy {accuracy:.1%}; misses: {misses}"


def _dev_parts():
    text = (DATA / "learner_questions.yaml").read_text()
    first, rest = text.split(ROUND2_MARKER, 1)
    second, third = rest.split(ROUND3_MARKER, 1)
    return yaml.safe_load(first), yaml.safe_load("#" + second), yaml.safe_load("#" + third)


ROUND2_MARKER = "# --- round 2 dev set"
ROUND3_MARKER = "# --- round 3 dev set"


def test_every_seed_term_is_findable(searcher):
    terms = [line.strip() for line in (DATA / "required_terms.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    missing = [t for t in terms if searcher.search(t).skill_id is None]
    assert not missing, f"not findable: {missing}"


@pytest.mark.parametrize("text,skill,topic_words", [
    ("lora", "genai", "fine"),
    ("feature store", "mlops", "feature"),
    ("shap", "responsible-ai", "explain"),
    ("how do I detect data drift in production?", "mlops", "drift"),
])
def test_topic_lookups(searcher, text, skill, topic_words):
    match = searcher.search(text)
    assert match.skill_id == skill
    assert match.topic_id and topic_words in match.topic_id


@pytest.mark.parametrize("typo,skill", [("embedings", "genai"), ("kubernets", "cloud"), ("mlpos", "mlops")])
def test_typos_land(searcher, typo, skill):
    assert searcher.search(typo).skill_id == skill


@pytest.mark.parametrize("nonsense", [
    "zxqv blorp", "banana bread recipe", "what's the weather in paris", "asdfghjkl", "🙂🙂🙂", "",
    "who won the football match yesterday",
])
def test_nonsense_is_not_answered(searcher, nonsense):
    assert searcher.search(nonsense).skill_id is None


def test_free_text_offers_alternatives(searcher):
    match = searcher.search("how do I serve an llm with low latency on gpus")
    assert match.skill_id is not None
    assert 1 <= len(match.alternatives) <= 2


def test_deterministic(searcher):
    question = "best way to version datasets and models"
    assert len({searcher.search(question) for _ in range(5)}) == 1


def test_off_topic_questions_get_i_dont_know(searcher):
    """Small talk and other subjects must not be answered with a random skill."""
    questions = [line.strip() for line in (DATA / "off_topic_questions.txt").read_text().splitlines()
                 if line.strip() and not line.startswith("#")]
    answered = [(q, searcher.search(q).skill_id) for q in questions if searcher.search(q).skill_id]
    assert len(questions) >= 30
    assert len(answered) / len(questions) <= 0.05, f"answered off-topic: {answered}"
