"""Read every content/*.yaml file, validate it, and report each error with its file and field path."""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import ValidationError

from bot.content.asks import ASKS_DIR, load_asks
from bot.content.errors import ContentError, ContentInvalid, location
from bot.content.glossary import GLOSSARY_FILE, load_glossary
from bot.content.homonyms import HOMONYMS_FILE, load_homonyms
from bot.content.quiz import load_questions
from bot.content.rules import skill_problems
from bot.content.schema import SKILL_IDS, Question, Skill
from bot.content.side_files import YAML_LOADER, read_mapping
from bot.data import data_dir

__all__ = ["Catalog", "ContentError", "ContentInvalid", "content_dir", "load_catalog"]

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_CONTENT_DIR = data_dir("content")
DISAMBIGUATION_FILE = "disambiguation.yaml"


def content_dir() -> Path:
    """The content folder: SKILLBOT_CONTENT_DIR, else the content shipped with the package."""
    return Path(os.environ.get("SKILLBOT_CONTENT_DIR") or DEFAULT_CONTENT_DIR)


class Catalog:
    """All skills, in the canonical order. The quiz bank may be read on first use (see load_catalog)."""

    __slots__ = ("_asks", "_load_asks", "_load_questions", "_questions", "ambiguous", "fingerprint", "glossary",
                 "homonyms", "skills")

    def __init__(self, skills: tuple[Skill, ...], questions=(), ambiguous: dict[str, tuple[str, ...]] | None = None,
                 fingerprint: str | None = None, glossary: dict[str, str] | None = None,
                 homonyms: dict[str, frozenset[str]] | None = None, asks=None):
        self.skills = skills
        self.glossary = glossary or {}  # a term of the field -> the topic id to learn it in (glossary.yaml)
        self.homonyms = homonyms or {}  # a name that is also an everyday word -> its everyday cues (homonyms.yaml)
        # the content files' fingerprint when loaded from a folder: what is derived from them can be cached
        self.fingerprint = fingerprint
        # a word that means different things in different skills -> the topic ids it may mean (disambiguation.yaml)
        self.ambiguous = ambiguous or {}
        if callable(questions):
            self._questions, self._load_questions = None, questions
        else:
            self._questions, self._load_questions = tuple(questions), None
        # how learners ask about each topic (content/asks/): read, like the quiz bank, when the classifier trains
        if callable(asks):
            self._asks, self._load_asks = None, asks
        else:
            self._asks, self._load_asks = dict(asks or {}), None

    @property
    def asks(self) -> dict[str, tuple[str, ...]]:
        if self._asks is None:
            self._asks = self._load_asks()
        return self._asks

    @property
    def questions(self) -> tuple[Question, ...]:
        if self._questions is None:
            self._questions = self._load_questions()
        return self._questions

    def skill(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skills if s.id == skill_id), None)

    def questions_for(self, topic_id: str) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.topic == topic_id)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def owner(self, topic_id: str) -> Skill | None:
        """The skill a topic belongs to."""
        return next((s for s in self.skills if s.topic(topic_id)), None)

    def with_skills(self, skills: tuple[Skill, ...]) -> Catalog:
        """The same catalog with other skill files (tests use it to change content between restarts)."""
        questions = self._questions if self._questions is not None else self._load_questions
        topics = {t.id for s in skills for t in s.topics}
        glossary = {term: topic for term, topic in self.glossary.items() if topic in topics}
        asks = {topic: texts for topic, texts in self.asks.items() if topic in topics}
        return Catalog(skills, questions, self.ambiguous, glossary=glossary, homonyms=self.homonyms, asks=asks)




def _parse_file(path: Path, errors: list[ContentError]) -> Skill | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(ContentError(path.name, "", f"not valid YAML: {exc}"))
        return None
    if not isinstance(data, dict):
        errors.append(ContentError(path.name, "", "expected a mapping at the top level"))
        return None
    try:
        skill = Skill.model_validate(data)
    except ValidationError as exc:
        errors.extend(ContentError(path.name, location(e["loc"]), e["msg"]) for e in exc.errors())
        return None
    if skill.id != path.stem:
        errors.append(ContentError(path.name, "id", f"id {skill.id!r} does not match the file name"))
    return skill


def _check_unique(skills: list[tuple[str, Skill]], errors: list[ContentError]) -> None:
    """Ids and aliases are how people reach content, so each may mean one thing only."""
    seen: dict[str, str] = {}

    def claim(name: str, file: str, where: str) -> None:
        key = name.strip().lower()
        if key in seen and seen[key] != f"{file}:{where}":
            errors.append(ContentError(file, where, f"duplicate id or alias {name!r} (also in {seen[key]})"))
        seen.setdefault(key, f"{file}:{where}")

    for file, skill in skills:
        claim(skill.id, file, "id")
        for i, alias in enumerate(skill.aliases):
            claim(alias, file, f"aliases[{i}]")
        for i, topic in enumerate(skill.topics):
            claim(topic.id, file, f"topics[{i}].id")


def _check_rules(skills: list[tuple[str, Skill]], errors: list[ContentError]) -> None:
    for file, skill in skills:
        errors.extend(ContentError(file, where, message) for where, message in skill_problems(skill))


def _load_ambiguous(directory: Path, skills: list[Skill], errors: list[ContentError]) -> dict[str, tuple[str, ...]]:
    """content/disambiguation.yaml: `term: [topic ids]` for words that mean different things in different skills."""
    data = read_mapping(directory / DISAMBIGUATION_FILE, "a term to its topic ids", errors)
    topic_ids = {t.id for s in skills for t in s.topics}
    out: dict[str, tuple[str, ...]] = {}
    for term, targets in data.items():
        if not isinstance(targets, list) or len(targets) < 2 or any(t not in topic_ids for t in targets):
            errors.append(ContentError(DISAMBIGUATION_FILE, str(term),
                                       "expected a list of two or more existing topic ids"))
            continue
        out[str(term).strip().lower()] = tuple(targets)
    return out


def _check_keyword_clashes(skills: list[Skill], ambiguous: dict[str, tuple[str, ...]],
                           errors: list[ContentError]) -> None:
    """A keyword claimed by two skills would route silently to one of them; it needs a disambiguation entry."""
    owners: dict[str, set[str]] = {}
    for skill in skills:
        for topic in skill.topics:
            for keyword in topic.keywords:
                owners.setdefault(keyword.strip().lower(), set()).add(skill.id)
    for keyword, skill_ids in sorted(owners.items()):
        if len(skill_ids) > 1 and keyword not in ambiguous:
            errors.append(ContentError(DISAMBIGUATION_FILE, keyword,
                                       f"keyword used by {', '.join(sorted(skill_ids))}; "
                                       "qualify it or add a disambiguation entry"))


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate; raise ContentInvalid listing every problem found."""
    directory = directory or content_dir()
    errors: list[ContentError] = []
    loaded: list[tuple[str, Skill]] = []
    files = (sorted(p for p in directory.glob("*.yaml")
                    if p.name not in (DISAMBIGUATION_FILE, GLOSSARY_FILE, HOMONYMS_FILE))
             if directory.is_dir() else [])
    if not files:
        raise ContentInvalid([ContentError(str(directory), "", "no *.yaml skill files found")])
    for path in files:
        skill = _parse_file(path, errors)
        if skill:
            loaded.append((path.name, skill))
    _check_unique(loaded, errors)
    missing = set(SKILL_IDS) - {s.id for _, s in loaded}
    if missing and not errors:
        errors.append(ContentError(str(directory), "", f"missing skills: {', '.join(sorted(missing))}"))
    _check_rules(loaded, errors)
    skills = [s for _, s in loaded]
    ambiguous = _load_ambiguous(directory, skills, errors)
    _check_keyword_clashes(skills, ambiguous, errors)
    glossary = load_glossary(directory, skills, errors)
    homonyms = load_homonyms(directory, skills, glossary, errors)
    stamp = _stamp(directory)
    questions: tuple[Question, ...] | Callable[[], tuple[Question, ...]]
    asks: dict[str, tuple[str, ...]] | Callable[[], dict[str, tuple[str, ...]]]
    if stamp and not errors and _validated_before(stamp):
        # The same files passed a full check before: read the quiz bank and the phrasings only when asked for.
        def lazy(load: Callable[[Path, list[Skill], list[ContentError]], T]) -> Callable[[], T]:
            def read() -> T:
                late: list[ContentError] = []
                found = load(directory, skills, late)
                if late:
                    raise ContentInvalid(late)
                return found
            return read
        questions, asks = lazy(load_questions), lazy(load_asks)
    else:
        questions = load_questions(directory, skills, errors)
        asks = load_asks(directory, skills, errors)
    if errors:
        raise ContentInvalid(errors)
    if stamp and not callable(questions):
        _remember_valid(stamp)
    order = {sid: i for i, sid in enumerate(SKILL_IDS)}
    return Catalog(tuple(sorted(skills, key=lambda s: order[s.id])), questions, ambiguous, stamp, glossary, homonyms,
                   asks)


# -- a note that these exact files passed a full check (no content is cached, only a fingerprint) ---------
_CODE = [Path(__file__).with_name(n)
         for n in ("loader.py", "quiz.py", "schema.py", "rules.py", "errors.py", "glossary.py", "homonyms.py",
                   "asks.py")]


def _stamp(directory: Path) -> str | None:
    """A fingerprint of the content files and the validating code: names, sizes and change times."""
    try:
        paths = sorted([*directory.glob("*.yaml"), *(directory / "quiz").glob("*.yaml"),
                        *(directory / ASKS_DIR).glob("*.yaml")]) + _CODE
        parts = [f"{p}|{st.st_size}|{st.st_mtime_ns}" for p in paths for st in (p.stat(),)]
    except OSError:
        return None
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def cache_dir() -> Path | None:
    """Where start-up notes go (fingerprints of checked content, stems); None when disabled."""
    if os.environ.get("SKILLBOT_NO_CONTENT_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "skillbot"


def save_in_cache(path: Path, write: Callable[[Path], object]) -> None:
    """Write a cache file through a per-process temporary file, so replicas starting together never
    interleave; a cache that cannot be written is simply not kept."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{os.getpid()}.tmp.{path.name}")
        write(tmp)
        tmp.replace(path)
    except OSError:
        pass


def _marker_dir() -> Path:
    return (cache_dir() or Path("/nonexistent")) / "content-ok"


def _validated_before(stamp: str) -> bool:
    if os.environ.get("SKILLBOT_NO_CONTENT_CACHE"):
        return False
    try:
        return (_marker_dir() / stamp).is_file()
    except OSError:
        return False


def _remember_valid(stamp: str) -> None:
    if os.environ.get("SKILLBOT_NO_CONTENT_CACHE"):
        return
    try:
        folder = _marker_dir()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / stamp).touch()
    except OSError:
        pass
