"""Read every content/*.yaml file, validate it, and report each error with its file and field path."""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.data import data_dir
from bot.content.schema import SKILL_IDS, Skill

log = logging.getLogger(__name__)

DEFAULT_CONTENT_DIR = data_dir("content")


def content_dir() -> Path:
    """The content folder: SKILLBOT_CONTENT_DIR, else the content shipped with the package."""
    return Path(os.environ.get("SKILLBOT_CONTENT_DIR") or DEFAULT_CONTENT_DIR)


@dataclass(frozen=True)
class ContentError:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}" if self.path else f"{self.file}: {self.message}"


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]):
        self.errors = errors
        super().__init__("\n".join(map(str, errors)))


@dataclass(frozen=True)
class Catalog:
    """All skills, in the canonical order."""

    skills: tuple[Skill, ...]

    def skill(self, skill_id: str) -> Skill | None:
        return next((s for s in self.skills if s.id == skill_id), None)


# libyaml parses the content base about ten times faster than the pure-Python loader.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _loc(parts: tuple) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_file(path: Path, errors: list[ContentError]) -> Skill | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(ContentError(path.name, "", f"not valid YAML: {exc}"))
        return None
    if not isinstance(data, dict):
        errors.append(ContentError(path.name, "", "expected a mapping at the top level"))
        return None
    try:
        skill = Skill.model_validate(data)
    except ValidationError as exc:
        errors.extend(ContentError(path.name, _loc(e["loc"]), e["msg"]) for e in exc.errors())
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


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate; raise ContentInvalid listing every problem found."""
    directory = directory or content_dir()
    errors: list[ContentError] = []
    loaded: list[tuple[str, Skill]] = []
    files = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
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
    if errors:
        raise ContentInvalid(errors)
    order = {sid: i for i, sid in enumerate(SKILL_IDS)}
    return Catalog(tuple(sorted((s for _, s in loaded), key=lambda s: order[s.id])))
