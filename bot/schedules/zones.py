"""Time zones: reading a zone name, autocomplete choices, and local wall time -> instant
by the DST policy (``resolve_local``)."""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from bot.schedules.errors import InvalidTimezoneError

_TZ_ALIASES = {
    "utc": "UTC",
    "gmt": "UTC",
    "z": "UTC",
    "zulu": "UTC",
    "universal": "UTC",
    "etc/utc": "UTC",
    "etc/gmt": "UTC",
    "utc+0": "UTC",
    "gmt+0": "UTC",
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern": "America/New_York",
    "cst": "America/Chicago",
    "cdt": "America/Chicago",
    "central": "America/Chicago",
    "mdt": "America/Denver",
    "mountain": "America/Denver",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "bst": "Europe/London",
    "aest": "Australia/Sydney",
    "aedt": "Australia/Sydney",
}
_TZ_HIDDEN = {"Factory", "localtime", "posixrules", "leapseconds"}
_TZ_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)
POPULAR_TIMEZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Toronto",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Asia/Manila",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
    "Africa/Johannesburg",
    "Africa/Lagos",
)


@functools.cache
def _zone_keys() -> tuple[str, ...]:
    return tuple(sorted(k for k in zoneinfo.available_timezones() if k not in _TZ_HIDDEN))


@functools.cache
def _zone_index() -> dict[str, str]:
    return {key.lower(): key for key in _zone_keys()}


@functools.cache
def _city_index() -> dict[str, tuple[str, ...]]:
    cities: dict[str, list[str]] = {}
    for key in _zone_keys():
        if "/" in key:
            cities.setdefault(key.rsplit("/", 1)[1].lower(), []).append(key)
    return {city: tuple(keys) for city, keys in cities.items()}


#: What a zone pasted from a guide or a chat may be wrapped in: backticks and quotes.
_WRAPPERS = "`'\"\u201c\u201d\u2018\u2019\u00ab\u00bb "


def unwrap_zone(name: str | None) -> str:
    """The zone as typed without the backticks, quotes and spaces around it."""
    return (name or "").strip().strip(_WRAPPERS).strip()


def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    """``Europe/London``, ``europe/london``, ``London``, ``new york``, ``UTC``, ``GMT``, ``EST``;
    pasted as the guides show it (in backticks) or in quotes, too."""
    raw = unwrap_zone(name)
    if not raw or len(raw) > 100:
        raise InvalidTimezoneError(raw)
    lowered = " ".join(raw.lower().split())
    underscored = lowered.replace(" ", "_")
    key = (
        _TZ_ALIASES.get(lowered)
        or _zone_index().get(lowered)
        or _zone_index().get(underscored)
        or _TZ_ALIASES.get(underscored)
    )
    if key is None:
        candidates = _city_index().get(underscored, ())
        regional = [c for c in candidates if c.startswith(_TZ_REGIONS)] or list(candidates)
        if len(regional) == 1:
            key = regional[0]
        elif regional:
            raise InvalidTimezoneError(raw, regional[:5])
    if key is None:
        raise InvalidTimezoneError(raw, _suggest_zones(underscored))
    try:
        return zoneinfo.ZoneInfo(key)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - tzdata gap
        raise InvalidTimezoneError(raw, _suggest_zones(underscored)) from exc


def _suggest_zones(lowered: str, n: int = 5) -> list[str]:
    index = _zone_index()
    found = difflib.get_close_matches(lowered, list(index), n=n, cutoff=0.6)
    # Also compare with the city part alone: "londn" -> "Europe/London".
    cities = _city_index()
    for city in difflib.get_close_matches(lowered, list(cities), n=n, cutoff=0.7):
        found.extend(c.lower() for c in cities[city])
    result: list[str] = []
    for lower in found:
        key = index[lower]
        if key not in result:
            result.append(key)
    return result[:n]


def timezone_choices(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for Discord autocomplete: case-insensitive substring match, best first.

    Ranking: names starting with the text, then names with a part (e.g. the city) starting with
    it, then any other substring match; alphabetical within a rank. An empty prefix gives a
    short list of popular zones.
    """
    needle = " ".join((prefix or "").lower().split()).replace(" ", "_")
    if limit <= 0:
        return []
    if not needle:
        return list(POPULAR_TIMEZONES[:limit])
    ranked: list[tuple[int, str]] = []
    for key in _zone_keys():
        lower = key.lower()
        pos = lower.find(needle)
        if pos < 0:
            continue
        if pos == 0:
            rank = 0
        elif any(part.startswith(needle) for part in re.split(r"[/_\-]", lower)):
            rank = 1
        else:
            rank = 2
        # Prefer the regional names over legacy links such as "US/Eastern".
        ranked.append((rank * 2 + (0 if key.startswith(_TZ_REGIONS) else 1), key))
    alias = _TZ_ALIASES.get(needle)
    result = [alias] if alias else []
    for _, key in sorted(ranked):
        if key not in result:
            result.append(key)
    return result[:limit]


# -- Local time -> instant, with the DST policy ----------------------------------------
def _wall(seconds: int, tz: tzinfo) -> datetime:
    return datetime.fromtimestamp(seconds, tz).replace(tzinfo=None)


def resolve_local(naive: datetime, tz: tzinfo) -> datetime:
    """The UTC instant at which local wall time ``naive`` happens in ``tz``, by the DST policy.

    A repeated time resolves to its first occurrence; a time inside a gap to the first instant
    after the gap (the transition itself). Everything else resolves exactly.
    """
    naive = naive.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=tz).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == naive:
        return first
    # In a gap. fold=0 used the offset from before the transition (an instant after it), fold=1
    # the one from after it (an instant before it): the transition is the first instant in
    # between whose wall time is past ``naive``.
    other = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = sorted((int(first.timestamp()), int(other.timestamp())))
    if _wall(lo, tz) > naive:  # pragma: no cover - defensive, not a PEP 495 zone
        return datetime.fromtimestamp(lo, UTC)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _wall(mid, tz) > naive:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


@dataclass(frozen=True)
class ClockChange:
    """A local wall time the clocks change around: ``skipped`` (it does not exist, the clocks
    go forward over it) or, when False, it happens twice (the clocks go back over it);
    ``after`` is the first wall time past the change's range, which happens exactly once
    (02:00 for both of Europe/London's changes)."""

    skipped: bool
    after: datetime


def clock_change(naive: datetime, tz: tzinfo) -> ClockChange | None:
    """Whether local wall time ``naive`` is skipped or repeated in ``tz`` (None: it happens
    exactly once), for a caller that would rather ask than apply ``resolve_local``'s policy."""
    naive = naive.replace(tzinfo=None, fold=0)
    first = naive.replace(tzinfo=tz).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if first == second:
        return None
    # The change is the one instant between the two readings where the offset moves.
    lo, hi = sorted((int(first.timestamp()), int(second.timestamp())))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _offset(mid, tz) == _offset(lo, tz):
            lo = mid
        else:
            hi = mid
    after = datetime.fromtimestamp(hi, UTC).replace(tzinfo=None) + max(
        _offset(lo, tz), _offset(hi, tz)
    )
    skipped = first.astimezone(tz).replace(tzinfo=None) != naive
    return ClockChange(skipped, after)


def _offset(seconds: int, tz: tzinfo) -> timedelta:
    return datetime.fromtimestamp(seconds, tz).utcoffset() or timedelta()
