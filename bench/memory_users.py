"""Memory of `skillbot run` as distinct Slack users talk to it.

A real `skillbot run` process (Slack HTTP mode, SQLite in a temporary directory) answers signed
slash commands from N distinct users, sent by this process the way Slack sends them, while a
FakeSlack here answers the Web API. users.info returns a profile the size Slack's real one is
(~7 KiB: names, status, a dozen avatar URLs, enterprise fields), so a cache that keeps whole
answers shows up. The bot's RSS (from /proc) is printed at several user counts.
Target: under 150 MB and flat with the user count.

Run: python bench/memory_users.py [--users 20000] [--concurrency 32]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack import BOT_TOKEN, TEAM, FakeSlack, http_body, sign

SECRET = "bench-memory-signing-secret"
TEXTS = ("track mlops", "how do I detect data drift?", "progress", "kubernetes", "done")


def realistic_user(user_id: str) -> dict:
    """A users.info answer as large as Slack's (a dozen image URLs, status, enterprise and locale fields)."""
    images = {f"image_{size}": f"https://avatars.slack-edge.com/2026-01-01/{user_id}_{'a' * 40}_{size}.jpg"
              for size in (24, 32, 48, 72, 192, 512, 1024)}
    return {
        "id": user_id, "team_id": TEAM, "name": f"learner.{user_id.lower()}", "deleted": False, "color": "9f69e7",
        "real_name": f"Learner {user_id}", "tz": "Europe/Berlin", "tz_label": "Central European Time",
        "tz_offset": 3600, "is_admin": False, "is_owner": False, "is_primary_owner": False,
        "is_restricted": False, "is_ultra_restricted": False, "is_bot": False, "is_app_user": False,
        "updated": 1760000000, "is_email_confirmed": True, "who_can_share_contact_card": "EVERYONE",
        "locale": "en-US",
        "enterprise_user": {"id": user_id, "enterprise_id": "E0ENT", "enterprise_name": "Example Corp",
                            "is_admin": False, "is_owner": False, "teams": [TEAM, "T0OTHER", "T0THIRD"]},
        "profile": {
            "title": "Senior data engineer moving into ML platform work " * 3,
            "phone": "+49 30 1234567", "skype": "", "real_name": f"Learner {user_id}",
            "real_name_normalized": f"Learner {user_id}", "display_name": f"learner{user_id[-5:]}",
            "display_name_normalized": f"learner{user_id[-5:]}", "fields": {
                f"Xf0{i}": {"value": "Platform engineering, data, ML " * 4, "alt": ""} for i in range(8)},
            "status_text": "Heads down on the feature store migration", "status_emoji": ":hammer_and_wrench:",
            "status_emoji_display_info": [{"emoji_name": "hammer_and_wrench", "display_url":
                                           "https://a.slack-edge.com/production-standard-emoji-assets/15.0/"
                                           "apple-large/1f6e0-fe0f.png", "unicode": "1f6e0-fe0f"}],
            "status_expiration": 0, "avatar_hash": "a" * 12, "image_original":
                f"https://avatars.slack-edge.com/2026-01-01/{user_id}_original.png",
            "is_custom_image": True, "email": f"{user_id.lower()}@example.com", "first_name": "Learner",
            "last_name": user_id, "pronouns": "they/them", "team": TEAM, **images,
        },
    }


class ProfileSlack(FakeSlack):
    """FakeSlack with real-sized users.info answers and no per-call log (the bench measures the bot)."""

    def _m_users_info(self, args: dict) -> dict:
        return {"user": realistic_user(str(args.get("user", "")))}

    async def _api(self, request):
        response = await super()._api(request)
        self.calls.clear()
        return response


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def wait_ready(port: int, proc: subprocess.Popen) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(300):
            if proc.poll() is not None:
                raise SystemExit("skillbot run exited during start-up")
            try:
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("skillbot run never became ready")


async def one_user(session: aiohttp.ClientSession, fake: ProfileSlack, url: str, index: int) -> bool:
    user_id = f"U{index:08d}"
    text = TEXTS[index % len(TEXTS)]
    payload = {"token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": "C0GENERAL",
               "channel_name": "general", "user_id": user_id, "user_name": f"learner{index}", "command": "/skill",
               "text": text, "api_app_id": "A0APP", "response_url": fake.new_response_url(),
               "trigger_id": f"trigger{index}"}
    body, content_type = http_body("slash_commands", payload)
    ts = str(int(time.time()))
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts,
               "X-Slack-Signature": sign(SECRET, ts, body)}
    async with session.post(url, data=body.encode(), headers=headers) as response:
        if response.status != 200:
            return False
    key = payload["response_url"].rsplit("/", 1)[1]
    await fake.wait_for(lambda: bool(fake.response_urls[key].posts), timeout=30)
    del fake.response_urls[key]  # the fake forgets answered commands: its memory is not the bot's
    return True


def launch(env: dict, workdir: Path) -> subprocess.Popen:
    with open(workdir / "run.log", "w") as log:
        return subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--no-scheduler"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)


async def run(users: int, concurrency: int, checkpoints: list[int]) -> None:
    fake = await ProfileSlack(SECRET).start()
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="skillbot-memory-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}", PORT=str(port), LOG_LEVEL="WARNING",
               SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url)
    proc = launch(env, workdir)
    try:
        await wait_ready(port, proc)
        url = f"http://127.0.0.1:{port}/slack/events"
        print(f"{'users':>7} {'RSS MB':>8} {'failed':>7} {'seconds':>8}")
        print(f"{0:>7} {rss_mb(proc.pid):>8.1f} {0:>7} {0:>8.1f}")
        started, done, failed = time.monotonic(), 0, 0
        semaphore = asyncio.Semaphore(concurrency)

        async def limited(index: int) -> bool:
            async with semaphore:
                try:
                    return await one_user(session, fake, url, index)
                except Exception:  # noqa: BLE001 - a failed request is counted, not fatal
                    return False

        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
            for checkpoint in checkpoints:
                results = await asyncio.gather(*(limited(i) for i in range(done, checkpoint)))
                failed += results.count(False)
                done = checkpoint
                print(f"{done:>7} {rss_mb(proc.pid):>8.1f} {failed:>7} {time.monotonic() - started:>8.1f}",
                      flush=True)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        await fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    checkpoints = sorted({n for n in (1_000, 2_500, 5_000, 10_000, 15_000, args.users) if n <= args.users})
    asyncio.run(run(args.users, args.concurrency, checkpoints))


if __name__ == "__main__":
    main()
