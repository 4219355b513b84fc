"""Every stored state as a StrEnum: each member equals the string the database holds."""
from __future__ import annotations

from enum import StrEnum


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"
    LEFT = "left"


class StepKind(StrEnum):
    """A recorded step, and a check-in's answer (which may also be a snooze)."""

    DONE = "done"
    SKIPPED = "skipped"
    SNOOZED = "snoozed"


class CheckinStatus(StrEnum):
    """A check-in delivery, from claim to outcome."""

    SCHEDULED = "scheduled"  # a snoozed repeat waiting for its time
    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    PAUSED = "paused"  # sent as the pause note; the track was paused
    RETRY = "retry"
    RELEASED = "released"  # handed back at shutdown
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    LOST = "lost"  # the process died mid-send: it may have arrived, so never resent
    EXPIRED = "expired"
    UNCERTAIN = "uncertain"  # the platform may have taken it (dropped connection, timeout, 5xx): never resent


class DigestStatus(StrEnum):
    """A team digest delivery, from claim to outcome."""

    CLAIMED = "claimed"
    SENDING = "sending"
    SENT = "sent"
    RETRY = "retry"
    GONE = "gone"  # the channel is gone; digests switched off
    FAILED = "failed"
    EXPIRED = "expired"
    UNCERTAIN = "uncertain"  # the platform may have taken it: never posted again


def sql_in(column: str, states: type[StrEnum]) -> str:
    """A CHECK constraint's text: the column holds one of the enum's values."""
    return f"{column} IN ({', '.join(repr(s.value) for s in states)})"


class QuestionOutcome(StrEnum):
    """What became of a logged question: answered with a card, or refused with "I don't know that yet"."""

    ANSWERED = "answered"
    REFUSED = "refused"


class Vote(StrEnum):
    """A 👍/👎 on an answer."""

    UP = "up"
    DOWN = "down"


class AssessmentStatus(StrEnum):
    """A placement assessment: being answered, finished with a level, or replaced by a fresh start."""

    OPEN = "open"
    FINISHED = "finished"
    ABANDONED = "abandoned"


class Level(StrEnum):
    """An assessed level, lowest first: `new` means below entry."""

    NEW = "new"
    ENTRY = "entry"
    MID = "mid"
    SENIOR = "senior"
