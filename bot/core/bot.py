"""The one entry point every adapter and the scheduler call: a Command in, a Result out."""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.content.loader import Catalog
from bot.content.search import Match
from bot.core import account, answers, cards, onboarding, tracks, undo
from bot.core.commands import VERBS
from bot.core.deps import Deps
from bot.core.model import Command, Reply, Result, UserError
from bot.core.parse import parse
from bot.core.text import sanitize

log = logging.getLogger(__name__)

TextHandler = Callable[[Deps, Command, str], Result]
ButtonHandler = Callable[[Deps, Command], Result]

APOLOGY = Reply(title="Sorry, something went wrong on my side", sections=("It's been logged. Please try again in a moment.",))
STALE_BUTTON = Reply(title="That button has expired", sections=("It's from an older message. Try the command again.",))
MET_MEMORY = 10_000  # people welcomed in this process (about 250 bytes each); memory stays flat past it


# Told after each command: (platform, kind, seconds). The app wires it to metrics.
HandledHook = Callable[[str, str, float], None]


class SkillBot:
    """Routes parsed commands and button actions to their handlers."""

    def __init__(self, deps: Deps, on_handled: HandledHook | None = None):
        self.deps = deps
        self.on_handled = on_handled
        # People already welcomed or hinted, kept in memory only: storing them would keep a record of
        # someone who only read (or who asked to be forgotten). Bounded; after a restart the hint may
        # come once more.
        self._met: OrderedDict[tuple[str, str, str], None] = OrderedDict()
        self.text_handlers: dict[str, TextHandler] = {
            "help": lambda d, c, a: Result.of(cards.help_reply()),
            "empty": lambda d, c, a: Result.of(cards.help_reply()),
            "list": lambda d, c, a: Result.of(cards.list_reply(d.catalog)),
            "ask": answer, "question": answer,
            "track": tracks.join, "progress": lambda d, c, a: tracks.progress(d, c),
            "done": tracks.done, "skip": tracks.skip,
            "pause": tracks.pause, "resume": tracks.resume, "leave": tracks.leave,
            "schedule": tracks.schedule,
            "export": account.export, "forget-me": account.forget_me,
            "undo": undo.undo,
        }
        self.button_handlers: dict[str, ButtonHandler] = {
            "track.join": tracks.join_button, "track.switch": tracks.switch_button,
            "forget.confirm": account.forget_confirmed, "cancel": account.cancel,
            **answers.BUTTONS,
            "leave.confirm": tracks.leave_confirmed, "track.resume": tracks.resume_button,
            "step.undo": undo.undo_button, "schedule.set": onboarding.schedule_button,
            "onboard.schedule": onboarding.ask_schedule, "onboard.about": onboarding.about,
        }

    def register_verb(self, verb: str, handler: TextHandler) -> None:
        """Add a feature's verb; a verb registered twice is a wiring mistake and fails loudly."""
        if verb in self.text_handlers:
            raise ValueError(f"verb {verb!r} is already registered")
        if verb not in VERBS.values():
            raise ValueError(f"verb {verb!r} is not in the command table (bot/core/commands.py)")
        self.text_handlers[verb] = handler

    def register_button(self, action_id: str, handler: ButtonHandler) -> None:
        """Add a feature's button action; an action registered twice fails loudly."""
        if action_id in self.button_handlers:
            raise ValueError(f"button action {action_id!r} is already registered")
        self.button_handlers[action_id] = handler

    def handle(self, cmd: Command) -> Result:
        """Never raises: user errors are answered as written, anything else with an apology."""
        started = time.perf_counter()
        kind = f"button:{cmd.action.action_id.split('.')[0]}" if cmd.action else parse(sanitize(cmd.text)).verb
        try:
            if cmd.action is not None:
                return self._press(cmd)
            return self._say(cmd)
        except Exception:
            log.exception("command failed: platform=%s workspace=%s command=%s", cmd.user.platform,
                          cmd.user.workspace, kind)
            return Result.of(APOLOGY)
        finally:
            elapsed = time.perf_counter() - started
            # The command name only: message bodies never reach the logs at INFO.
            log.info("handled platform=%s workspace=%s command=%s latency_ms=%.1f", cmd.user.platform,
                     cmd.user.workspace, kind, elapsed * 1000,
                     extra={"platform": cmd.user.platform, "workspace": cmd.user.workspace, "command": kind,
                            "latency_ms": round(elapsed * 1000, 1)})
            if self.on_handled:
                self.on_handled(cmd.user.platform, kind, elapsed)

    def _say(self, cmd: Command) -> Result:
        """Typed text: a welcome for greetings (and a bare /skill from someone new), else the verb's handler."""
        parsed = parse(sanitize(cmd.text))
        key = (cmd.user.platform, cmd.user.workspace, cmd.user.user_id)
        first_contact = key not in self._met and self.deps.tracks.find_user(cmd.user) is None
        if onboarding.wants_welcome(parsed, first_contact):
            result = onboarding.welcome(self.deps, cmd)
        else:
            try:
                result = self.text_handlers.get(parsed.verb, answer)(self.deps, cmd, parsed.args)
            except UserError as exc:
                result = Result.of(Reply(sections=(str(exc),)))
            if first_contact and parsed.verb != "forget-me":
                result = onboarding.with_hint(result)
        if first_contact and parsed.verb not in ("forget-me", "export"):
            self._remember_met(key)  # the welcome and the hint come once
        return result

    def _remember_met(self, key: tuple[str, str, str]) -> None:
        self._met[key] = None
        while len(self._met) > MET_MEMORY:
            self._met.popitem(last=False)

    def _press(self, cmd: Command) -> Result:
        handler = self.button_handlers.get(cmd.action.action_id) if cmd.action else None
        if handler is None:
            return Result.of(STALE_BUTTON)
        try:
            return handler(self.deps, cmd)
        except UserError as exc:
            return Result.of(Reply(sections=(str(exc),)))


def answer(deps: Deps, cmd: Command, text: str) -> Result:
    """Answer a question or a name from the content base (bot/core/answers.py)."""
    return answers.answer(deps, cmd, text)


def answer_reply(catalog: Catalog, match: Match, text: str) -> Reply:
    return answers.reply_for(catalog, match, text)
