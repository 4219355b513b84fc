"""First contact: the welcome, the check-in time question, and the buttons behind them.

Someone new who greets the bot (or types a bare /skill) gets a short welcome with buttons; any
other first command is answered as usual, with a one-line hint below it. Joining a track without
a chosen schedule asks for the day and time, and, when the platform doesn't tell us the time
zone (Discord, the console without --tz), for the zone as well.
"""
from __future__ import annotations

import re
from dataclasses import replace

from bot.core import cards
from bot.core.buttons import pack, require_owner, unpack
from bot.core.deps import Deps
from bot.core.model import Button, Command, Reply, Result, Style, UserError
from bot.core.parse import Parsed
from bot.core.records import UserRecord
from bot.core.schedule import Weekly, parse_zone
from bot.core.tracks import save_schedule, user_of

_GREETINGS = frozenset((
    "hi", "hello", "hey", "hiya", "howdy", "yo", "hi there", "hello there", "hey there", "good morning",
    "good afternoon", "good evening", "help me", "please help", "help me please", "where do i start",
    "where should i start", "how do i start", "how do i begin", "where do i begin", "get started",
    "getting started", "start", "what now", "what can you do", "what is this", "what is this bot",
))
HINT = "👋 New here? Say `/skill hi` for a quick tour, or `/skill help` for every command."

# Preset check-in times: (label, weekday 0=Mon, minute of the day).
PRESETS: tuple[tuple[str, int, int], ...] = (
    ("Mon 09:00", 0, 9 * 60), ("Wed 12:30", 2, 12 * 60 + 30), ("Fri 16:00", 4, 16 * 60), ("Sun 18:00", 6, 18 * 60),
)


def is_greeting(parsed: Parsed) -> bool:
    """"hi", "Hello!", "where do I start?": small talk that deserves a welcome, not a search."""
    if parsed.verb not in ("question", "help"):
        return False
    words = re.sub(r"[^\w\s]", " ", parsed.raw.lower()).split()
    return " ".join(words) in _GREETINGS


def wants_welcome(parsed: Parsed, first_contact: bool) -> bool:
    return is_greeting(parsed) or (first_contact and parsed.verb == "empty")


def welcome(deps: Deps, cmd: Command) -> Result:
    """A short welcome: pick a track, set the check-in time, or learn what this is."""
    owner = cmd.user.user_id
    tracks = tuple(Button(s.title, "track.join", s.id) for s in deps.catalog.skills)
    return Result.of(Reply(
        title=f"Hi{' ' + cmd.user.name if cmd.user.name else ''}! I'm Skillbot, your AI-engineering mentor 👋",
        sections=(
            ("Pick a track below to learn one step a week, with a short check-in from me each week. "
            "Or just ask me anything, e.g. `/skill what is mlops`."),
        ),
        buttons=(*tracks, Button("Set my check-in time", "onboard.schedule", pack(owner), Style.PRIMARY),
                 Button("What is this bot?", "onboard.about", pack(owner))),
    ))


def with_hint(result: Result) -> Result:
    """A first command answered as usual, with one welcome line under the last reply."""
    if not result.replies:
        return result
    last = result.replies[-1]
    return Result(replies=[*result.replies[:-1], replace(last, sections=(*last.sections, HINT))], posts=result.posts)


def zone_unknown(cmd: Command, user: UserRecord) -> bool:
    """The platform gave no zone (Discord never does) and the learner hasn't told us one."""
    return cmd.user.tz is None and not user.schedule_set and user.checkin_tz == "UTC"


def schedule_question(cmd: Command, user: UserRecord) -> tuple[str, tuple[Button, ...]]:
    """'When should your check-in come?' with preset buttons (in the learner's zone)."""
    owner = cmd.user.user_id
    text = ("When should your weekly check-in come? Pick a time below, or type your own, e.g. "
            "`/skill schedule thu 08:30`.")
    if zone_unknown(cmd, user):
        text += ("\nI don't know your time zone yet, so these are in UTC. Tell me with your city or zone, e.g. "
                 "`/skill schedule berlin` or `/skill schedule fri 17:30 America/New_York`.")
    buttons = tuple(Button(label, "schedule.set", pack(day, minute, user.checkin_tz, owner))
                    for label, day, minute in PRESETS)
    return text, buttons


def schedule_button(deps: Deps, cmd: Command) -> Result:
    """A preset time, or a suggested zone confirmed: weekday|minute|zone|owner."""
    day, minute, zone, owner = unpack(cmd.value, 4)
    require_owner(cmd, owner)
    if not (day.isdigit() and minute.isdigit()):
        raise UserError("That button no longer works. Try `/skill schedule <weekday> <HH:MM> [zone]`.")
    user = user_of(deps, cmd)
    return Result.of(save_schedule(deps, user, Weekly(int(day), int(minute), parse_zone(zone))))


def ask_schedule(deps: Deps, cmd: Command) -> Result:
    (owner,) = unpack(cmd.value, 1)
    require_owner(cmd, owner)
    text, buttons = schedule_question(cmd, user_of(deps, cmd))
    return Result.of(Reply(title="Your weekly check-in", sections=(text,), buttons=buttons))


def about(deps: Deps, cmd: Command) -> Result:
    help_card = cards.help_reply()
    return Result.of(Reply(
        title="What is Skillbot?",
        sections=(
            (f"A mentor for people growing into AI engineering. I answer questions about {len(deps.catalog.skills)} "
            "skills from a hand-written guide, keep you on a weekly learning track with one check-in a week at the "
            "time you choose, and, if your team wants, share progress in a team channel (only if you opt in)."),
            *help_card.sections[1:],
        ),
    ))
