"""The import rules that keep dependencies pointing inwards, checked by parsing every module under bot/."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"

CORE_FORBIDDEN = ("bot.store", "bot.adapters", "bot.app", "bot.cli", "bot.runtime",
                  "sqlalchemy", "aiohttp", "slack_bolt", "slack_sdk", "discord", "alembic")
# Feature packages sit on the core side: they talk to storage through core's ports only.
CORE_SIDE = ("core", "checkins", "teams", "recall", "placement")


def _modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _hits(imports: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(i for i in imports if any(i == p or i.startswith(p + ".") for p in prefixes))


# Modules still to be moved out of the way of a rule (shrinks to nothing as the refactor lands).
NOT_YET: set[tuple[str, str]] = set()


def _skip(rule: str, path: Path) -> None:
    if (rule, _name(path)) in NOT_YET:
        pytest.xfail("not moved yet")


def _in(path: Path, *packages: str) -> bool:
    return path.relative_to(BOT).parts[0] in packages


def test_modules_are_found():
    assert len(_modules()) > 30


@pytest.mark.parametrize("path", [p for p in _modules() if _in(p, *CORE_SIDE)], ids=_name)
def test_core_imports_no_store_adapter_or_sdk(path: Path):
    assert _hits(_imports(path), CORE_FORBIDDEN) == []


@pytest.mark.parametrize("path", [p for p in _modules() if _in(p, "adapters")], ids=_name)
def test_adapters_import_neither_app_nor_cli(path: Path):
    _skip("adapters", path)
    assert _hits(_imports(path), ("bot.app", "bot.cli")) == []


@pytest.mark.parametrize("path", [p for p in _modules() if not _in(p, "store", "app.py")], ids=_name)
def test_sqlalchemy_only_in_the_store(path: Path):
    _skip("sqlalchemy", path)
    assert _hits(_imports(path), ("sqlalchemy",)) == []


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_nothing_reads_extra(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    reads = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "extra"]
    assert reads == []


def test_no_sdk_named_slack_anything_in_core():
    for path in _modules():
        if _in(path, *CORE_SIDE):
            assert not any(i.startswith("slack") for i in _imports(path)), path


def test_discord_sync_does_not_import_the_discord_adapter():
    """discord.py uses discord_sync (definition, sync); never the other way round."""
    assert "bot.adapters.discord" not in _imports(BOT / "adapters" / "discord_sync.py")
