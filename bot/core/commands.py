"""The one command table: every /skill verb, its aliases, whether it takes arguments, its help line.

The parser, the help card, Discord's autocomplete and Slack's usage hint are all generated from it;
nothing else lists the verbs.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    verb: str
    aliases: tuple[str, ...] = ()
    takes_args: bool = True
    help: str = ""  # a help-card line; empty when another verb's line covers this one
    help_order: int = 0  # position of the help line on the card
    admin_only: bool = False  # the whole verb is for admins (team's admin parts check inside)
    suggest: bool = True  # offered by Discord's autocomplete
    usage: str = ""  # an example for Slack's usage hint


# In Discord autocomplete order.
COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec("ask", ("search", "find"), help_order=0, suggest=False,
                help="`/skill <skill or question>`: a skill card or an answer, e.g. `/skill mlops`, "
                     "`/skill what is lora?`"),
    CommandSpec("track", ("join", "enroll", "enrol", "tracks"), help_order=2, usage="track mlops",
                help="`/skill track <skill>`: start a weekly learning track; `/skill progress` shows where you are"),
    CommandSpec("progress", ("status", "me"), takes_args=False, usage="progress"),
    CommandSpec("done", ("complete", "finished"), help_order=3, usage="done",
                help="`/skill done [note]` · `/skill skip` · `/skill undo`: finish, skip or take back this week's step"),
    CommandSpec("skip", takes_args=False),
    CommandSpec("undo", takes_args=False),
    CommandSpec("pause", takes_args=False, help_order=4, help="`/skill pause` · `/skill resume` · `/skill leave`"),
    CommandSpec("resume", ("unpause",), takes_args=False),
    CommandSpec("leave", ("quit", "stop"), takes_args=False),
    CommandSpec("schedule", ("when",), help_order=5,
                help="`/skill schedule <weekday> <HH:MM> [time zone]`: when your weekly check-in arrives"),
    CommandSpec("assess", help_order=8, usage="assess mlops",
                help="`/skill assess <skill>`: a short quiz that places you at entry, mid or senior level"),
    CommandSpec("matrix", takes_args=False, help_order=9, usage="matrix",
                help="`/skill matrix`: your level and track progress in every skill, with a picture"),
    CommandSpec("share"),
    CommandSpec("team", help_order=7,
                help="`/skill team` · `/skill team matrix` · `/skill share on|off`: sharing in team channels"),
    CommandSpec("export", takes_args=False, help_order=6,
                help="`/skill export` · `/skill forget-me`: your data, or none of it"),
    CommandSpec("forget-me", ("forgetme", "forget"), takes_args=False),
    CommandSpec("review", takes_args=False, help_order=10, usage="review",
                help="`/skill review`: a few quick recall questions on steps you've done; "
                     "`/skill recall on|off`: a question in your weekly check-in"),
    CommandSpec("recall", suggest=False),
    CommandSpec("help", ("?", "commands"), takes_args=False, usage="help"),
    CommandSpec("list", ("skills", "ls"), takes_args=False, help_order=1, help="`/skill list`: every skill"),
)

# Every spelling a user may type, mapped to its verb.
VERBS: dict[str, str] = {name: c.verb for c in COMMANDS for name in (c.verb, *c.aliases)}
NO_ARGS: frozenset[str] = frozenset(c.verb for c in COMMANDS if not c.takes_args)
HELP_LINES: tuple[str, ...] = tuple(c.help for c in sorted(COMMANDS, key=lambda c: c.help_order) if c.help)
SUGGESTED: tuple[str, ...] = tuple(c.verb for c in COMMANDS if c.suggest)


def usage_hint(example: str = "mlops") -> str:
    """Slack's one-line usage hint for /skill."""
    return " | ".join([example, *(c.usage for c in COMMANDS if c.usage)])
