"""Package data: the skill content and the Alembic migrations, mapped in from the repository at build time."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def data_dir(name: str) -> Path:
    """`content` or `migrations`: inside an installed wheel, else the checkout's top level (editable installs)."""
    packaged = Path(str(resources.files(__name__) / name))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name
