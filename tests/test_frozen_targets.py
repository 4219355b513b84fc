"""The frozen evaluation set meets the targets. Aggregates only: this test never reports which questions
fail, so nobody tunes against it (see tests/data/frozen_questions.yaml)."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.content.search import Searcher

DATA = Path(__file__).parent / "data"


@pytest.mark.skipif(not (DATA / "frozen_questions.yaml").exists(), reason="no frozen set")
@pytest.mark.xfail(strict=False, reason="2026-11-30 on pre-rewrite content: skill 81.9%, topic 69.9%, long 86.2%, "
                   "refused 93.4%; the new topics (reasoning models, structured outputs, ...) are not in content yet")
def test_frozen_set_meets_targets(catalog):
    searcher = Searcher(catalog)
    questions = yaml.safe_load((DATA / "frozen_questions.yaml").read_text())
    total, skill_ok, topic_ok = Counter(), Counter(), Counter()
    for q in questions:
        match = searcher.search(q["q"])
        for kind in {q.get("kind", "all"), "all"}:
            total[kind] += 1
            skill_ok[kind] += match.skill_id == q["skill"]
            topic_ok[kind] += "topic" in q and match.topic_id == q["topic"]
    lines = [ln.strip() for ln in (DATA / "hostile_lines.txt").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    refused = sum(searcher.search(line).skill_id is None for line in lines) / len(lines)
    figures = {
        "skill": skill_ok["all"] / total["all"],
        "topic": topic_ok["all"] / total["all"],
        "long": skill_ok["long"] / total["long"] if total["long"] else 1.0,
        "refused": refused,
    }
    summary = ", ".join(f"{k} {v:.1%}" for k, v in figures.items())
    print(f"frozen: {summary}")
    failed = [k for k, target in (("skill", 0.95), ("topic", 0.92), ("long", 0.90), ("refused", 0.95))
              if figures[k] < target]
    assert not failed, f"below target (aggregates only): {summary}"
