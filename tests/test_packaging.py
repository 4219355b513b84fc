"""A wheel is how platforms install the bot: built from the repo, it must carry content and migrations and run."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.helpers import clean_env

ROOT = Path(__file__).resolve().parents[1]


def _clean_env(**extra: str) -> dict[str, str]:
    return clean_env(isolated=True, **extra)


def test_every_package_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {sorted(on_disk - listed)}"


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """The wheel, installed into its own folder (no deps: the test venv already has them)."""
    work = tmp_path_factory.mktemp("wheel")
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(ROOT)],
                   check=True, env=_clean_env(), capture_output=True)
    wheel = next((work / "dist").glob("skillbot-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(work / "site"), str(wheel)],
                   check=True, env=_clean_env(), capture_output=True)
    return work / "site"


def _skillbot(site: Path, cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    code = "import sys; from bot.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *args], check=False, cwd=cwd, input=stdin, text=True,
                          capture_output=True, timeout=120, env=_clean_env(PYTHONPATH=str(site)))


def test_wheel_runs_every_command_from_an_empty_folder(installed_wheel, tmp_path):
    where = subprocess.run([sys.executable, "-c", "import bot; print(bot.__file__)"], check=False, cwd=tmp_path, text=True,
                           capture_output=True, env=_clean_env(PYTHONPATH=str(installed_wheel)))
    assert where.stdout.startswith(str(installed_wheel)), "the test must exercise the wheel, not the checkout"

    upgrade = _skillbot(installed_wheel, tmp_path, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "skillbot.db").exists()

    ask = _skillbot(installed_wheel, tmp_path, "ask", "--json", "what is mlops")
    assert ask.returncode == 0, ask.stderr
    assert '"skill": "mlops"' in ask.stdout

    console = _skillbot(installed_wheel, tmp_path, stdin="/skill mlops\n")
    assert console.returncode == 0, console.stderr
    assert "MLOps" in console.stdout and "Traceback" not in console.stderr


def test_wheel_holds_no_top_level_content_or_migrations_package(installed_wheel):
    assert not (installed_wheel / "content").exists()
    assert not (installed_wheel / "migrations").exists()
    assert (installed_wheel / "bot" / "data" / "content" / "mlops.yaml").is_file()
    # the quiz bank and the learner phrasings the answer classifier trains on travel with the skills
    assert len(list((installed_wheel / "bot" / "data" / "content" / "quiz").glob("*.yaml"))) == 11
    assert len(list((installed_wheel / "bot" / "data" / "content" / "asks").glob("*.yaml"))) == 11
    assert any((installed_wheel / "bot" / "data" / "migrations" / "versions").glob("0001_*.py"))
