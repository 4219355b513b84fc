"""The frozen evaluation sets, aggregates only: this test never reports which questions fail, so
nobody tunes against them (see the headers of tests/data/frozen*_questions.yaml).

Sets 1 and 2 served as validation in ranking round 4 (choosing the semantic weights); set 3, written blind
before round 4, became validation in round 5 (its missed hostile lines were read to find classes of act).
Set 4 was written blind before round 5, set 5 before round 6 and set 6 before round 7; they are measured in
aggregate only.

Issue 11's targets are skill >= 95%, topic >= 92%, long posts >= 90% and refusals >= 95%. They are not
all met on sets 4 to 6 (the closing note gives the figures), so the test holds the line where the ranking
stands after round 7, about one point below the lower figure of the two installs (with and without the semantic
extra): a change that makes unseen questions worse fails here, with or without the extra.
"""
from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.content.search import Searcher

DATA = Path(__file__).parent / "data"

# set -> (questions, lines to refuse, floors measured 2026-11-30 after round 7, minus about one point)
FROZEN = {
    "frozen": ("frozen_questions.yaml", "hostile_lines.txt",
               {"skill": 0.93, "topic": 0.88, "long": 0.92, "refused": 0.97}),
    "frozen2": ("frozen2_questions.yaml", "frozen2_refuse.txt",
                {"skill": 0.95, "topic": 0.91, "long": 0.97, "refused": 0.98}),
    "frozen3": ("frozen3_questions.yaml", "frozen3_refuse.txt",
                {"skill": 0.945, "topic": 0.91, "long": 0.96, "refused": 0.96}),
    "frozen4": ("frozen4_questions.yaml", "frozen4_refuse.txt",
                {"skill": 0.955, "topic": 0.915, "long": 0.87, "refused": 0.93}),
    "frozen5": ("frozen5_questions.yaml", "frozen5_refuse.txt",
                {"skill": 0.945, "topic": 0.915, "long": 0.84, "refused": 0.86}),
    "frozen6": ("frozen6_questions.yaml", "frozen6_refuse.txt",
                {"skill": 0.93, "topic": 0.905, "long": 0.90, "refused": 0.875}),
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


@pytest.fixture(scope="module", params=["lexical", "semantic"])
def searcher(request, catalog) -> Searcher:
    if request.param == "semantic" and importlib.util.find_spec("wordllama") is None:
        pytest.skip("the semantic extra (wordllama) is not installed")
    built = Searcher(catalog, semantic=request.param == "semantic")
    assert built.semantic == (request.param == "semantic"), "wordllama is installed but its model did not load"
    return built


@pytest.mark.parametrize("name", sorted(FROZEN))
def test_frozen_set_holds_its_floor(searcher, name):
    questions_file, refuse_file, floors = FROZEN[name]
    figures = _figures(searcher, questions_file, refuse_file)
    summary = ", ".join(f"{k} {v:.1%} (target {TARGETS[k]:.0%})" for k, v in figures.items())
    print(f"{name}: {summary}")
    below = [k for k, floor in floors.items() if figures[k] < floor]
    assert not below, f"{name} fell below its floor in {below} (aggregates only): {summary}"
