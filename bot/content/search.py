"""Find the skill or topic a learner means.

Three passes, most certain first: an exact name (id, alias, title, tool, keyword), a close
spelling of a short name (rapidfuzz), then BM25 ranking over all the text (SQLite FTS5 with the
porter stemmer), after correcting misspelt words against the content's own vocabulary.
"""
from __future__ import annotations

import functools
import re
import sqlite3
from dataclasses import dataclass
from itertools import pairwise

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.loader import Catalog
from bot.content.stopwords import STOPWORDS

_WORD_RE = re.compile(r"[a-z0-9+#]+")
# BM25 column weights: names, keywords, tools, skill words, explanation.
_WEIGHTS = (6.0, 4.0, 5.0, 2.0, 1.0)
_FUZZY_NAME_CUTOFF = 86
_MIN_SEARCH_SCORE = 3.0
_MIN_NAMED_SHARE = 0.5  # of the question's content words found in names, keywords or tools
_MIN_NAMED_SHARE_SEVERAL = 0.34  # when at least two of them are


@dataclass(frozen=True)
class Match:
    """The best place in the content for a question; skill_id None means nothing fits."""

    skill_id: str | None
    topic_id: str | None
    score: float
    how: str  # exact | fuzzy | search | none
    alternatives: tuple[tuple[str, str | None], ...] = ()
    suggestion: str = ""  # the name we guessed, for "did you mean"


def _typo_budget(word: str) -> int:
    """Edits (a swap counts as one) we forgive: none in short words, where one edit makes another
    word ("play"/"pay"), one up to eight letters, two beyond."""
    return 0 if len(word) < 5 else 1 if len(word) <= 8 else 2


def normalize(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


def content_words(text: str) -> list[str]:
    return [w for w in normalize(text).split() if w not in STOPWORDS]


class Searcher:
    """An in-memory index of one catalog; build once at start-up, query from any thread."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self._names: dict[str, tuple[str, str | None]] = {}
        self._display: dict[str, str] = {}
        self._build_names()
        self._name_list = list(self._names)
        self._names_by_words: dict[int, list[str]] = {}
        for name in self._name_list:
            self._names_by_words.setdefault(len(name.split()), []).append(name)
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._vocab: list[str] = []
        self._vocab_set: set[str] = set()
        self._neighbour_memo: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}
        self._build_index()

    # -- building ---------------------------------------------------------------------------
    def _claim(self, name: str, target: tuple[str, str | None], display: str) -> None:
        key = normalize(name)
        if key and key not in self._names:
            self._names[key] = target
            self._display[key] = display

    def _build_names(self) -> None:
        skills = self.catalog.skills
        for skill in skills:  # skill names win over everything
            for name in (skill.id, skill.id.replace("-", " "), skill.title, *skill.aliases):
                self._claim(name, (skill.id, None), skill.title)
        for skill in skills:
            for topic in skill.topics:
                for name in (topic.id, topic.title):
                    self._claim(name, (skill.id, topic.id), topic.title)
        for tool, target in self._tool_homes().items():
            self._claim(tool, target, tool)
        for skill in skills:
            for topic in skill.topics:
                for keyword in topic.keywords:
                    self._claim(keyword, (skill.id, topic.id), topic.title)

    def _tool_homes(self) -> dict[str, tuple[str, str]]:
        """A tool named in several topics belongs where it is most central: named in the title,
        then listed earliest."""
        best: dict[str, tuple[tuple[int, int], tuple[str, str]]] = {}
        for skill in self.catalog.skills:
            for topic in skill.topics:
                for position, tool in enumerate(topic.tools):
                    in_title = normalize(tool) in normalize(topic.title + " " + topic.id.replace("-", " "))
                    rank = (0 if in_title else 1, position)
                    if tool not in best or rank < best[tool][0]:
                        best[tool] = (rank, (skill.id, topic.id))
        return {tool: target for tool, (_, target) in best.items()}

    def _build_index(self) -> None:
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(skill_id UNINDEXED, topic_id UNINDEXED, "
            "names, keywords, tools, skill_words, body, tokenize='porter unicode61')"
        )
        rows = []
        for skill in self.catalog.skills:
            skill_words = " ".join([skill.title, skill.id.replace("-", " "), *skill.aliases])
            rows.append((skill.id, None, skill.title, "", "", skill_words, f"{skill.summary} {skill.why}"))
            for topic in skill.topics:
                rows.append((
                    skill.id, topic.id, f"{topic.title} {topic.id.replace('-', ' ')}",
                    " ; ".join(topic.keywords), " ; ".join(topic.tools), skill_words, topic.explain,
                ))
        self._db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        # Misspellings are corrected only towards names, keywords and tools: correcting towards
        # explanation prose turns "bread" into "read" and "weather" into "whether".
        words = set()
        for row in rows:
            words.update(normalize(" ".join(str(c) for c in row[2:6])).split())
        self._vocab_set = {w for w in words if w not in STOPWORDS}
        self._vocab = sorted(self._vocab_set)

    # -- querying ---------------------------------------------------------------------------
    def search(self, text: str) -> Match:
        """Deterministic: the same text always gives the same answer."""
        norm = normalize(text)
        core = " ".join(w for w in norm.split() if w not in STOPWORDS)
        for candidate in (norm, core):
            if candidate in self._names:
                skill_id, topic_id = self._names[candidate]
                return Match(skill_id, topic_id, 1.0, "exact", self._neighbours(skill_id, topic_id))
        if core and len(core.split()) <= 3:
            # Only names of as many words: a typo changes letters, not whole words ("llm evaluation
            # metrics" is not a misspelling of "evaluation metrics").
            same_length = self._names_by_words.get(len(core.split()), [])
            found = process.extractOne(core, same_length, scorer=fuzz.ratio, score_cutoff=_FUZZY_NAME_CUTOFF)
            if not found and len(core) >= 5:  # a swapped or missing letter: "mlpos", "kubernets pods"
                near = process.extractOne(core, [n for n in same_length if n[0] == core[0]],
                                          scorer=OSA.distance, score_cutoff=_typo_budget(core))
                found = (near[0], round(100 * (1 - near[1] / max(len(core), len(near[0])))), near[2]) if near else None
            if found:
                name, score, _ = found
                skill_id, topic_id = self._names[name]
                return Match(skill_id, topic_id, round(score / 100, 3), "fuzzy",
                             self._neighbours(skill_id, topic_id), suggestion=self._display[name])
        return self._rank(core.split())

    def _correct(self, word: str) -> str | None:
        if word in self._vocab_set or self._named(word):  # the latter via the stemmer: "derivative"
            return word
        if len(word) < 4:
            return None
        # People rarely mistype the first letter; requiring it keeps "football" from becoming "fallback".
        candidates = [v for v in self._vocab if v[0] == word[0]]
        found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=_typo_budget(word))
        return found[0] if found else None

    @functools.lru_cache(maxsize=8192)  # noqa: B019 - one Searcher lives as long as the process
    def _named(self, term: str) -> bool:
        """Whether a (stemmed) term occurs in some topic's names, keywords or tools (asked per word
        by both spelling correction and the on-topic check, hence the cache)."""
        row = self._db.execute(
            "SELECT 1 FROM docs WHERE docs MATCH ? LIMIT 1", (f'{{names keywords tools}} : "{term}"',)
        ).fetchone()
        return row is not None

    def _on_topic(self, words: list[str], corrected: list[str | None]) -> bool:
        """Enough of the question is about our content. A word that is a whole name, keyword or tool
        (alone or with its neighbours: "kafka", "learning rate") is strong evidence; a word that only
        occurs inside a longer keyword ("clean" of "clean code") counts only when another such word
        backs it up, so "how do i clean my oven" is not a question about clean code."""
        whole = self._whole_name_words(corrected)
        strong = weak = 0.0
        for word, term in dict(zip(words, corrected, strict=True)).items():
            if term is None:
                continue
            weight = 1.0 if term == word else 0.5  # a guessed spelling is weaker evidence
            if term in whole:
                strong += weight
            elif self._named(term):
                weak += weight
        share = (strong + weak) / max(len(set(words)), 1)
        if strong:
            return share >= _MIN_NAMED_SHARE or (strong + weak >= 2 and share >= _MIN_NAMED_SHARE_SEVERAL)
        return weak >= 2 and share >= _MIN_NAMED_SHARE

    def _whole_name_words(self, corrected: list[str | None]) -> set[str]:
        found: set[str] = set()
        for size in (1, 2, 3):
            for start in range(len(corrected) - size + 1):
                phrase = corrected[start:start + size]
                if None in phrase:
                    continue
                text = " ".join(phrase)
                if text in self._names or (size == 1 and text.endswith("s") and text[:-1] in self._names):
                    found.update(phrase)
        return found

    def _rank(self, words: list[str]) -> Match:
        corrected = [self._correct(w) for w in words[:40]]
        terms = sorted({c for c in corrected if c})
        if not terms or not self._on_topic(words[:40], corrected):
            return Match(None, None, 0.0, "none")
        # Adjacent word pairs as phrases too, so "model versioning best practices" prefers the topic
        # that says "model versioning" over one that merely says "practices".
        pairs = sorted({f"{a} {b}" for a, b in pairwise(corrected) if a and b})
        query = " OR ".join(f'"{t}"' for t in [*terms, *pairs])
        rows = self._db.execute(
            f"SELECT skill_id, topic_id, -bm25(docs, 0, 0, {', '.join(map(str, _WEIGHTS))}) AS s "
            "FROM docs WHERE docs MATCH ? ORDER BY s DESC LIMIT 12",
            (query,),
        ).fetchall()
        if not rows or rows[0][2] < _MIN_SEARCH_SCORE:
            return Match(None, None, round(rows[0][2], 3) if rows else 0.0, "none")
        best_skill, best_topic, best_score = rows[0]
        if best_topic is None:  # a skill-level document: point at its best topic when one also ranks
            best_topic = next((t for s, t, _ in rows[1:] if s == best_skill and t), None)
        alternatives = self._alternatives(rows, best_skill, best_topic)
        return Match(best_skill, best_topic, round(best_score, 3), "search", alternatives)

    @staticmethod
    def _alternatives(rows, skill_id: str, topic_id: str | None) -> tuple[tuple[str, str | None], ...]:
        seen: list[tuple[str, str | None]] = []
        for s, t, _ in rows:
            if (s, t) == (skill_id, topic_id) or t is None or (s, t) in seen:
                continue
            seen.append((s, t))
            if len(seen) == 2:
                break
        return tuple(seen)

    def _neighbours(self, skill_id: str, topic_id: str | None) -> tuple[tuple[str, str | None], ...]:
        """For an exact or fuzzy hit on a topic, the closest other topics (memoised: content is fixed)."""
        if topic_id is None:
            return ()
        key = (skill_id, topic_id)
        if key not in self._neighbour_memo:
            self._neighbour_memo[key] = self._closest_topics(skill_id, topic_id)
        return self._neighbour_memo[key]

    def _closest_topics(self, skill_id: str, topic_id: str) -> tuple[tuple[str, str | None], ...]:
        skill = self.catalog.skill(skill_id)
        topic = skill.topic(topic_id) if skill else None
        if topic is None:
            return ()
        # The topic's whole vocabulary, so neighbours share its subject, not one stray word.
        words = dict.fromkeys(content_words(" ".join([topic.title, *topic.keywords, *topic.tools])))
        related = self._rank(list(words))
        pool = ((related.skill_id, related.topic_id), *related.alternatives) if related.skill_id else ()
        return tuple(p for p in pool if p != (skill_id, topic_id) and p[1])[:2]

    def names_like(self, prefix: str, limit: int = 25) -> list[str]:
        """Display names starting with a prefix (for autocomplete), skills first."""
        key = normalize(prefix)
        return [n for n in self._name_list if n.startswith(key)][:limit]
