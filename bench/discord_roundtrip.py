"""Interaction round trip on Discord: INTERACTION_CREATE sent by the gateway -> the bot's callback received.

The real discord.py client talks to FakeDiscord (tests/fakes/discord.py) on 127.0.0.1, run in a
separate process as Discord would be, with a temporary SQLite database; 1, 10 and 50 interactions
are fired at once, in rounds. Times are taken by the fake: dispatch sent -> callback received
(the 3-second rule), and dispatch sent -> answer shown (the callback message, or the edit that
replaces "thinking..." when the bot deferred because it was busy).
Target: p99 < 100 ms at 50 concurrent.

Run: python bench/discord_roundtrip.py [--rounds N] [--no-gc-freeze]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile
from bot.adapters.discord import DiscordAdapter
from bot.app import build_app
from bot.settings import Settings
from tests.fakes.discord import FakeDiscord

TEXTS = ["mlops", "how do I deploy a model", "kubernetes", "help", "progress", "genai", "zxqv blorp",
         "what is feature engineering"]
LEVELS = (1, 10, 50)




def fake_process(conn) -> None:
    """Discord's side, in its own process: its CPU is not the bot's, as in production."""
    async def serve() -> None:
        fake = await FakeDiscord().start()
        conn.send((fake.api_url, fake.gateway_url))
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, conn.recv)
            if command[0] == "stop":
                break
            _, size, offset = command
            states = await asyncio.gather(*(fake.slash(TEXTS[(offset + i) % len(TEXTS)],
                                                       str(800000000000100000 + i), f"user{i}")
                                            for i in range(size)))
            await fake.wait_for(lambda states=states: all(s.answered_at for s in states), timeout=30)
            conn.send([((s.callback_at - s.sent_at) * 1000, (s.answered_at - s.sent_at) * 1000) for s in states])
        await fake.stop()
        conn.send(fake.unknown)

    asyncio.run(serve())


async def burst(conn, adapter: DiscordAdapter, size: int, offset: int) -> list[tuple[float, float]]:
    conn.send(("burst", size, offset))
    latencies = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await asyncio.wait_for(adapter.idle(), 30)  # follow-ups finished before the next burst
    return latencies


async def main(rounds: int, freeze: bool = True) -> None:
    logging.basicConfig(level=logging.WARNING)
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=fake_process, args=(child_conn,), daemon=True)
    child.start()
    api_url, gateway_url = conn.recv()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(DATABASE_URL=f"sqlite:///{tmp}/bench.db", DISCORD_TOKEN="test-token",
                            DISCORD_API_URL=api_url, DISCORD_GATEWAY_URL=gateway_url)
        app = build_app(settings)
        adapter = DiscordAdapter(app, guild_ready_timeout=0.01)
        await adapter.start()
        if freeze:  # as `skillbot run` does after start-up (bot/runtime/runner.py)
            gc.freeze()
        try:
            await burst(conn, adapter, 10, 0)  # warm-up: imports, first queries, connection pool
            for size in LEVELS:
                pairs: list[tuple[float, float]] = []
                for r in range(max(rounds // size, 3) if size > 1 else rounds):
                    pairs += await burst(conn, adapter, size, r)
                acks, answers = [a for a, _ in pairs], [b for _, b in pairs]
                late = sum(1 for a in acks if a > 3000)
                print(f"{size:>3} concurrent: n={len(acks):>4}  callback p50 {percentile(acks, 50):6.1f} ms  "
                      f"p99 {percentile(acks, 99):6.1f} ms  max {max(acks):6.1f} ms  over 3 s: {late}   "
                      f"answer shown p50 {percentile(answers, 50):6.1f} ms  p99 {percentile(answers, 99):6.1f} ms")
        finally:
            await adapter.stop()
            app.engine.dispose()
            conn.send(("stop",))
            unknown = conn.recv()
            child.join(5)
    print("target: p99 < 100 ms at 50 concurrent" + (f"; UNKNOWN ENDPOINTS HIT: {unknown}" if unknown else ""))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=500, help="interactions per level (about)")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="skip the gc.freeze() that `skillbot run` does after start-up")
    options = parser.parse_args()
    asyncio.run(main(options.rounds, not options.no_gc_freeze))
