"""The adapters' per-user cache is bounded in size and in age."""
from __future__ import annotations

from bot.adapters.ttl_cache import TTLCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_least_recently_used_entries_go_first_at_the_size_bound():
    cache: TTLCache[int] = TTLCache(max_entries=3, max_age=60, clock=Clock())
    for i in range(3):
        cache.put(f"u{i}", i)
    assert cache.get("u0") == 0  # u0 is now the most recently used
    cache.put("u3", 3)
    assert len(cache) == 3 and cache.get("u1") is None and cache.get("u0") == 0 and cache.get("u3") == 3


def test_entries_expire_after_their_age():
    clock = Clock()
    cache: TTLCache[str] = TTLCache(max_entries=10, max_age=300, clock=clock)
    cache.put("alice", "Alice")
    clock.now = 299.0
    assert cache.get("alice") == "Alice"
    clock.now = 300.0
    assert cache.get("alice") is None and len(cache) == 0
