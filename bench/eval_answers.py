"""Answer quality in numbers: top-1 skill and topic on a question set, and refusals on off-topic lines.

    python bench/eval_answers.py                  # the development set (tests/data/learner_questions.yaml)
    python bench/eval_answers.py --frozen         # the frozen set: report only, never tune against it
    python bench/eval_answers.py --frozen2        # the second frozen set (before ranking round 2)
    python bench/eval_answers.py --frozen3        # the third frozen set (blind, before ranking round 4)
    python bench/eval_answers.py --dev4           # development set round 4 (written blind; hostile patterns came from it)
    python bench/eval_answers.py --dev5           # development set round 5 (written blind, tuned on in round 5)
    python bench/eval_answers.py --frozen4        # the fourth frozen set (blind, before round 5): report only
    python bench/eval_answers.py --frozen5        # the fifth frozen set (blind, before round 6): report only
    python bench/eval_answers.py --dev6           # development set round 6 (everyday things and everyday senses)
    python bench/eval_answers.py --frozen6        # the sixth frozen set (blind, before round 7): report only
    python bench/eval_answers.py --dev7           # development set round 7 (long posts, everyday senses)
    python bench/eval_answers.py --round2         # only the round-2 part of the development set (casual chat)
    python bench/eval_answers.py --round3         # only the round-3 part (paraphrases, skill boundaries, short)
"""
from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import yaml

from bot.content.loader import load_catalog
from bot.content.search import Searcher

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def _lines(name: str) -> list[str]:
    return [ln.strip() for ln in (DATA / name).read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frozen", action="store_true", help="the first frozen set (2026-11-30)")
    parser.add_argument("--frozen2", action="store_true", help="the second frozen set, written before ranking round 2")
    parser.add_argument("--frozen3", action="store_true", help="the third frozen set, written blind before round 4")
    parser.add_argument("--frozen4", action="store_true", help="the fourth frozen set, written blind before round 5")
    parser.add_argument("--frozen5", action="store_true", help="the fifth frozen set, written blind before round 6")
    parser.add_argument("--frozen6", action="store_true", help="the sixth frozen set, written blind before round 7")
    parser.add_argument("--dev4", action="store_true", help="development set round 4")
    parser.add_argument("--dev5", action="store_true", help="development set round 5")
    parser.add_argument("--dev6", action="store_true", help="development set round 6")
    parser.add_argument("--dev7", action="store_true", help="development set round 7")
    parser.add_argument("--lexical", action="store_true", help="without the semantic extra, as the default install")
    parser.add_argument("--round2", action="store_true", help="only the round-2 development questions")
    parser.add_argument("--round3", action="store_true", help="only the round-3 development questions")
    args = parser.parse_args()
    searcher = Searcher(load_catalog(), semantic=not args.lexical)
    frozen = args.frozen or args.frozen2 or args.frozen3 or args.frozen4 or args.frozen5 or args.frozen6
    chosen = next((n for n in ("frozen2", "frozen3", "frozen4", "frozen5", "frozen6", "dev4", "dev5", "dev6", "dev7")
                   if getattr(args, n)), None)
    name = ("frozen_questions.yaml" if args.frozen else f"{chosen}_questions.yaml" if chosen
            else "learner_questions.yaml")
    text = (DATA / name).read_text()
    if args.round2 and not frozen:
        text = "#" + text.split("# --- round 2 dev set", 1)[1].split("# --- round 3 dev set", 1)[0]
    if args.round3 and not frozen:
        text = "#" + text.split("# --- round 3 dev set", 1)[1]
    questions = yaml.safe_load(text)
    total, skill_ok, topic_ok, topic_n = Counter(), Counter(), Counter(), Counter()
    for q in questions:
        kind = q.get("kind", "all")
        match = searcher.search(q["q"])
        for k in {kind, "all"}:
            total[k] += 1
            skill_ok[k] += match.skill_id == q["skill"]
            if "topic" in q:
                topic_n[k] += 1
                topic_ok[k] += match.topic_id == q["topic"]
    for k in sorted(total, key=lambda k: (k == "all", k)):
        topic = f"  topic {topic_ok[k]}/{topic_n[k]} = {topic_ok[k] / topic_n[k]:.1%}" if topic_n[k] else ""
        print(f"{name} {k:8s} skill {skill_ok[k]}/{total[k]} = {skill_ok[k] / total[k]:.1%}{topic}")
    refuse_files = (["hostile_lines.txt"] if args.frozen else [f"{chosen}_refuse.txt"] if chosen
                    else ["off_topic_questions.txt"])
    for f in refuse_files:
        lines = _lines(f)
        refused = sum(searcher.search(line).skill_id is None for line in lines)
        print(f"{f} refused {refused}/{len(lines)} = {refused / len(lines):.1%}")


if __name__ == "__main__":
    main()
