"""The learned opinion in search: trained on the content and quiz bank, cached per content, and never
trusted from a cache file that does not fit."""
from __future__ import annotations

import json

import pytest

from bot.content import search
from bot.content.classifier import TopicClassifier
from bot.content.loader import load_catalog
from bot.content.search import Searcher

QUESTIONS = ["how do I detect data drift in production?", "lora vs full fine-tuning for a 7b model",
             "my pandas merge doubles the rows", "how to explain a model's decision to a customer"]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.delenv("SKILLBOT_NO_CONTENT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("SKILLBOT_SEMANTIC", "0")
    monkeypatch.setattr(search, "_LEARNED", {})  # not the model an earlier test's searcher trained
    return tmp_path / "skillbot"


def _answers(searcher: Searcher) -> list[tuple[str | None, str | None]]:
    return [(m.skill_id, m.topic_id) for m in map(searcher.search, QUESTIONS)]


def test_a_cached_model_answers_exactly_like_a_freshly_trained_one(cache):
    fresh = _answers(Searcher(load_catalog()))  # the first question trains it
    saved = list(cache.glob("learned-*.json"))
    assert len(saved) == 1, "the trained model is kept for the next start"
    search._LEARNED.clear()
    again = _answers(Searcher(load_catalog()))
    assert again == fresh and all(skill for skill, _ in again)


@pytest.mark.parametrize("damage", ["{not json", json.dumps({"classes": 3, "idf": {}}), json.dumps([1, 2])])
def test_a_damaged_cache_file_is_ignored_and_the_model_retrained(cache, damage):
    expected = _answers(Searcher(load_catalog()))
    (path,) = cache.glob("learned-*.json")
    path.write_text(damage)
    search._LEARNED.clear()
    assert _answers(Searcher(load_catalog())) == expected


def test_the_model_round_trips_through_json(catalog):
    searcher = Searcher(catalog, semantic=False)
    model = TopicClassifier(searcher._examples(), len(searcher._docs))
    restored = TopicClassifier.from_state(json.loads(json.dumps(model.to_state())), len(searcher._docs))
    assert restored is not None
    candidates = range(len(searcher._docs))
    for text in QUESTIONS:
        assert restored.relative(text, candidates) == model.relative(text, candidates)
    assert TopicClassifier.from_state(model.to_state(), len(searcher._docs) + 1) is None
