"""Find the skill or topic a learner means.

Passes, most certain first:

1. Hostile text (prompt injection, requests for secrets, mass mentions) is refused outright.
2. An exact name: id, alias, title, tool, keyword, or the distinctive word of a multi-word tool
   ("presidio" of "Microsoft Presidio"), with or without the question's filler ("what is deep learning").
3. A close spelling of a short name (rapidfuzz), only when the question holds a word that is not English.
4. Ranking: every word is weighted by how rare it is in the content (IDF) and how rare it is in
   ordinary English, so distinctive words ("kubernetes", "presidio") outweigh incidental ones ("papers",
   "worth"); in a long post the sentence that asks carries the weight, the background much less;
   multi-word names score as phrases on their own words. A question is refused when too little of it,
   by that same weight, is vocabulary the content knows.

Stemming uses SQLite's FTS5 porter tokenizer, so "embeddings" and "embedding" meet.

5. The documents the ranking found are re-ordered by their lexical score plus a classifier's opinion,
   trained at start-up on the content, its quiz bank and how learners ask (content/asks/; bot/content/classifier.py), plus, with the
   optional `semantic` extra, how close the question is in meaning (bot/content/semantic.py). They only
   re-order what the words found; the extra also refuses our words used in everyday life.
"""
from __future__ import annotations

import functools
import math
import re
import sqlite3
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

from bot.content.chat import ChatExpander
from bot.content.classifier import TopicClassifier
from bot.content.english_words import RANK as ENGLISH_RANK
from bot.content.everyday import EVERYDAY
from bot.content.hostile import is_hostile
from bot.content.loader import Catalog
from bot.content.semantic import Semantic
from bot.content.stopwords import FUNCTION_WORDS, SOFT_WORDS, STOPWORDS

_WORD_RE = re.compile(r"[a-z0-9+#]+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.?!])\s+|\n+")
_ASKING = re.compile(
    r"\?\s*$|^\W*(?:how|what|whats|what's|why|which|when|where|who|can|could|should|shall|is|are|do|does|did|"
    r"would|will|any|anyone|anybody|pls|please|help|tips|advice|recommend|explain|tell)\b|"
    r"\b(?:i|we)\s+(?:need|want|would like|wanna|am trying|'m trying|are trying|have to)\b|"
    r"\b(?:how do|how can|how should|how to|what is|what are|is there|any advice|any tips|looking for)\b",
    re.IGNORECASE,
)
_ENGLISH_SIZE = len(ENGLISH_RANK)
# Field weights: names (titles, ids), tools, keywords, skill words (shared by a skill's topics), prose.
_TERMS_WEIGHT = 1.0  # the glossary: the field's vocabulary, a little below the keywords learners ask with
_FIELD_WEIGHTS = {"names": 3.0, "tools": 3.0, "keywords": 2.5, "terms": _TERMS_WEIGHT, "skill": 2.0, "body": 0.7}
_PHRASE_WEIGHT = 1.5  # extra per matched multi-word name, times the weight of its words
_CONTEXT_WEIGHT = 0.25  # background sentences of a long post, against 1.0 for the sentence that asks
_TITLE_WEIGHT = 1.0  # the question names a skill by its title words
# Shares of the re-ordering, against 1.0 for the lexical score relative to the best. Chosen on development and
# validation questions, never on a frozen set.
_MEANING_WEIGHT = 1.0
_LEARNED_WEIGHT = 1.5  # the classifier (bot/content/classifier.py): content, quiz bank and learner phrasings
_MIN_MEANING = 0.22  # below this closeness to every document, a lexical match is refused
_EVERYDAY_MARGIN = 0.05  # closer than this to a domain of everyday life than to any document: refused
_JARGON_SPEC = 0.95  # a word this rare in everyday English is technical ("lstm", "churn", "classifier")
_FUZZY_NAME_CUTOFF = 86
_MIN_SCORE = 1.2
_MIN_COVERAGE = 0.55  # weighted share of the question that is known vocabulary
_MIN_COVERAGE_RICH = 0.3  # ... when the question holds a lot of known vocabulary
_RICH_MASS = 2.2
_NAME_WORD_SPEC = 0.6
_JARGON_NAME_SPEC = 0.7  # names of ours this rare in English outweigh an everyday word when there are two
_EVIDENCE_SPEC = 0.7  # a name of ours at least this rare in English is evidence against an everyday sense
_CONCRETE_SPEC = 0.5  # an English word this rare (outside the ~750 commonest) names a thing or a field
_CONCRETE_WEIGHT = 1.3  # such a word, unknown to the content, counts this much more against a question
_UNKNOWN_TOKEN = 0.6  # weight against a question of a token neither English nor in the content (jargon, noise)
_JARGON_DOCS = 2
_NUMBER_TOKEN = 0.1  # weight against a question of a number the content does not know
_ENGLISH_FIX_TOP = 10000  # everyday words a slip is mapped back to
_SUBJECT_OPENER = re.compile(r"^\W*(?:so\s+|ok\s+|hey\s+)?(?:what\s+(?:is|are|does)|what'?s|explain|define|tell\s+me\s+about)"
                             r"\s+(?:an?\s+|the\s+)?(.+)$", re.IGNORECASE | re.DOTALL)
_COHESION = 2  # distinct question words naming one topic
# Words the chosen topic's own text, quiz bank and learner phrasings use, as a weighted share of the question's
# words: below this, our word is being used in another sense ("my parquet floor squeaks near the door").
_MIN_SUPPORT = 0.4
_SUPPORT_MIN_WORDS = 4  # short questions say too little to judge this way
_SUPPORT_MIN_SPEC = 0.45  # English words this common say nothing about the sense either way
_STRONG_TITLE_SPEC = 0.6  # title words rarer than everyday English count alone


@dataclass(frozen=True)
class Match:
    """The best place in the content for a question; skill_id None means nothing fits."""

    skill_id: str | None
    topic_id: str | None
    score: float
    how: str  # exact | fuzzy | search | none | refused
    alternatives: tuple[tuple[str, str | None], ...] = ()
    suggestion: str = ""  # the name we guessed, for "did you mean"


REFUSED = Match(None, None, 0.0, "refused")
_LEARNED: dict[str, TopicClassifier] = {}  # the classifier of the content loaded last, shared by its searchers


def _typo_budget(word: str) -> int:
    """Edits (a swap counts as one) we forgive: none in short words, where one edit makes another
    word ("play"/"pay"), one up to eight letters, two beyond."""
    return 0 if len(word) < 5 else 1 if len(word) <= 8 else 2


@functools.lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    return " ".join(_WORD_RE.findall(text.lower()))


def content_words(text: str) -> list[str]:
    return [w for w in normalize(text).split() if w not in STOPWORDS]


def _strip(text: str, words: frozenset[str]) -> str:
    return " ".join(w for w in normalize(text).split() if w not in words)


@functools.lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """How much a word says about a subject, from how common it is in English: 1.0 for words outside
    the 30,000 most frequent ("kubernetes", "presidio"), about 0.5 for everyday words ("worth")."""
    rank = ENGLISH_RANK.get(word)
    if rank is None:
        return 1.0
    share = math.log(rank + 2) / math.log(_ENGLISH_SIZE + 2)
    return 0.15 + 0.85 * share * share


def is_english(word: str) -> bool:
    return word in ENGLISH_RANK


@dataclass
class _Doc:
    skill_id: str
    topic_id: str | None


class Searcher:
    """An in-memory index of one catalog; build once at start-up, query from any thread."""

    def __init__(self, catalog: Catalog, semantic: bool = True):
        self.catalog = catalog
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute("CREATE VIRTUAL TABLE stem USING fts5(w, tokenize='porter unicode61')")
        self._db.execute("CREATE VIRTUAL TABLE stem_v USING fts5vocab(stem, 'instance')")
        self._lock = threading.Lock()
        self._stem_cache: dict[str, str] = {}
        self._english_by_letter: dict[str, list[str]] | None = None
        self._names: dict[str, tuple[str, str | None]] = {}
        self._display: dict[str, str] = {}
        self._build_names()
        self._name_list = list(self._names)
        self._names_by_words: dict[int, list[str]] = {}
        for name in self._name_list:
            self._names_by_words.setdefault(len(name.split()), []).append(name)
        self._neighbour_memo: dict[tuple[str, str], tuple[tuple[str, str | None], ...]] = {}
        # Chat spellings are written out, except inside a name the content uses ("pr auc").
        pairs = {(words[i], words[i + 1]) for name in self._name_list if len(words := name.split()) > 1
                 for i in range(len(words) - 1)}
        self._expand = ChatExpander(frozenset(pairs))
        self._build_index()
        self._semantic = Semantic.build(self._meaning_views(), len(self._docs)) if semantic else None
        self._homonym_words = {n: c for n, c in catalog.homonyms.items() if " " not in n}
        self._homonym_phrases = [(n, c) for n, c in catalog.homonyms.items() if " " in n]
        self._learned_model: TopicClassifier | None = None  # on first use, like the quiz bank it learns from
        self._learned_lock = threading.Lock()

    @property
    def semantic(self) -> bool:
        return self._semantic is not None

    def _learned(self) -> TopicClassifier:
        if self._learned_model is None:
            with self._learned_lock:
                if self._learned_model is None:
                    self._learned_model = self._load_learned()
        return self._learned_model

    def _load_learned(self) -> TopicClassifier:
        """Train the classifier, or reuse the one trained on the very same content before: in this process,
        else from the user's cache folder (training needs the quiz bank, whose reading is most of it)."""
        import hashlib
        import json

        from bot.content.loader import cache_dir, save_in_cache
        fingerprint = self.catalog.fingerprint
        if not fingerprint:
            return TopicClassifier(self._examples(), len(self._docs))
        docs = "\n".join(f"{d.skill_id}/{d.topic_id}" for d in self._docs)
        key = hashlib.sha256(f"{fingerprint}\n{TopicClassifier.VERSION}\n{docs}".encode()).hexdigest()[:32]
        if key in _LEARNED:
            return _LEARNED[key]
        folder = cache_dir()
        path = folder / f"learned-{key}.json" if folder else None
        model = None
        if path is not None:
            try:
                model = TopicClassifier.from_state(json.loads(path.read_text(encoding="utf-8")), len(self._docs))
            except (OSError, ValueError):
                model = None
        if model is None:
            model = TopicClassifier(self._examples(), len(self._docs))
            if path is not None:
                state = json.dumps(model.to_state())
                save_in_cache(path, lambda tmp: tmp.write_text(state, encoding="utf-8"))
        _LEARNED.clear()  # one content at a time: a reload replaces it
        _LEARNED[key] = model
        return model

    def _examples(self) -> list[tuple[int, str]]:
        """Labelled text for the learned opinion: each document's own text, and the quiz bank."""
        index = {(doc.skill_id, doc.topic_id): i for i, doc in enumerate(self._docs)}
        topic_doc = {doc.topic_id: i for i, doc in enumerate(self._docs) if doc.topic_id}
        examples: list[tuple[int, str]] = []
        for skill in self.catalog.skills:
            examples.append((index[(skill.id, None)], " ".join([skill.title, skill.summary, *skill.aliases])))
            for topic in skill.topics:
                doc = index[(skill.id, topic.id)]
                examples += [(doc, topic.title), (doc, topic.explain), (doc, " ".join(topic.keywords)),
                             (doc, " ".join(topic.tools))]
        examples += [(topic_doc[q.topic], f"{q.question} {q.explain}") for q in self.catalog.questions
                     if q.topic in topic_doc]
        examples += [(topic_doc[topic_id], term) for term, topic_id in self.catalog.glossary.items()
                     if topic_id in topic_doc]
        examples += [(topic_doc[topic_id], text) for topic_id, texts in self.catalog.asks.items()
                     if topic_id in topic_doc for text in texts]
        return examples

    def _meaning_views(self) -> list[tuple[int, str]]:
        views: list[tuple[int, str]] = []
        for index, doc in enumerate(self._docs):
            skill = next(s for s in self.catalog.skills if s.id == doc.skill_id)
            topic = skill.topic(doc.topic_id) if doc.topic_id else None
            texts = ([topic.title, *topic.keywords, *topic.tools, topic.explain] if topic
                     else [skill.title, skill.summary, *skill.aliases])
            views.extend((index, text) for text in texts)
        return views

    # -- stemming ---------------------------------------------------------------------------
    def _stems(self, words: list[str]) -> list[str]:
        missing = [w for w in dict.fromkeys(words) if w not in self._stem_cache]
        if missing:
            with self._lock:
                if len(self._stem_cache) > 200_000:
                    self._stem_cache.clear()
                self._db.executemany("INSERT INTO stem(rowid, w) VALUES (?, ?)",
                                     [(i + 1, w) for i, w in enumerate(missing)])
                found = {doc: term for term, doc, off in
                         self._db.execute("SELECT term, doc, offset FROM stem_v WHERE offset = 0")}
                self._db.execute("DELETE FROM stem")
            for i, word in enumerate(missing):
                self._stem_cache[word] = word if ("+" in word or "#" in word) else found.get(i + 1, word)
        return [self._stem_cache[w] for w in words]

    def _load_stems(self, words: list[str]) -> None:
        """Stem the content's words, reusing the stems saved for the very same word list (plain JSON in the
        user's cache folder; the start-up of `skillbot ask` is mostly this kind of work)."""
        import hashlib
        import json

        from bot.content.loader import cache_dir, save_in_cache
        key = hashlib.sha256("\n".join(words).encode()).hexdigest()[:32]
        folder = cache_dir()
        path = folder / f"stems-{key}.json" if folder else None
        if path is not None:
            try:
                saved = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(saved, dict) and all(isinstance(saved.get(w), str) for w in words):
                    self._stem_cache.update({w: saved[w] for w in words})
                    return
            except (OSError, ValueError):
                pass
        stems = self._stems(words)
        if path is not None:
            content = json.dumps(dict(zip(words, stems, strict=True)))
            save_in_cache(path, lambda tmp: tmp.write_text(content, encoding="utf-8"))

    # -- building ---------------------------------------------------------------------------
    def _claim(self, name: str, target: tuple[str, str | None], display: str) -> None:
        for key in (normalize(name), _strip(name, FUNCTION_WORDS)):
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
                for name in (topic.id, topic.id.replace("-", " "), topic.title):
                    self._claim(name, (skill.id, topic.id), topic.title)
        # A keyword is a curator saying "learners type this for this topic"; a tool list is looser (the
        # same tool is named wherever it is used), so keywords claim a name before tools do.
        for skill in skills:
            for topic in skill.topics:
                for keyword in topic.keywords:
                    self._claim(keyword, (skill.id, topic.id), topic.title)
        homes = self._tool_homes()
        for tool, target in homes.items():
            self._claim(tool, target, tool)
        owner = {topic.id: skill.id for skill in skills for topic in skill.topics}
        for term, topic_id in self.catalog.glossary.items():
            if topic_id in owner:
                self._claim(term, (owner[topic_id], topic_id), term)
        # The distinctive word of a multi-word tool ("presidio" of "Microsoft Presidio"): not English,
        # not filler, and in no other tool's name.
        owners: dict[str, set[str]] = defaultdict(set)
        for tool in homes:
            for word in normalize(tool).split():
                owners[word].add(tool)
        for tool, target in homes.items():
            words = normalize(tool).split()
            if len(words) < 2:
                continue
            for word in words:
                if (len(word) >= 3 and not word.isdigit() and word not in STOPWORDS and not is_english(word)
                        and len(owners[word]) == 1):
                    self._claim(word, target, tool)

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
        docs: list[_Doc] = []
        fields: list[dict[str, list[str]]] = []  # per doc, per field: the phrases (one string each)
        terms_of: dict[str, list[str]] = defaultdict(list)
        for term, topic_id in self.catalog.glossary.items():
            terms_of[topic_id].append(term)
        for skill in self.catalog.skills:
            skill_words = [skill.title, skill.id.replace("-", " "), *skill.aliases]
            levels = skill.levels
            prose = [skill.summary, skill.why, *levels.entry, *levels.mid, *levels.senior,
                     *(step.title for step in skill.track)]
            docs.append(_Doc(skill.id, None))
            fields.append({"names": [skill.title], "keywords": [], "tools": [], "terms": [], "skill": skill_words,
                           "body": prose})
            for topic in skill.topics:
                docs.append(_Doc(skill.id, topic.id))
                fields.append({"names": [topic.title, topic.id.replace("-", " ")], "keywords": list(topic.keywords),
                               "tools": list(topic.tools), "terms": terms_of[topic.id], "skill": skill_words,
                               "body": [topic.explain]})
        self._docs = docs
        all_words = {w for text in {p for f in fields for phrases in f.values() for p in phrases}
                     for w in normalize(text).split()}
        self._load_stems(sorted(all_words))
        cache = self._stem_cache

        n = len(docs)
        tf: list[dict[str, Counter]] = []
        phrases: dict[str, list[tuple[tuple[str, ...], int]]] = defaultdict(list)
        strong: set[str] = set()
        named: set[str] = set()
        jargon: set[tuple[str, int]] = set()  # (stem, doc) of words outside English in names and keywords
        named_docs: dict[str, set[int]] = defaultdict(set)
        phrase_seen: set[tuple[tuple[str, ...], int]] = set()
        surface: set[str] = set()
        for index, f in enumerate(fields):
            counts = {}
            for field, texts in f.items():
                c: Counter = Counter()
                for text in texts:
                    words = [w for w in normalize(text).split() if w not in FUNCTION_WORDS]
                    stems = [cache[w] for w in words]
                    c.update(stems)
                    if field == "body":
                        continue
                    surface.update(w for w in words if w not in STOPWORDS)
                    core = [s for s, w in zip(stems, words, strict=True) if w not in SOFT_WORDS]
                    jargon.update((s, index) for s, w in zip(stems, words, strict=True)
                                  if len(w) >= 3 and not w.isdigit() and not is_english(w) and w not in STOPWORDS)
                    # The glossary's words score and make phrases, but an ordinary word of one of its terms
                    # ("power" of "statistical power") does not make a question ours.
                    if field != "terms" or len(stems) == 1:
                        named.update(core)
                        for stem in core:
                            named_docs[stem].add(index)
                    if len(stems) == 1 and (field != "terms" or specificity(words[0]) >= _STRONG_TITLE_SPEC):
                        strong.update(core)
                    elif field in ("names", "skill"):  # a title's ordinary words ("speech", "write") need backing
                        strong.update(s for s, w in zip(stems, words, strict=True)
                                      if w not in SOFT_WORDS and specificity(w) >= _STRONG_TITLE_SPEC)
                    if 2 <= len(stems) <= 6 and (tuple(stems), index) not in phrase_seen:
                        phrase_seen.add((tuple(stems), index))
                        phrases[stems[0]].append((tuple(stems), index))
                counts[field] = c
            tf.append(counts)
        soft_stems = set(self._stems(sorted(SOFT_WORDS)))
        # Jargon that only ever appears inside longer names of one or two documents ("auc" of "roc auc" and
        # "pr auc") is as telling alone as a name.
        jargon_docs: dict[str, set[int]] = defaultdict(set)
        for stem, index in jargon:
            jargon_docs[stem].add(index)
        strong.update(st for st, d in jargon_docs.items() if len(d) <= _JARGON_DOCS)
        strong -= soft_stems
        named -= soft_stems
        df: Counter = Counter()  # over topic documents, leaving out the words every topic of a skill shares
        skill_df: Counter = Counter()  # over skills, for those shared words
        for index, counts in enumerate(tf):
            df.update({s for field, c in counts.items() if field != "skill" for s in c})
            if docs[index].topic_id is None:
                skill_df.update(counts["skill"])
        skill_n = len(self.catalog.skills)
        self._idf = {s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in df.items()}
        skill_idf = {s: math.log(1 + (skill_n - d + 0.5) / (d + 0.5)) for s, d in skill_df.items()}
        phrase_df: Counter = Counter(p for entries in phrases.values() for p, _ in entries)
        self._phrase_idf = {p: math.log(1 + (n - d + 0.5) / (d + 0.5)) for p, d in phrase_df.items()}
        # Postings: stem -> [(doc, strength)], strength the best field weight plus a little for the others.
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        body_len = [max(sum(c["body"].values()), 1) for c in tf]
        avg_body = sum(body_len) / n
        for index, counts in enumerate(tf):
            per_stem: dict[str, list[float]] = defaultdict(list)
            for field, c in counts.items():
                for s, k in c.items():
                    idf = skill_idf.get(s, 0.0) if field == "skill" else self._idf.get(s, 0.0)
                    if field == "body":
                        norm = 1.2 * (0.25 + 0.75 * body_len[index] / avg_body)
                        per_stem[s].append(idf * _FIELD_WEIGHTS[field] * k * 2.2 / (k + norm))
                    else:
                        per_stem[s].append(idf * _FIELD_WEIGHTS[field])
            for s, weights in per_stem.items():
                weights.sort(reverse=True)
                postings[s].append((index, weights[0] + 0.2 * sum(weights[1:])))
        self._postings = dict(postings)
        self._phrases = dict(phrases)
        self._strong = strong
        self._named = named
        self._named_docs = dict(named_docs)
        self._vocab = sorted(surface)
        self._vocab_set = set(surface)
        self._vocab_by_letter: dict[str, list[str]] = defaultdict(list)
        for word in self._vocab:
            self._vocab_by_letter[word[0]].append(word)
        self._known_stems = set(df) | set(skill_df)
        # A skill's own title words ("system design", "cloud"), for a bonus when the question names them.
        self._skill_titles: list[tuple[str, tuple[str, ...], float]] = []
        for skill in self.catalog.skills:
            title_words = [w for w in normalize(skill.title).split() if w not in STOPWORDS]
            title_stems = tuple(dict.fromkeys(self._stems(title_words)))
            if title_stems:
                self._skill_titles.append((skill.id, title_stems,
                                           float(sum(skill_idf.get(x, 0.0) for x in title_stems))))
        self._doc_index = {(doc.skill_id, doc.topic_id): index for index, doc in enumerate(docs)}
        self._docs_of_skill: dict[str, list[int]] = defaultdict(list)
        for index, doc in enumerate(docs):
            self._docs_of_skill[doc.skill_id].append(index)

    # -- querying ---------------------------------------------------------------------------
    def search(self, text: str) -> Match:
        """Deterministic: the same text always gives the same answer."""
        if is_hostile(text):
            return REFUSED
        text = self._expand(text[:4000])
        norm = normalize(text)
        for candidate in dict.fromkeys((norm, _strip(norm, FUNCTION_WORDS), _strip(norm, STOPWORDS))):
            if candidate in self._names:
                skill_id, topic_id = self._names[candidate]
                return Match(skill_id, topic_id, 1.0, "exact", self._neighbours(skill_id, topic_id))
        core = _strip(norm, STOPWORDS)
        split = " ".join(w for w, _ in self._split_joined_words([(w, 1.0) for w in core.split()]))
        if split != core and split in self._names:  # "batchnorm", "pvalue": a name typed as one word
            skill_id, topic_id = self._names[split]
            return Match(skill_id, topic_id, 1.0, "exact", self._neighbours(skill_id, topic_id))
        words = core.split()
        if core and len(words) <= 3 and any(self._unknown(w) for w in words):
            found = self._fuzzy_name(core)
            if found:
                return found
        return self._rank(text)

    def _unknown(self, word: str) -> bool:
        """Neither the content's vocabulary nor an English word: likely a typo."""
        return word not in self._vocab_set and not is_english(word) and not word.isdigit()

    def _fuzzy_name(self, core: str) -> Match | None:
        # Only names of as many words: a typo changes letters, not whole words ("llm evaluation
        # metrics" is not a misspelling of "evaluation metrics").
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA
        same_length = self._names_by_words.get(len(core.split()), [])
        found = process.extractOne(core, same_length, scorer=fuzz.ratio, score_cutoff=_FUZZY_NAME_CUTOFF)
        if not found and len(core) >= 5:  # a swapped or missing letter: "mlpos", "kubernets pods"
            near = process.extractOne(core, [n for n in same_length if n[0] == core[0]],
                                      scorer=OSA.distance, score_cutoff=_typo_budget(core))
            found = (near[0], round(100 * (1 - near[1] / max(len(core), len(near[0])))), near[2]) if near else None
        if not found:
            return None
        name, score, _ = found
        skill_id, topic_id = self._names[name]
        return Match(skill_id, topic_id, round(score / 100, 3), "fuzzy",
                     self._neighbours(skill_id, topic_id), suggestion=self._display[name])

    _BRITISH = ((re.compile(r"is(e|es|ed|ing|ation|ations|er|ers)$"), r"iz\1"), (re.compile(r"yse(s|d)?$"), r"yze\1"),
                (re.compile(r"our(s|ed|ing)?$"), r"or\1"), (re.compile(r"tre(s)?$"), r"ter\1"),
                (re.compile(r"ogue(s)?$"), r"og\1"), (re.compile(r"lling$"), "ling"), (re.compile(r"lled$"), "led"))

    def _english_fix(self, word: str) -> str:
        """A word neither the content nor English knows, written as either knows it: British spelling
        ("minimise", "behaviour") or a slip on an everyday word ("realyl", "stuk", "woemn"), so it neither
        counts against the question nor gets "corrected" into a content word."""
        if word in self._vocab_set or len(word) < 4 or not word.isalpha():
            return word
        english = is_english(word)
        for pattern, repl in self._BRITISH:
            american = pattern.sub(repl, word)
            if american != word and (american in self._vocab_set or (not english and is_english(american))):
                return american
        if english:
            return word
        if self._near_vocab(word):
            return word  # a typo of a content word: _correct handles it
        found = self._english_neighbour(word)
        return found or word

    def _near_vocab(self, word: str) -> bool:
        from rapidfuzz import process
        from rapidfuzz.distance import OSA
        return process.extractOne(word, self._vocab_by_letter.get(word[0], []), scorer=OSA.distance,
                                  score_cutoff=_typo_budget(word)) is not None

    def _english_neighbour(self, word: str) -> str | None:
        """The most frequent common English word one edit away (same first letter)."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA
        if self._english_by_letter is None:
            table: dict[str, list[str]] = defaultdict(list)
            for w, rank in ENGLISH_RANK.items():
                if rank < _ENGLISH_FIX_TOP and len(w) >= 3 and w.isalpha():
                    table[w[0]].append(w)
            self._english_by_letter = dict(table)
        hits = process.extract(word, self._english_by_letter.get(word[0], []), scorer=OSA.distance,
                               score_cutoff=1, limit=5)
        if not hits:
            return None
        return min(hits, key=lambda h: (h[1], ENGLISH_RANK[h[0]]))[0]

    def _correct(self, word: str) -> tuple[str, bool]:
        """The word as the content spells it, and whether it was changed. Real English words are
        never "corrected" ("pilot" is not a misspelt "pivot")."""
        if word in self._vocab_set or is_english(word) or word.isdigit() or len(word) < 4:
            return word, False
        from rapidfuzz import process
        from rapidfuzz.distance import OSA
        found = process.extractOne(word, self._vocab_by_letter.get(word[0], []), scorer=OSA.distance,
                                   score_cutoff=_typo_budget(word))
        return (found[0], True) if found else (word, False)

    def _weighted_words(self, text: str) -> list[tuple[str, float]]:
        """The question's words (function words dropped), each with the weight of its sentence."""
        sentences = [s for s in _SENTENCE_SPLIT.split(text) if s.strip()]
        total = len(normalize(text).split())
        if len(sentences) < 2 or total < 18:
            return [(w, 1.0) for w in normalize(text).split() if w not in FUNCTION_WORDS]
        asking = [bool(_ASKING.search(s)) for s in sentences]
        if not any(asking):
            asking[-1] = True
        out: list[tuple[str, float]] = []
        for sentence, asks in zip(sentences, asking, strict=True):
            weight = 1.0 if asks else _CONTEXT_WEIGHT
            out.extend((w, weight) for w in normalize(sentence).split() if w not in FUNCTION_WORDS)
        return out

    def _join_split_words(self, weighted: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """A word typed in two pieces ("eigen vectors", "hyper parameters") joined when the content knows
        the whole and not both pieces."""
        out: list[tuple[str, float]] = []
        i = 0
        while i < len(weighted):
            if i + 1 < len(weighted):
                a, b = weighted[i][0], weighted[i + 1][0]
                joined = a + b
                if (joined in self._vocab_set and not (a in self._vocab_set and b in self._vocab_set)
                        and len(a) >= 2 and len(b) >= 2):
                    out.append((joined, weighted[i][1]))
                    i += 2
                    continue
            out.append(weighted[i])
            i += 1
        return out

    def _subject(self, text: str) -> int | None:
        """The document named right after "what is" / "explain": what the question is about ("what is deep
        learning and how is it different from machine learning" is about deep learning)."""
        opened = _SUBJECT_OPENER.match(text)
        if not opened:
            return None
        words = normalize(opened.group(1)).split()
        for size in range(min(8, len(words)), 0, -1):
            target = self._names.get(" ".join(words[:size]))
            if target:
                # the whole subject, not the start of a longer one ("learning rate" of "learning rate warmup")
                return self._doc_index.get(target) if size == len(words) or words[size] in STOPWORDS else None
        return None

    def _everyday_sense(self, words: list[str], stems: list[str], keep: list[bool], in_phrase: list[bool]) -> bool:
        """A name of ours used in its everyday sense: a cue of that sense stands in the question ("rust" with "pan",
        "kafka" with "novel") and no other word of the question is ours (content/homonyms.yaml)."""
        if not self._homonym_words and not self._homonym_phrases:
            return False
        present = set(words) | {w[:-1] for w in words if w.endswith("s")}
        named: set[str] = set()  # the words of the names used in their everyday sense, and those senses' cues
        for word in words:
            found = self._homonym_words.get(word)
            if found and found & present:
                named |= found | {word}
        padded = f" {' '.join(words)} "
        for phrase, found in self._homonym_phrases:
            if f" {phrase} " in padded and found & present:
                named |= found | set(phrase.split())
        if not named:
            return False
        # Another word of ours says the question is ours after all: a distinctive name ("dataframe", "lag") or a
        # multi-word name; everyday-rare words of ours that are common English ("join", "track") do not.
        return not any(keep[i] and words[i] not in named
                       and (in_phrase[i] or (stems[i] in self._strong and specificity(words[i]) >= _EVIDENCE_SPEC))
                       for i in range(len(words)))

    def _split_joined_words(self, weighted: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """A name typed as one word ("batchnorm", "layernorm", "learningrate") split into the name the content
        uses, when the word is neither ours nor English and its two halves make one of our names."""
        out: list[tuple[str, float]] = []
        for word, weight in weighted:
            if len(word) >= 6 and word.isalpha() and word not in self._vocab_set and not is_english(word):
                halves = next(((word[:i], word[i:]) for i in range(1, len(word) - 1)
                               if f"{word[:i]} {word[i:]}" in self._names), None)
                if halves:
                    out.extend((half, weight) for half in halves)
                    continue
            out.append((word, weight))
        return out

    def _rank(self, text: str) -> Match:
        weighted = [(w, k) for w, k in ((self._english_fix(w), k)
                                        for w, k in self._split_joined_words(
                                            self._join_split_words(self._weighted_words(text)[:120])))
                    if w not in FUNCTION_WORDS]
        if not weighted:
            return Match(None, None, 0.0, "none")
        words = [w for w, _ in weighted]
        corrected = [self._correct(w) for w in words]
        stems = self._stems([c for c, _ in corrected])
        # Multi-word names found in the question, on the words as written (soft words included).
        in_phrase = [False] * len(stems)
        phrase_hits: list[tuple[int, int, int]] = []  # (doc, start, length)
        for start, s in enumerate(stems):
            for phrase, doc in self._phrases.get(s, ()):
                size = len(phrase)
                if tuple(stems[start:start + size]) == phrase:
                    phrase_hits.append((doc, start, size))
                    for i in range(start, start + size):
                        in_phrase[i] = True
        keep = [not (w in SOFT_WORDS and not in_phrase[i]) for i, w in enumerate(words)]
        if not any(keep):  # nothing but filler ("what should I learn next"): let the filler speak
            keep = [True] * len(words)
        if self._everyday_sense(words, stems, keep, in_phrase):
            return Match(None, None, 0.0, "none")
        # Per distinct stem: its weight in the question (the best sentence it occurs in).
        term_weight: dict[str, float] = {}
        importance = known = 0.0
        everyday = False
        seen: set[tuple[str, float]] = set()
        query_stems = {st for st, k in zip(stems, keep, strict=True) if k}
        for i, (word, sentence_weight) in enumerate(weighted):
            if not keep[i]:
                continue
            stem, changed = stems[i], corrected[i][1]
            spec = specificity(corrected[i][0]) * sentence_weight * (0.8 if changed else 1.0)
            if stem in self._known_stems:
                term_weight[stem] = max(term_weight.get(stem, 0.0), spec)
            if (stem, sentence_weight) in seen:
                continue
            seen.add((stem, sentence_weight))
            if word in EVERYDAY and not in_phrase[i] and stem not in self._strong:
                everyday = True
            if word.isdigit() and not (in_phrase[i] or stem in self._strong):
                # a number ("0.5", "99%", "2000 steps") says how much, not what about
                importance += _NUMBER_TOKEN * sentence_weight
                known += _NUMBER_TOKEN * sentence_weight * (0.25 if stem in self._known_stems else 0.0)
                continue
            if stem in self._known_stems:
                importance += spec
            else:  # unknown to the content; a token outside English too ("qkv", "xyz123") is jargon or noise,
                # and a rarer English word ("lawnmower", "sunglasses") names something of another world
                spec_word = specificity(word)
                importance += spec_word * sentence_weight * (
                    (_CONCRETE_WEIGHT if spec_word >= _CONCRETE_SPEC and word not in EVERYDAY else 1.0)
                    if is_english(word) else _UNKNOWN_TOKEN)
            if in_phrase[i] or stem in self._strong:
                known += spec
            elif stem in self._named:
                # Only inside longer names: evidence when another word of the question shares a name's
                # topic ("matrix inverse"), weak alone ("fold a fitted sheet").
                docs = self._named_docs[stem]
                backed = any(other != stem and self._named_docs.get(other, set()) & docs for other in query_stems)
                known += (0.6 if backed else 0.3) * spec
            elif stem in self._known_stems:
                known += 0.25 * spec
        if not term_weight or importance <= 0:
            return Match(None, None, 0.0, "none")
        coverage = known / importance
        # Two of its words name the same topic ("query" and "table", "loss" and "nan"): the question is about it.
        hits: Counter = Counter()
        for stem in query_stems:
            hits.update(self._named_docs.get(stem, ()))
        cohesive = bool(hits) and max(hits.values()) >= _COHESION
        # A distinctive word that is itself a name in the content ("salary", "kafka") vouches for the
        # question even among chatty words ("salary talk next week, nervous af").
        named_word = any(keep[i] and w in self._names and specificity(w) >= _NAME_WORD_SPEC
                         for i, w in enumerate(words))
        # ... unless the rest of the question is concrete words of another world, outweighing ours: "rust" among
        # "cast iron pan", "kafka" among "book club" and "metamorphosis" (chatty words like "nervous" weigh little).
        elsewhere = sum(specificity(w) * k for i, (w, k) in enumerate(weighted)
                        if keep[i] and stems[i] not in self._known_stems and is_english(w)
                        and specificity(w) >= _CONCRETE_SPEC)
        if named_word and not cohesive and known < _RICH_MASS and elsewhere > known:
            named_word = False
        # A word of everyday life ("pet", "plugs", "sky") takes away the benefit of the doubt: the question
        # must then be mostly content vocabulary.
        # ... but two distinctive names of ours ("lora", "softmax") keep it ours: data about everyday life
        # ("a recipe recommender pod keeps getting oomkilled") is a question for us.
        distinctive = {stems[i] for i, w in enumerate(words) if keep[i] and (in_phrase[i] or stems[i] in self._strong)
                       and specificity(corrected[i][0]) >= _JARGON_NAME_SPEC}
        if len(distinctive) >= 2:
            everyday = False
        rich = (known >= _RICH_MASS or named_word or cohesive) and not everyday
        if coverage < _MIN_COVERAGE and not (rich and coverage >= _MIN_COVERAGE_RICH):
            return Match(None, None, round(coverage, 3), "none")
        scores: dict[int, float] = defaultdict(float)
        for stem, weight in term_weight.items():
            for doc, strength in self._postings.get(stem, ()):
                scores[doc] += weight * strength
        for doc, start, size in phrase_hits:
            phrase = tuple(stems[start:start + size])
            bonus = sum(term_weight.get(stems[i], 0.0) for i in range(start, start + size))
            scores[doc] += _PHRASE_WEIGHT * bonus * self._phrase_idf[phrase]
        for skill_id, title, mass in self._skill_titles:
            present = [x for x in title if x in term_weight]
            if present:
                share = len(present) / len(title)
                bonus = _TITLE_WEIGHT * share * share * mass * max(term_weight[x] for x in present)
                for doc in self._docs_of_skill[skill_id]:
                    if doc in scores:
                        scores[doc] += bonus
        if not scores:
            return Match(None, None, 0.0, "none")
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        _best_doc, best_score = ranked[0]
        if best_score < _MIN_SCORE:
            return Match(None, None, round(best_score, 3), "none")
        # the classifier reads the words as corrected ("kubernets" -> "kubernetes"), function words dropped
        learned = self._learned().relative(" ".join(c for c, _ in corrected), scores)
        meaning = [0.0] * len(self._docs)
        if self._semantic is not None:
            meaning = self._semantic.similarities(text)
            closest = max(meaning)
            if closest < _MIN_MEANING:  # the words are ours, the meaning is not ("deploy troops")
                return Match(None, None, round(closest, 3), "none")
            # Our words used in everyday life ("rust off a cast iron pan", "fine tune my guitar"); a word of ours
            # that everyday English hardly uses keeps the question ours ("dog vs cat image classifier").
            jargon = any(keep[i] and stems[i] in self._known_stems and len(w) > 2 and not w.isdigit()
                         and specificity(corrected[i][0]) >= _JARGON_SPEC for i, w in enumerate(words))
            jargon = jargon or len(distinctive) >= 2
            if not jargon and self._semantic.everyday_closeness(text) > closest + _EVERYDAY_MARGIN:
                return Match(None, None, round(closest, 3), "none")
        # Re-order what the words found by the two other opinions, each on a 0-1 scale like the lexical score
        # relative to the best; the name a "what is" opens with comes first.
        subject = self._subject(text)
        ranked = sorted(scores.items(), key=lambda kv: (kv[0] != subject,
                                                        -(kv[1] / best_score + _MEANING_WEIGHT * meaning[kv[0]]
                                                          + _LEARNED_WEIGHT * learned.get(kv[0], 0.0)), kv[0]))
        asking = [(c, stem) for (c, _), stem, k, (_, weight) in zip(corrected, stems, keep, weighted, strict=True)
                  if k and weight == 1.0]
        # two distinctive names of ours, or one that is the whole subject of "what is", keep the question ours
        if len(distinctive) < 2 and subject is None and not self._supported(asking, ranked[0][0]):
            return Match(None, None, round(best_score, 3), "none")
        rows = [(self._docs[d].skill_id, self._docs[d].topic_id, s) for d, s in ranked[:12]]
        best_skill, best_topic, _ = rows[0]
        if best_topic is None:  # a skill-level document: point at its best topic when one also ranks
            best_topic = next((t for s, t, _ in rows[1:] if s == best_skill and t), None)
        alternatives = self._alternatives(rows, best_skill, best_topic)
        return Match(best_skill, best_topic, round(best_score, 3), "search", alternatives)

    def _supported(self, words: list[tuple[str, str]], doc: int) -> bool:
        """Lesk with our own text as the gloss: does the topic the ranking chose use the question's words? Its
        names and explanation, quiz bank and learner phrasings (content/asks/) say how people talk about it; a
        question that shares only the name with them uses the name in another sense. Words outside English
        (jargon, slang, slips) count only for the question."""
        model = self._learned()
        skill_id = self._docs[doc].skill_id
        # a skill's own page speaks for all its topics
        docs = (set(self._docs_of_skill[skill_id]) if self._docs[doc].topic_id is None
                else {doc, self._doc_index[(skill_id, None)]})
        total = support = 0.0
        seen: set[str] = set()
        for word, stem in words:
            if word in seen or word in STOPWORDS or word in SOFT_WORDS or len(word) < 3 or word.isdigit():
                continue
            seen.add(word)
            forms = (word, word[:-1]) if word.endswith("s") else (word, word + "s")
            known = (any(not docs.isdisjoint(model.labels_using(form)) for form in forms)
                     or any(d in docs for d, _ in self._postings.get(stem, ())))
            weight = specificity(word)
            if not known and (not is_english(word) or weight < _SUPPORT_MIN_SPEC):
                continue
            total += weight
            support += weight if known else 0.0
        return len(seen) < _SUPPORT_MIN_WORDS or support >= _MIN_SUPPORT * total

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
        related = self._rank(" ".join(words))
        pool = ((related.skill_id, related.topic_id), *related.alternatives) if related.skill_id else ()
        return tuple(p for p in pool if p != (skill_id, topic_id) and p[1])[:2]

    def names_like(self, prefix: str, limit: int = 25) -> list[str]:
        """Display names starting with a prefix (for autocomplete), skills first."""
        key = normalize(prefix)
        return [n for n in self._name_list if n.startswith(key)][:limit]
