"""The console adapter: the whole bot in a terminal, no tokens. The reference for other adapters."""
from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.adapters.render_text import render
from bot.core.bot import SkillBot
from bot.core.delivery import SENT, Delivery
from bot.core.model import Action, Button, ChannelRef, Command, Post, Reply, Result, UserRef

PLATFORM = "console"
WORKSPACE = "console"


def console_user(name: str | None = None, admin: bool = False, tz: str | None = None) -> UserRef:
    name = name or getpass.getuser() or "you"
    return UserRef(PLATFORM, WORKSPACE, name, name=name, is_admin=admin, tz=tz)


def console_channel(name: str = "console") -> ChannelRef:
    name = name.lstrip("#")
    return ChannelRef(PLATFORM, WORKSPACE, name, name=name)


class ConsoleSender:
    """Prints the messages the bot sends on its own, with a prefix saying where they went."""

    platform = PLATFORM

    def __init__(self, out: TextIO):
        self.out = out

    async def send_dm(self, user: UserRef, reply: Reply) -> Delivery:
        self.out.write(f"[DM to {user.name or user.user_id}]\n{render(reply)}\n")
        return SENT

    async def post(self, channel: ChannelRef, reply: Reply) -> Delivery:
        self.out.write(f"[#{channel.name or channel.channel_id}]\n{render(reply)}\n")
        return SENT

    def deliver(self, posts: list[Post]) -> None:
        for post in posts:
            if post.to_user:
                self.out.write(f"[DM to {post.to_user.name or post.to_user.user_id}]\n{render(post.reply)}\n")
            elif post.to_channel:
                self.out.write(f"[#{post.to_channel.name or post.to_channel.channel_id}]\n{render(post.reply)}\n")


def save_attachments(reply: Reply, folder: Path) -> str:
    """Save each attachment in folder under a fresh name; one `[image saved: FILE]` line for each."""
    lines = []
    for attachment in reply.attachments:
        path = _fresh_path(folder, Path(attachment.filename).name or "attachment")
        path.write_bytes(attachment.data)
        kind = "image" if attachment.is_image else "file"
        lines.append(f"[{kind} saved: {path.name}]\n")
    return "".join(lines)


def _fresh_path(folder: Path, name: str) -> Path:
    """name, or name-2, name-3... so an earlier picture is never overwritten."""
    stem, suffix = Path(name).stem, Path(name).suffix
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    return path


@dataclass
class ConsoleSession:
    """One person typing in one channel. Remembers the last buttons so they can be pressed by number."""

    bot: SkillBot
    user: UserRef
    channel: ChannelRef
    out: TextIO = sys.stdout
    buttons: list[Button] = field(default_factory=list)
    folder: Path = field(default_factory=Path.cwd)  # where attachments are saved

    def __post_init__(self) -> None:
        self.sender = ConsoleSender(self.out)

    def _button_for(self, line: str) -> Button | None:
        choice = line.strip().lstrip("[").rstrip("]").strip().lower()
        if choice.isdigit() and 1 <= int(choice) <= len(self.buttons):
            return self.buttons[int(choice) - 1]
        return next((b for b in self.buttons if b.label.lower() == choice), None)

    def command_for(self, line: str) -> Command:
        button = self._button_for(line) if self.buttons else None
        if button is not None:
            return Command(self.user, self.channel, action=Action(button.action_id, button.value))
        text = line.strip()
        if not text.lower().startswith("/skill"):
            text = "/skill " + text
        return Command(self.user, self.channel, text=text)

    def say(self, line: str) -> str:
        """Handle one typed line and return everything printed for it."""
        result: Result = self.bot.handle(self.command_for(line))
        self.buttons = [b for reply in result.replies for b in reply.buttons]
        text = "\n".join(render(reply) + save_attachments(reply, self.folder) for reply in result.replies)
        self.out.write(text + "\n")
        self.sender.deliver(result.posts)
        return text


def run_console(bot: SkillBot, user: UserRef, channel: ChannelRef, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Interactive when stdin is a terminal; otherwise one command a line until end of input."""
    session = ConsoleSession(bot, user, channel, out)
    interactive = stdin.isatty()
    if interactive:
        out.write(f"Skillbot console: you are {user.name} in #{channel.name}. Type /skill help, Ctrl-D to quit.\n")
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = stdin.readline()
        if not line:
            break
        if line.strip():
            session.say(line)
    return 0
