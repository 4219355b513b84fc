"""Weekly schedules in the user's own zone: parsing "/skill schedule fri 17:30 Europe/Berlin" and
finding the next occurrence in UTC.

DST is resolved deliberately: a local time that does not exist that day (clocks jump forward over
it) happens at the same distance past the jump, e.g. 02:30 becomes 03:30; a local time that
happens twice (clocks go back) happens at its first occurrence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.model import UserError
from bot.core.timezones import available_zones, parse_zone  # noqa: F401 - re-exported for callers

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Weekly:
    weekday: int  # 0 = Monday
    minute: int  # minute of the local day
    tz: str

    def describe(self) -> str:
        return f"{WEEKDAYS[self.weekday].capitalize()} {self.minute // 60:02d}:{self.minute % 60:02d} ({self.tz})"


def parse_weekday(word: str) -> int:
    """"mon", "Monday", "tues", "fridays": any unambiguous prefix of at least two letters."""
    cleaned = word.strip().lower().rstrip(".,")
    if cleaned.endswith("s") and cleaned[:-1] in WEEKDAYS:
        cleaned = cleaned[:-1]
    hits = [i for i, name in enumerate(WEEKDAYS) if len(cleaned) >= 2 and name.startswith(cleaned)]
    if len(hits) == 1:
        return hits[0]
    raise UserError(f"I don't know the weekday “{word[:30]}”. Try mon, tue, wed, thu, fri, sat or sun.")


def parse_time(word: str) -> int:
    match = _TIME_RE.match(word.strip())
    if not match:
        raise UserError(f"“{word[:30]}” isn't a time I understand. Use HH:MM, e.g. 09:00 or 17:30.")
    hour, minute, ampm = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if ampm:
        if not 1 <= hour <= 12:
            raise UserError(f"“{word[:30]}” isn't a valid time.")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UserError(f"“{word[:30]}” isn't a valid time: hours go 0-23 and minutes 0-59.")
    return hour * 60 + minute


def parse_weekly(args: str, default_tz: str) -> Weekly:
    """"mon 9:00", "friday 17:30 Europe/Berlin", "tue 8am", "mon 9:00 new york".

    A zone that needs confirming (EST, UTC+2, berlin) raises ZoneSuggestion with `weekly` set to the
    day and time, so the confirmation button can carry all three.
    """
    words = args.split()
    if len(words) < 2:
        raise UserError("Tell me a weekday and a time, e.g. `/skill schedule mon 09:00 Europe/Berlin`.")
    if len(words) > 4:
        raise UserError("That's more than a weekday, a time and a zone. Example: `fri 17:30 Europe/Berlin`.")
    weekday = parse_weekday(words[0])
    minute = parse_time(words[1])
    return Weekly(weekday, minute, parse_zone(" ".join(words[2:])) if len(words) > 2 else safe_zone(default_tz))


def safe_zone(name: str | None) -> str:
    try:
        ZoneInfo(name or "UTC")
        return name or "UTC"
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"


def local_instant(day: date, minute: int, tz: str) -> datetime:
    """The UTC instant of a local wall time on a day, resolving DST gaps and overlaps as above."""
    zone = ZoneInfo(tz)
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)  # fold=0: first occurrence
    return wall.astimezone(UTC)


def next_occurrence(weekly: Weekly, after: datetime) -> datetime:
    """The first weekly instant strictly after `after` (UTC)."""
    zone = ZoneInfo(weekly.tz)
    local_today = after.astimezone(zone).date()
    start = local_today - timedelta(days=1)  # a day back covers any offset edge
    for offset in range(16):
        day = start + timedelta(days=offset)
        if day.weekday() != weekly.weekday:
            continue
        instant = local_instant(day, weekly.minute, weekly.tz)
        if instant > after:
            return instant
    raise AssertionError("unreachable: a weekday recurs within 8 days")


def latest_occurrence(weekly: Weekly, at: datetime) -> datetime:
    """The last weekly instant at or before `at` (UTC): what a catch-up after an outage sends."""
    latest = next_occurrence(weekly, at - timedelta(days=8))  # at most 8 days back, so never after `at`
    while (following := next_occurrence(weekly, latest)) <= at:
        latest = following
    return latest


def week_key(instant: datetime, tz: str) -> str:
    """ISO week of an instant in a zone, e.g. 2026-W48: the identity of one weekly check-in."""
    year, week, _ = instant.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def week_label(week: str) -> str:
    """A week key (2026-W49) as people say it: "week of 30 Nov" (its Monday)."""
    try:
        monday = date.fromisocalendar(int(week[:4]), int(week.split("W")[1]), 1)
    except (ValueError, IndexError):
        return week
    return f"week of {monday.day} {monday:%b}"


def format_local(instant: datetime, tz: str) -> str:
    local = instant.astimezone(ZoneInfo(tz))
    return local.strftime("%A %d %B %Y, %H:%M ") + (local.tzname() or tz)
