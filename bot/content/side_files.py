"""Reading the content folder's YAML, and its optional side files (disambiguation, glossary, homonyms): one
mapping each."""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.content.errors import ContentError

# libyaml when present: it parses about ten times faster than the pure-Python loader
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, what: str, errors: list[ContentError]) -> dict:
    """The file's top-level mapping; {} when the file is absent, or when it is broken (the problem goes to errors)."""
    if not path.exists():
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        errors.append(ContentError(path.name, "", f"not valid YAML: {exc}"))
        return {}
    if data is None:  # an empty file: nothing listed
        return {}
    if not isinstance(data, dict):
        errors.append(ContentError(path.name, "", f"expected a mapping of {what}"))
        return {}
    return data
