"""Slash-command round trip on Slack (HTTP mode): signed POST to /slack/events -> ack, and -> answer.

The real slack-bolt app (SlackAdapter, HTTP mode on an aiohttp site on 127.0.0.1) answers FakeSlack
(tests/fakes/slack.py), which runs in a separate process as Slack would be and posts `/skill <text>`
signed exactly as Slack signs, with a temporary SQLite database; 1, 10 and 50 commands are fired at
once, in rounds. Times are taken on Slack's side: POST sent -> HTTP acknowledgement (the 3-second
rule), and POST sent -> first answer arriving at the response_url.
Target: p99 ack < 100 ms at 50 concurrent.

Run: python bench/slack_roundtrip.py [--rounds N] [--no-gc-freeze]
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stats import percentile
from bot.adapters.slack import SlackAdapter
from bot.app import build_app
from bot.settings import Settings
from tests.fakes.slack import BOT_TOKEN, FakeSlack, http_body, signed_post

SECRET = "bench-signing-secret"
TEXTS = ["mlops", "how do I detect data drift?", "progress", "help", "kubernetes", "genai", "zxqv blorp",
         "what is feature engineering"]
LEVELS = (1, 10, 50)




class TimedFakeSlack(FakeSlack):
    """FakeSlack that also notes when each response_url first received an answer."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.answered_at: dict[str, float] = {}

    async def _response_url(self, request: web.Request) -> web.Response:
        response = await super()._response_url(request)
        self.answered_at.setdefault(request.match_info["key"], time.monotonic())
        return response


async def command(fake: TimedFakeSlack, url: str, text: str, slot: int) -> tuple[int, float, float, str]:
    """One `/skill <text>` as Slack sends it: (status, sent at, acknowledged at, response_url key)."""
    payload = fake.slash_payload(text, "alice")
    payload["user_id"], payload["user_name"] = f"U{slot:06d}", f"user{slot}"  # one user per slot
    body, content_type = http_body("slash_commands", payload)
    started = time.monotonic()
    status, _, _ = await signed_post(url, body, content_type, SECRET)
    return status, started, time.monotonic(), payload["response_url"].rsplit("/", 1)[1]


def fake_process(conn) -> None:
    """Slack's side, in its own process: its CPU is not the bot's, as in production."""
    async def serve() -> None:
        fake = await TimedFakeSlack(SECRET).start()
        conn.send(fake.api_url)
        loop = asyncio.get_running_loop()
        while True:
            message = await loop.run_in_executor(None, conn.recv)
            if message[0] == "stop":
                break
            _, url, size, offset = message
            sent = await asyncio.gather(*(command(fake, url, TEXTS[(offset + i) % len(TEXTS)], i)
                                          for i in range(size)))
            keys = [key for *_, key in sent]
            await fake.wait_for(lambda keys=keys: all(k in fake.answered_at for k in keys), timeout=30)
            conn.send([((acked - started) * 1000, (fake.answered_at[key] - started) * 1000, status)
                       for status, started, acked, key in sent])
        await fake.stop()
        conn.send(fake.unknown)

    asyncio.run(serve())


async def start_http(adapter: SlackAdapter) -> tuple[web.AppRunner, str]:
    web_app = web.Application()
    adapter.add_routes(web_app)
    runner = web.AppRunner(web_app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/slack/events"


async def main(rounds: int, freeze: bool) -> None:
    logging.basicConfig(level=logging.WARNING)
    conn, child_conn = multiprocessing.Pipe()
    child = multiprocessing.get_context("spawn").Process(target=fake_process, args=(child_conn,), daemon=True)
    child.start()
    api_url = conn.recv()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(DATABASE_URL=f"sqlite:///{tmp}/bench.db", SLACK_BOT_TOKEN=BOT_TOKEN,
                            SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=api_url)
        app = build_app(settings)
        adapter = SlackAdapter(app)
        runner, url = await start_http(adapter)
        await adapter.start()
        if freeze:  # what `skillbot run` does after start-up (bot/runner.py)
            gc.freeze()
        try:
            await burst(conn, adapter, url, 10, 0)  # warm-up: imports, first queries, connection pool
            print(f"{'concurrent':>10} {'n':>5} {'ack p50':>9} {'ack p99':>9} {'ack max':>9} "
                  f"{'answer p50':>11} {'answer p99':>11}  non-200")
            for size in LEVELS:
                acks: list[float] = []
                answers: list[float] = []
                failed = 0
                for r in range(max(rounds // size, 3) if size > 1 else rounds):
                    for ack, answer, status in await burst(conn, adapter, url, size, r):
                        acks.append(ack)
                        answers.append(answer)
                        failed += status != 200
                print(f"{size:>10} {len(acks):>5} {percentile(acks, 50):>6.1f} ms {percentile(acks, 99):>6.1f} ms "
                      f"{max(acks):>6.1f} ms {percentile(answers, 50):>8.1f} ms {percentile(answers, 99):>8.1f} ms"
                      f"  {failed}")
        finally:
            await adapter.stop()
            await runner.cleanup()
            app.engine.dispose()
            conn.send(("stop",))
            unknown = conn.recv()
            child.join(5)
    print("target: p99 ack < 100 ms at 50 concurrent" + (f"; UNKNOWN ENDPOINTS HIT: {unknown}" if unknown else ""))


async def burst(conn, adapter: SlackAdapter, url: str, size: int, offset: int) -> list[tuple[float, float, int]]:
    """(ms to the ack, ms to the answer, HTTP status) for `size` commands sent at once."""
    conn.send(("burst", url, size, offset))
    timings = await asyncio.get_running_loop().run_in_executor(None, conn.recv)
    await asyncio.wait_for(adapter.idle(), 30)  # answers finished before the next burst
    return timings


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200, help="commands per level (about)")
    parser.add_argument("--no-gc-freeze", action="store_true",
                        help="skip gc.freeze() after start-up (the runner does it in production)")
    options = parser.parse_args()
    asyncio.run(main(options.rounds, not options.no_gc_freeze))
