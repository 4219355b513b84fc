"""What both platform fakes know about uploaded files: the type the bytes really are."""
from __future__ import annotations

import json

EXTENSIONS = {"image/png": ".png", "application/json": ".json"}


def sniff(data: bytes) -> str:
    """The content type a platform would detect from the bytes themselves."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    try:
        json.loads(data)
    except ValueError:
        return "application/octet-stream"
    return "application/json"
