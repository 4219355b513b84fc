"""Time zones as people type them: abbreviations (EST), offsets (UTC+2), cities (berlin), near-misses
(America/New York). Anything that is not already an unambiguous IANA name gets a suggestion the user
confirms, because a wrong zone means a check-in an hour off all summer.
"""
from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from bot.core.model import UserError

_SUMMER = "clocks change in summer"
_NO_SUMMER = "no summer time there"

# Abbreviations name a region's clocks, not a zone: EST is also a real IANA zone, but a fixed UTC-5
# one, so a New Yorker who picked it would be an hour late every summer.
ABBREVIATIONS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(("est", "edt", "et", "eastern"), ("America/New_York", _SUMMER)),
    **dict.fromkeys(("cst", "cdt", "ct", "central"), ("America/Chicago", _SUMMER)),
    **dict.fromkeys(("mst", "mdt", "mt", "mountain"), ("America/Denver", _SUMMER)),
    **dict.fromkeys(("pst", "pdt", "pt", "pacific"), ("America/Los_Angeles", _SUMMER)),
    **dict.fromkeys(("akst", "akdt"), ("America/Anchorage", _SUMMER)),
    "hst": ("Pacific/Honolulu", _NO_SUMMER),
    **dict.fromkeys(("bst", "uk"), ("Europe/London", _SUMMER)),
    **dict.fromkeys(("cest",), ("Europe/Berlin", _SUMMER)),
    **dict.fromkeys(("ist",), ("Asia/Kolkata", _NO_SUMMER)),
    **dict.fromkeys(("jst",), ("Asia/Tokyo", _NO_SUMMER)),
    **dict.fromkeys(("aest", "aedt"), ("Australia/Sydney", _SUMMER)),
    **dict.fromkeys(("sgt",), ("Asia/Singapore", _NO_SUMMER)),
    **dict.fromkeys(("nzst", "nzdt"), ("Pacific/Auckland", _SUMMER)),
}

# Big cities that are not themselves the name of a zone.
CITIES: dict[str, str] = {
    **dict.fromkeys(("nyc", "boston", "washington", "miami", "atlanta", "philadelphia"), "America/New_York"),
    **dict.fromkeys(("sf", "san_francisco", "seattle", "la", "san_diego", "portland"), "America/Los_Angeles"),
    **dict.fromkeys(("austin", "dallas", "houston"), "America/Chicago"),
    "montreal": "America/Toronto",
    **dict.fromkeys(("munich", "frankfurt", "hamburg", "cologne"), "Europe/Berlin"),
    **dict.fromkeys(("barcelona",), "Europe/Madrid"),
    **dict.fromkeys(("milan",), "Europe/Rome"),
    **dict.fromkeys(("bangalore", "bengaluru", "mumbai", "delhi", "new_delhi", "chennai", "hyderabad", "pune"),
                    "Asia/Kolkata"),
    **dict.fromkeys(("beijing", "shenzhen"), "Asia/Shanghai"),
}

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)
_SKIP_PREFIXES = ("posix/", "right/", "Etc/", "SystemV/", "US/", "Canada/", "Mexico/", "Brazil/", "Chile/")


class ZoneSuggestion(UserError):
    """What the user typed is not a zone to use as is; `zone` is our guess, `why` one short reason."""

    def __init__(self, typed: str, zone: str, why: str = ""):
        self.typed, self.zone, self.why = typed, zone, why
        super().__init__(self.question)

    @property
    def question(self) -> str:
        reason = f": {self.why}" if self.why else ""
        return f"{self.typed} → {self.zone}{reason}; use it?"


@cache
def available_zones() -> frozenset[str]:
    """Every IANA name this machine knows (static for the process)."""
    return frozenset(available_timezones()) | {"UTC"}


@cache
def _by_city() -> dict[str, str]:
    """'berlin' -> Europe/Berlin, 'new_york' -> America/New_York: the last part of each regional zone."""
    cities: dict[str, str] = {}
    for zone in sorted(available_zones()):
        if "/" in zone and not zone.startswith(_SKIP_PREFIXES):
            cities.setdefault(zone.rsplit("/", 1)[1].lower(), zone)
    return cities


def parse_zone(word: str) -> str:
    """An IANA zone name as typed (any case); raises ZoneSuggestion or UserError otherwise."""
    typed = word.strip()
    lowered = typed.lower()
    if lowered in ("utc", "gmt", "z", "etc/utc"):
        return "UTC"
    if lowered in ABBREVIATIONS:  # before the IANA check: EST, MST and HST are real but fixed zones
        zone, why = ABBREVIATIONS[lowered]
        raise ZoneSuggestion(typed, zone, why)
    exact = {z.lower(): z for z in available_zones()}.get(lowered)
    if exact and "/" in exact:
        return exact
    suggestion = suggest(typed)
    if suggestion:
        raise suggestion
    if exact:
        return exact
    raise UserError(
        f"“{typed[:40]}” isn't a time zone I know. Type your city (`berlin`, `new york`) or an IANA name "
        "such as Europe/Berlin, America/New_York or Asia/Kolkata."
    )


def suggest(typed: str) -> ZoneSuggestion | None:
    """Our best guess for an offset, a city or a near-miss of an IANA name; None when there is none."""
    offset = _OFFSET.match(typed.replace(" ", ""))
    if offset:
        sign, hours = offset.group(1), int(offset.group(2))
        if hours > 14:
            return None
        fixed = "UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"  # POSIX signs are inverted
        return ZoneSuggestion(typed, fixed, "a fixed offset with no summer time (if your clocks change, type your "
                                           "city instead, e.g. `berlin`)")
    key = re.sub(r"[\s\-]+", "_", typed.strip().lower())
    full = {z.lower(): z for z in available_zones()}.get(key)
    if full:
        return ZoneSuggestion(typed, full)
    zone = CITIES.get(key) or _by_city().get(key.rsplit("/", 1)[-1])
    return ZoneSuggestion(typed, zone) if zone else None
