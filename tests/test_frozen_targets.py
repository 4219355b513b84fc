"""The two frozen evaluation sets, aggregates only: this test never reports which questions fail, so
nobody tunes against them (see the headers of tests/data/frozen*_questions.yaml).

Issue 11's targets are skill >= 95%, topic >= 92%, long posts >= 90% and refusals >= 95%. They are not
met yet (the closing note gives the figures), so the test holds the line where the ranking stands on
2026-11-30, one point below each measured figure: a change that makes unseen questions worse fails here.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.content.search import Searcher

DATA = Path(__file__).parent / "data"

# set -> (questions, lines to refuse, floors measured 2026-11-30 minus one point)
FROZEN = {
    "frozen": ("frozen_questions.yaml", "hostile_lines.txt",
               {"skill": 0.91, "topic": 0.85, "long": 0.88, "refused": 0.92}),
    "frozen2": ("frozen2_questions.yaml", "frozen2_refuse.txt",
                {"skill": 0.90, "topic": 0.85, "long": 0.94, "refused": 0.85}),
}
TARGETS = {"skill": 0.95, "topic": 0.92, "long": 0.90, "refused": 0.95}


def _figures(searcher: Searcher, questions_file: str, refuse_file: str) -> dict[str, float]:
    questions = yaml.safe_load((DATA / questions_file).read_text())
    total, skill_ok, topic_ok = Counter(), Counter(), Counter()
    for q in questions:
        match = searcher.search(q["q"])
        for kind in {q.get("kind", "all"), "all"}:
            total[kind] += 1
            skill_ok[kind] += match.skill_id == q["skill"]
            topic_ok[kind] += match.topic_id == q["topic"]
    lines = [ln.strip() for ln in (DATA / refuse_file).read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    return {
        "skill": skill_ok["all"] / total["all"],
        "topic": topic_ok["all"] / total["all"],
        "long": skill_ok["long"] / total["long"],
        "refused": sum(searcher.search(line).skill_id is None for line in lines) / len(lines),
    }


@pytest.fixture(scope="module")
def searcher(catalog) -> Searcher:
    return Searcher(catalog)


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_frozen_set_holds_its_floor(searcher, name):
    questions_file, refuse_file, floors = FROZEN[name]
    figures = _figures(searcher, questions_file, refuse_file)
    summary = ", ".join(f"{k} {v:.1%} (target {TARGETS[k]:.0%})" for k, v in figures.items())
    print(f"{name}: {summary}")
    below = [k for k, floor in floors.items() if figures[k] < floor]
    assert not below, f"{name} fell below its floor in {below} (aggregates only): {summary}"
