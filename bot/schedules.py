"""The schedule language and recurrence engine: pure Python, no Discord, no database.

Everything here works in *local wall-clock time* of an IANA zone and hands back timezone-aware
UTC instants. "09:00 Europe/London" fires at 09:00 London time on both sides of a DST change.

DST policy (see ``docs/schedules.md``):

- a local time that does not exist (the spring-forward gap, e.g. 01:30 Europe/London on the
  last Sunday of March) fires once, at the first valid instant after the gap (the transition
  itself: 02:00 BST). Several times inside the same gap collapse into that one run;
- a local time that occurs twice (fall-back, 01:30 on the last Sunday of October) fires once,
  at its first occurrence (``fold=0``, 01:30 BST);
- every other local time fires exactly at that local time.

``Schedule.next_runs`` implements this directly. ``Schedule.to_trigger`` wraps APScheduler's
``CronTrigger`` so that both agree (the tests hold them to that). Left alone, ``CronTrigger``
in APScheduler 3.11 fires a gap time one gap-length late (01:30 -> 02:30 BST), fires a repeated
time twice, and can skip a gap time altogether when it steps from one hour to the next across
the transition. The wrapper therefore runs ``CronTrigger`` over *wall-clock* time (in UTC,
where there is no DST) and maps each candidate wall time to an instant by the policy.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.errors import InvalidInputError

__all__ = [
    "DEFAULT_MIN_INTERVAL",
    "ClockParseError",
    "DurationParseError",
    "HoursParseError",
    "InvalidTimezoneError",
    "Schedule",
    "ScheduleError",
    "ScheduleParseError",
    "ScheduleTooFrequentError",
    "ScheduleTrigger",
    "UntilParseError",
    "WeekdayParseError",
    "WeeklyHours",
    "ensure_min_interval",
    "parse_clock",
    "parse_duration",
    "parse_hours",
    "parse_schedule",
    "parse_timezone",
    "parse_until",
    "parse_weekday",
    "resolve_local",
    "timezone_choices",
]

DEFAULT_MIN_INTERVAL = timedelta(hours=1)
MAX_INPUT_LENGTH = 200
MAX_EVERY_WEEKS = 52

#: Week parity for "every N weeks" is counted from this Monday unless the schedule has an anchor.
EPOCH_MONDAY = date(2000, 1, 3)

# A schedule whose matching days are further apart than this is treated as exhausted. The
# sparsest accepted schedule ("cron: 0 0 29 2 *") skips 8 years around 2100.
_MAX_IDLE_DAYS = 366 * 9

DAY_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset({5, 6})
ALL_DAYS = frozenset(range(7))

SCHEDULE_EXAMPLES = (
    "`daily 20:00`, `weekdays 9am`, `mon,wed,fri 18:30`, `daily 09:00, 21:00`, "
    "`every 2 weeks on sunday 17:00`, `every 3 hours` or `cron: 0 9 * * 1-5`"
)
HOURS_EXAMPLES = "`mon-fri 08:00-16:30`, `mon,wed 18:00-22:00; sat 10:00-14:00`, `fri 22:00-02:00`"
CLOCK_EXAMPLES = "`20:00`, `8pm` or `8:30 am`"
DURATION_EXAMPLES = "`30m`, `2h`, `1h30m`, `90 minutes` or `3 days`"


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
class ScheduleError(InvalidInputError, ValueError):
    """Base for every error in this module; ``user_message`` can be shown to a user verbatim."""


class ScheduleParseError(ScheduleError):
    """Text that isn't a schedule. ``reason`` says what was wrong, ``text`` what was typed."""

    examples = SCHEDULE_EXAMPLES
    what = "a schedule"

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        shown = _shorten(text)
        message = f"I couldn't read “{shown}” as {self.what}: {reason}. Try {self.examples}."
        super().__init__(message)


class ClockParseError(ScheduleParseError):
    examples = CLOCK_EXAMPLES
    what = "a time of day"


class WeekdayParseError(ScheduleParseError):
    examples = "`mon`, `Monday`, `tue`, `weekdays` or `weekends`"
    what = "a day of the week"


class HoursParseError(ScheduleParseError):
    examples = HOURS_EXAMPLES
    what = "opening hours"


class DurationParseError(ScheduleParseError):
    examples = DURATION_EXAMPLES
    what = "a duration"


class UntilParseError(ScheduleParseError):
    examples = "`until 17:00`, `until 5pm`, `for 2h`, `for 90 minutes`"
    what = "an end time"


class InvalidTimezoneError(ScheduleError):
    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        message = f"“{_shorten(name)}” isn't a time zone I know."
        if self.suggestions:
            message += " Did you mean " + _join_or([f"`{s}`" for s in self.suggestions]) + "?"
        message += (
            " Use an IANA zone name such as `Europe/London`, `America/New_York` or "
            "`Asia/Kolkata` (or `UTC`), so daylight saving time is handled for you."
        )
        super().__init__(message)


class ScheduleTooFrequentError(ScheduleError):
    def __init__(self, schedule: Schedule, minimum: timedelta) -> None:
        self.schedule = schedule
        self.minimum = minimum
        super().__init__(
            f"“{schedule.describe()}” runs too often: runs here must be at least "
            f"{format_duration(minimum)} apart, but this one has runs only "
            f"{format_duration(schedule.min_interval())} apart. Try fewer times, e.g. "
            "`daily 09:00` or `every 2 hours`."
        )


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join_and(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _join_or(items: list[str]) -> str:
    return _join_and(items, "or")


def format_duration(delta: timedelta) -> str:
    """``1 hour``, ``1 hour 30 minutes``, ``2 days``: for messages."""
    minutes = int(delta.total_seconds() // 60)
    parts = []
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        value, minutes = divmod(minutes, size)
        if value:
            parts.append(f"{value} {unit}{'s' if value != 1 else ''}")
    return " ".join(parts) or f"{int(delta.total_seconds())} seconds"


def _normalize(text: str) -> str:
    """Lower-case, strip accents, collapse whitespace."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


# ---------------------------------------------------------------------------------------------
# Time zones
# ---------------------------------------------------------------------------------------------
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


def parse_timezone(name: str) -> zoneinfo.ZoneInfo:
    """``Europe/London``, ``europe/london``, ``London``, ``new york``, ``UTC``, ``GMT``, ``EST``."""
    raw = (name or "").strip()
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


# ---------------------------------------------------------------------------------------------
# Small parsers
# ---------------------------------------------------------------------------------------------
_WEEKDAY_WORDS: dict[str, int] = {}
for _i, _names in enumerate(
    (
        ("mon", "monday", "mo", "lun", "lunes", "lundi", "montag", "lunedi"),
        ("tue", "tues", "tuesday", "tu", "mar", "martes", "mardi", "dienstag", "martedi"),
        ("wed", "weds", "wednesday", "we", "mie", "miercoles", "mer", "mercredi", "mittwoch"),
        ("thu", "thur", "thurs", "thursday", "th", "jue", "jueves", "jeu", "jeudi", "donnerstag"),
        ("fri", "friday", "fr", "vie", "viernes", "ven", "vendredi", "freitag", "venerdi"),
        ("sat", "saturday", "sa", "sab", "sabado", "sam", "samedi", "samstag", "sabato"),
        ("sun", "sunday", "su", "dom", "domingo", "dim", "dimanche", "sonntag", "domenica"),
    )
):
    for _name in _names:
        _WEEKDAY_WORDS[_name] = _i


def parse_weekday(text: str) -> int:
    """``mon``/``Monday``/``mondays``/``lun`` -> 0 (Monday) ... 6 (Sunday)."""
    word = _normalize(text).rstrip(".")
    if word in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[word]
    if word.endswith("s") and word[:-1] in _WEEKDAY_WORDS and len(word) > 3:
        return _WEEKDAY_WORDS[word[:-1]]
    close = difflib.get_close_matches(word, [n.lower() for n in DAY_NAMES], n=1, cutoff=0.6)
    hint = f"did you mean {close[0].capitalize()}?" if close else "use a day name"
    raise WeekdayParseError(text, f"“{_shorten(text, 20)}” isn't a day of the week ({hint})")


def _parse_days(text: str, original: str, error: type[ScheduleParseError]) -> frozenset[int]:
    """``weekdays``, ``mon,wed,fri``, ``tue and thu``, ``mon-fri``, ``sat & sun`` ..."""
    text = re.sub(r"\s*([-–])\s*", r"\1", text.strip())
    text = re.sub(r"^(?:on|every|each)\s+", "", text)
    text = re.sub(r"^(?:on|every|each)\s+", "", text)
    if text in {"", "day", "days", "daily", "everyday", "every day", "each day", "all days"}:
        return ALL_DAYS
    days: set[int] = set()
    for token in re.split(r"\s*(?:,|/|&|\band\b|\bplus\b|\s)\s*", text):
        if not token:
            continue
        if token in {"daily", "everyday", "day", "days"}:
            days |= ALL_DAYS
        elif token in {"weekday", "weekdays", "workdays", "workday"}:
            days |= WEEKDAYS
        elif token in {"weekend", "weekends"}:
            days |= WEEKENDS
        elif "-" in token or "–" in token:
            bounds = re.split(r"[-–]", token)
            if len(bounds) != 2:
                raise error(original, f"“{token}” isn't a range of days like `mon-fri`")
            first, last = (_day_or(b, original, error) for b in bounds)
            span = (last - first) % 7
            days |= {(first + k) % 7 for k in range(span + 1)}
        else:
            days.add(_day_or(token, original, error))
    if not days:
        raise error(original, "no days given")
    return frozenset(days)


def _day_or(token: str, original: str, error: type[ScheduleParseError]) -> int:
    try:
        return parse_weekday(token)
    except WeekdayParseError as exc:
        raise error(original, exc.reason) from None


_AMPM = r"(?:a\.?m\.?|p\.?m\.?)"
_CLOCK_RE = re.compile(
    rf"^(?P<h>\d{{1,2}})(?:(?:[:.h])(?P<m>\d{{2}}))?\s*(?P<ampm>{_AMPM})?$", re.ASCII
)
# A time of day inside a longer text. It needs a colon, "h" + minutes or am/pm, so neither
# "every 2 weeks" nor the duration "2h" is a time.
_TIME_TOKEN = (
    rf"(?:(?<!\d)(?:\d{{1,2}}(?:[:.]\d{{2}})?\s*{_AMPM}(?![a-z])|\d{{1,2}}[:h]\d{{2}})"
    r"|\bnoon\b|\bmidnight\b)"
)
_TIME_TOKEN_RE = re.compile(_TIME_TOKEN, re.ASCII)


def parse_clock(text: str) -> time:
    """``20:00``, ``8pm``, ``8:30 am``, ``12am`` (midnight), ``noon``, ``20h30`` -> ``time``."""
    word = _normalize(text or "")
    if word in {"noon", "midday"}:
        return time(12, 0)
    if word == "midnight":
        return time(0, 0)
    match = _CLOCK_RE.match(word)
    if not match:
        raise ClockParseError(text, "that isn't a time of day")
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    ampm = match["ampm"]
    if match["m"] is None and ampm is None:
        raise ClockParseError(text, f"add minutes or am/pm, e.g. `{hour}:00` or `{hour}pm`")
    if minute > 59:
        raise ClockParseError(text, "minutes go from 00 to 59")
    if ampm:
        if not 1 <= hour <= 12:
            raise ClockParseError(text, "with am/pm, hours go from 1 to 12")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif hour > 23:
        raise ClockParseError(text, "hours go from 00 to 23")
    return time(hour, minute)


_DURATION_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
}
_DURATION_PART = re.compile(r"(\d{1,6}(?:\.\d{1,3})?)\s*([a-z]+)", re.ASCII)
MAX_DURATION = timedelta(days=366)


def parse_duration(text: str) -> timedelta:
    """``30m``, ``2h``, ``1h30m``, ``1 hour 30 minutes``, ``90 minutes``, ``3 days``, ``1.5h``."""
    word = _normalize(text or "")
    if not word:
        raise DurationParseError(text, "it's empty")
    if len(word) > MAX_INPUT_LENGTH:
        raise DurationParseError(text, "it's too long")
    word = re.sub(r"^(?:for|in)\s+", "", word)
    if word in {"an hour", "a hour", "one hour"}:
        return timedelta(hours=1)
    if word in {"half an hour", "half hour"}:
        return timedelta(minutes=30)
    total = 0.0
    pos = 0
    seen = False
    while pos < len(word):
        sep = re.match(r"[\s,]*(?:and\s+)?", word[pos:])
        pos += sep.end() if sep else 0
        if pos >= len(word):
            break
        match = _DURATION_PART.match(word, pos)
        if not match or match[2] not in _DURATION_UNITS:
            if re.fullmatch(r"\d+", word):
                raise DurationParseError(text, f"add a unit, e.g. `{word}m` or `{word}h`")
            raise DurationParseError(text, "use numbers with units (m, h, d, w)")
        total += float(match[1]) * _DURATION_UNITS[match[2]]
        pos = match.end()
        seen = True
    if not seen or total <= 0:
        raise DurationParseError(text, "it must be longer than zero")
    duration = timedelta(seconds=round(total))
    if duration > MAX_DURATION:
        raise DurationParseError(text, "it can't be longer than a year")
    return duration


def parse_until(text: str, now: datetime, tz: tzinfo) -> datetime:
    """``until 17:00``/``17:00``/``5pm`` (the next such local time; earlier than now means
    tomorrow), ``for 2h``/``in 90 minutes``/``2h`` (from now), ``tomorrow 9am``."""
    _require_aware(now, "now")
    word = _normalize(text or "")
    if not word:
        raise UntilParseError(text, "it's empty")
    if len(word) > MAX_INPUT_LENGTH:
        raise UntilParseError(text, "it's too long")
    rest = re.sub(r"^(?:until|till|til|to|at)\s+", "", word)
    tomorrow = rest.startswith("tomorrow")
    if tomorrow:
        rest = re.sub(r"^tomorrow\s*(?:at\s+)?", "", rest)
    try:
        clock = parse_clock(rest)
    except ClockParseError:
        if tomorrow:
            raise UntilParseError(text, "give a time after “tomorrow”, e.g. `9am`") from None
        try:
            return (now + parse_duration(rest)).astimezone(UTC)
        except DurationParseError:
            raise UntilParseError(
                text, "give a time like `17:00` or a duration like `2h`"
            ) from None
    local_now = now.astimezone(tz)
    day = local_now.date() + timedelta(days=1 if tomorrow else 0)
    moment = resolve_local(datetime.combine(day, clock), tz)
    if moment <= now:
        moment = resolve_local(datetime.combine(day + timedelta(days=1), clock), tz)
    return moment


# ---------------------------------------------------------------------------------------------
# Local time -> instant, with the DST policy
# ---------------------------------------------------------------------------------------------
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


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _week_index(day: date) -> int:
    return (day - EPOCH_MONDAY).days // 7


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _fmt(clock: time) -> str:
    return f"{clock.hour:02d}:{clock.minute:02d}"


# ---------------------------------------------------------------------------------------------
# Cron
# ---------------------------------------------------------------------------------------------
_CRON_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    )
}
_CRON_DOWS = {name: i for i, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_FIELDS = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _CRON_MONTHS),
    ("day of week", 0, 7, _CRON_DOWS),
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


@dataclass(frozen=True)
class CronSpec:
    """A 5-field crontab: ``minute hour day-of-month month day-of-week``.

    ``dows`` use Monday=0 like the rest of this module (cron's 0 and 7 are Sunday = 6 here).
    As in Vixie cron, when both day fields are restricted a day matches either of them.
    """

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    doms: frozenset[int]
    months: frozenset[int]
    dows: frozenset[int]
    dom_star: bool
    dow_star: bool

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        dom_ok = day.day in self.doms
        dow_ok = day.weekday() in self.dows
        if self.dom_star or self.dow_star:
            return dom_ok and dow_ok
        return dom_ok or dow_ok


def _parse_cron(expression: str, original: str) -> CronSpec:
    fields = expression.split()
    if len(fields) != 5:
        raise ScheduleParseError(
            original,
            f"a cron expression needs exactly 5 fields (minute hour day month weekday), "
            f"got {len(fields)}",
        )
    values: list[frozenset[int]] = []
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        values.append(_parse_cron_field(text, name, low, high, names, original))
    minutes, hours, doms, months, raw_dows = values
    dows = frozenset((d - 1) % 7 for d in raw_dows)  # cron 0/7 = Sunday -> 6; 1 = Monday -> 0
    spec = CronSpec(
        expression=" ".join(fields),
        minutes=minutes,
        hours=hours,
        doms=doms,
        months=months,
        dows=dows,
        dom_star=fields[2].startswith("*"),
        dow_star=fields[4].startswith("*"),
    )
    either_day = not spec.dom_star and not spec.dow_star  # a weekday can always match
    if not either_day and not any(d <= _DAYS_IN_MONTH[m - 1] for m in months for d in doms):
        raise ScheduleParseError(original, "that day of the month never happens in those months")
    return spec


def _parse_cron_field(
    text: str, name: str, low: int, high: int, names: dict[str, int], original: str
) -> frozenset[int]:
    def number(token: str) -> int:
        if token in names:
            return names[token]
        if not re.fullmatch(r"\d{1,2}", token, re.ASCII):
            raise ScheduleParseError(original, f"“{token}” isn't valid in the cron {name} field")
        value = int(token)
        if not low <= value <= high:
            raise ScheduleParseError(
                original, f"the cron {name} field takes {low}-{high}, not {value}"
            )
        return value

    result: set[int] = set()
    for item in text.split(","):
        base, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not re.fullmatch(r"\d{1,2}", step_text, re.ASCII) or int(step_text) == 0:
                raise ScheduleParseError(original, f"“{item}” has a bad step in the cron {name}")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start, end = number(first), number(last)
            if start > end:
                raise ScheduleParseError(original, f"“{base}” is a backwards range in the {name}")
        else:
            start = number(base)
            end = high if step_text else start
        result.update(range(start, end + 1, step))
    if not result:  # pragma: no cover - every branch adds at least one value
        raise ScheduleParseError(original, f"the cron {name} field is empty")
    return frozenset(result)


# ---------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------
ScheduleKind = Literal["weekly", "hourly", "cron"]


@dataclass(frozen=True)
class Schedule:
    """A recurring schedule in local wall-clock time. Build one with ``parse_schedule``.

    - ``weekly``: ``times`` on ``weekdays`` (Monday=0), every ``every_weeks`` weeks; for
      ``every_weeks > 1`` the weeks that fire are those ``k * every_weeks`` weeks from
      ``anchor`` (a Monday), or from ``EPOCH_MONDAY`` (2000-01-03) when there is no anchor;
    - ``hourly``: every ``every_hours`` hours (a divisor of 24) at minute ``times[0].minute``,
      counted from local midnight;
    - ``cron``: a 5-field crontab in ``cron``.
    """

    kind: ScheduleKind
    times: tuple[time, ...]
    weekdays: frozenset[int] = ALL_DAYS
    every_weeks: int = 1
    anchor: date | None = None
    every_hours: int = 1
    cron: CronSpec | None = field(default=None)

    # -- matching ----------------------------------------------------------------------------
    def _anchor_week(self) -> int:
        return _week_index(self.anchor) if self.anchor else 0

    def _day_matches(self, day: date) -> bool:
        if self.kind == "cron":
            assert self.cron is not None
            return self.cron.day_matches(day)
        if self.kind == "hourly":
            return True
        if day.weekday() not in self.weekdays:
            return False
        return self.every_weeks == 1 or (
            (_week_index(day) - self._anchor_week()) % self.every_weeks == 0
        )

    def _week_ok(self, day: date) -> bool:
        if self.kind != "weekly" or self.every_weeks == 1:
            return True
        return (_week_index(day) - self._anchor_week()) % self.every_weeks == 0

    # -- occurrences ------------------------------------------------------------------------
    def iter_runs(self, after: datetime, tz: tzinfo) -> Iterator[datetime]:
        """Runs strictly after ``after``, as aware UTC datetimes, strictly increasing."""
        _require_aware(after, "after")
        last = after.astimezone(UTC)
        day = after.astimezone(tz).date() - timedelta(days=1)
        idle = 0
        while idle <= _MAX_IDLE_DAYS:
            if self._day_matches(day):
                idle = 0
                for clock in self.times:
                    moment = resolve_local(datetime.combine(day, clock), tz)
                    if moment > last:
                        last = moment
                        yield moment
            elif not self._week_ok(day):
                # Skip to the next Monday; the weeks in between don't fire at all.
                skip = 7 - day.weekday()
                idle += skip
                if day >= date.max - timedelta(days=7):
                    return
                day += timedelta(days=skip)
                continue
            else:
                idle += 1
            if day >= date.max - timedelta(days=1):
                return
            day += timedelta(days=1)

    def next_runs(self, after: datetime, tz: tzinfo, count: int) -> list[datetime]:
        """The next ``count`` runs strictly after ``after`` (aware UTC, strictly increasing)."""
        if count < 0:
            raise ValueError("count must not be negative")
        runs: list[datetime] = []
        if count == 0:
            _require_aware(after, "after")
            return runs
        for moment in self.iter_runs(after, tz):
            runs.append(moment)
            if len(runs) >= count:
                break
        return runs

    def next_run(self, after: datetime, tz: tzinfo) -> datetime | None:
        runs = self.next_runs(after, tz, 1)
        return runs[0] if runs else None

    # -- intervals --------------------------------------------------------------------------
    def min_interval(self) -> timedelta:
        """The smallest nominal (wall-clock) gap between two consecutive runs.

        DST is ignored: on a transition day one gap can be shorter (times in a spring-forward
        gap fire at its end) or longer (the repeated hour is not fired twice).
        """
        return _min_interval(self)

    # -- text -------------------------------------------------------------------------------
    def describe(self) -> str:
        """A human description, e.g. ``Weekdays at 09:00``."""
        if self.kind == "cron":
            assert self.cron is not None
            return f"Cron schedule `{self.cron.expression}` (minute hour day month weekday)"
        if self.kind == "hourly":
            minute = self.times[0].minute
            if self.every_hours == 1:
                return f"Every hour at :{minute:02d}"
            return (
                f"Every {self.every_hours} hours at :{minute:02d} "
                f"({_join_and([_fmt(t) for t in self.times])})"
            )
        at = "at " + _join_and([_fmt(t) for t in self.times])
        if self.every_weeks == 1:
            return f"{_describe_days(self.weekdays, plural=True)} {at}"
        every = "Every other week" if self.every_weeks == 2 else f"Every {self.every_weeks} weeks"
        text = f"{every} on {_describe_days(self.weekdays, plural=False)} {at}"
        if self.anchor:
            text += f" (counting from the week of {self.anchor.isoformat()})"
        return text

    def canonical(self) -> str:
        """A normalized form that ``parse_schedule`` reads back to an equal schedule."""
        if self.kind == "cron":
            assert self.cron is not None
            return f"cron: {self.cron.expression}"
        times = ",".join(_fmt(t) for t in self.times)
        if self.kind == "hourly":
            minute = self.times[0].minute
            head = "hourly" if self.every_hours == 1 else f"every {self.every_hours} hours"
            return head if minute == 0 else f"{head} at :{minute:02d}"
        days = _canonical_days(self.weekdays)
        if self.every_weeks == 1:
            return f"{days} {times}"
        text = f"every {self.every_weeks} weeks on {days} {times}"
        if self.anchor:
            text += f" from {self.anchor.isoformat()}"
        return text

    def __str__(self) -> str:
        return self.canonical()

    # -- anchoring --------------------------------------------------------------------------
    def anchored(self, after: datetime, tz: tzinfo) -> Schedule:
        """For "every N weeks": pin the weeks so the first run is the next matching day/time
        after ``after`` (store the result's ``canonical()``). Other schedules are unchanged."""
        if self.kind != "weekly" or self.every_weeks == 1:
            return self
        weekly = replace(self, every_weeks=1, anchor=None)
        for moment in weekly.iter_runs(after, tz):
            local = moment.astimezone(tz)
            return replace(self, anchor=_monday(local.date()))
        return self  # pragma: no cover - a weekly schedule always has a next run

    def starting(self, day: date) -> Schedule:
        """For "every N weeks": the week containing ``day`` fires."""
        if self.kind != "weekly" or self.every_weeks == 1:
            return self
        return replace(self, anchor=_monday(day))

    # -- APScheduler ------------------------------------------------------------------------
    def to_trigger(self, tz: tzinfo, start_date: datetime | None = None) -> ScheduleTrigger:
        """An APScheduler 3.x trigger that fires exactly at ``next_runs``' instants.

        It wraps ``CronTrigger``s (one per distinct minute, or two for a cron expression whose
        day-of-month and day-of-week are both restricted) that enumerate wall-clock times, and
        applies the DST policy and the "every N weeks" parity on top. ``start_date`` is the
        earliest allowed fire time. Fire times come back as aware UTC datetimes.
        """
        if start_date is not None:
            _require_aware(start_date, "start_date")
        return ScheduleTrigger(self, tz, start_date)


def _describe_days(days: frozenset[int], *, plural: bool) -> str:
    if days == ALL_DAYS:
        return "Every day" if plural else "every day"
    if days == WEEKDAYS:
        return "Weekdays" if plural else "weekdays"
    if days == WEEKENDS:
        return "Weekends" if plural else "weekends"
    names = [DAY_NAMES[d] + ("s" if plural else "") for d in sorted(days)]
    return _join_and(names)


def _canonical_days(days: frozenset[int]) -> str:
    if days == ALL_DAYS:
        return "daily"
    if days == WEEKDAYS:
        return "weekdays"
    if days == WEEKENDS:
        return "weekends"
    return ",".join(DAY_ABBR[d] for d in sorted(days))


@functools.lru_cache(maxsize=512)
def _min_interval(schedule: Schedule) -> timedelta:
    minutes = [t.hour * 60 + t.minute for t in schedule.times]
    gaps = [b - a for a, b in itertools.pairwise(minutes)]
    if schedule.kind == "cron":
        start, span = date(2000, 1, 1), 29 * 366
    else:
        start, span = EPOCH_MONDAY, 14 * max(schedule.every_weeks, 1)
    previous: date | None = None
    for offset in range(span):
        day = start + timedelta(days=offset)
        if schedule._day_matches(day):
            if previous is not None:
                gaps.append((day - previous).days * 1440 - minutes[-1] + minutes[0])
            previous = day
    return timedelta(minutes=min(gaps)) if gaps else timedelta(days=366 * 4)


def ensure_min_interval(schedule: Schedule, minimum: timedelta = DEFAULT_MIN_INTERVAL) -> None:
    """Raise ``ScheduleTooFrequentError`` if runs can be closer than ``minimum``."""
    if schedule.min_interval() < minimum:
        raise ScheduleTooFrequentError(schedule, minimum)


# ---------------------------------------------------------------------------------------------
# Parsing schedules
# ---------------------------------------------------------------------------------------------
_CRON_TOKEN = re.compile(r"^[0-9a-z*,/\-]+$", re.ASCII)
_BARE_CRON_FIRST = re.compile(r"^[0-9*][0-9*,/\-]*$", re.ASCII)
_HOURLY_RE = re.compile(
    r"^(?:hourly|every hour|each hour|every 1 hours?|every (?P<n>\d{1,3}) hours?)"
    r"(?:\s+(?:at|on)?\s*(?:minute\s+)?:?(?P<m>\d{1,2})(?:\s*(?:past|min|minutes))?)?$",
    re.ASCII,
)
_WEEKS_PREFIX = re.compile(
    r"^(?:every\s+(?P<n>\d{1,3})\s+weeks?|every\s+other\s+week|every\s+second\s+week|"
    r"fortnightly|every\s+fortnight|every\s+week|weekly)(?:\s+(?:on|at))?\b\s*",
    re.ASCII,
)
_ANCHOR_RE = re.compile(r"\s+(?:from|starting|starting on|beginning)\s+(\d{4})-(\d{2})-(\d{2})$")
_TIME_SEP = re.compile(r"\s*(?:,|&|\band\b|\s)\s*")


def parse_schedule(text: str, *, min_interval: timedelta | None = None) -> Schedule:
    """Parse the schedule language (see ``docs/schedules.md``). Raises ``ScheduleParseError``;
    with ``min_interval``, also ``ScheduleTooFrequentError`` for schedules that run too often."""
    if not isinstance(text, str):
        raise ScheduleParseError(str(text), "it isn't text")
    try:
        schedule = _parse_schedule(text)
    except ScheduleParseError:
        raise
    except (ValueError, OverflowError, IndexError) as exc:  # pragma: no cover - safety net
        raise ScheduleParseError(text, "I couldn't make sense of it") from exc
    if min_interval is not None:
        ensure_min_interval(schedule, min_interval)
    return schedule


def _parse_schedule(original: str) -> Schedule:
    text = _normalize(original)
    if not text:
        raise ScheduleParseError(original, "it's empty")
    if len(text) > MAX_INPUT_LENGTH:
        raise ScheduleParseError(original, f"it's longer than {MAX_INPUT_LENGTH} characters")

    # Cron: "cron: 0 9 * * 1-5", "cron 0 9 * * 1-5" or a bare 5-field expression.
    cron = re.match(r"^cron\s*:?\s*(.*)$", text)
    if cron:
        return _cron_schedule(_parse_cron(cron[1], original))
    tokens = text.split()
    if (
        len(tokens) >= 4
        and all(_CRON_TOKEN.match(t) for t in tokens)
        and _BARE_CRON_FIRST.match(tokens[0])
        and _BARE_CRON_FIRST.match(tokens[1])
    ):
        return _cron_schedule(_parse_cron(text, original))

    hourly = _HOURLY_RE.match(text)
    if hourly:
        every = int(hourly["n"]) if hourly["n"] else 1
        minute = int(hourly["m"]) if hourly["m"] else 0
        if every < 1 or 24 % every:
            raise ScheduleParseError(
                original, "“every N hours” needs N to divide a day: 1, 2, 3, 4, 6, 8 or 12"
            )
        if minute > 59:
            raise ScheduleParseError(original, "the minute past the hour goes from 0 to 59")
        times = tuple(time(h, minute) for h in range(0, 24, every))
        return Schedule(kind="hourly", times=times, every_hours=every)
    if re.match(r"^every \d+ (?:minutes?|mins?|seconds?|secs?)$", text):
        raise ScheduleParseError(
            original, "runs more often than hourly need cron, e.g. `cron: */30 * * * *`"
        )

    anchor: date | None = None
    found = _ANCHOR_RE.search(text)
    if found:
        try:
            anchor = _monday(date(int(found[1]), int(found[2]), int(found[3])))
        except ValueError:
            raise ScheduleParseError(original, f"“{found[0].strip()}” isn't a valid date") from None
        text = text[: found.start()]

    every_weeks = 1
    prefix = _WEEKS_PREFIX.match(text)
    if prefix:
        if prefix["n"]:
            every_weeks = int(prefix["n"])
        elif "other" in prefix[0] or "second" in prefix[0] or "fortnight" in prefix[0]:
            every_weeks = 2
        text = text[prefix.end() :]
        if not 1 <= every_weeks <= MAX_EVERY_WEEKS:
            raise ScheduleParseError(
                original, f"“every N weeks” takes N from 1 to {MAX_EVERY_WEEKS}"
            )

    first_time = _TIME_TOKEN_RE.search(text)
    if not first_time:
        raise ScheduleParseError(original, "add a time, e.g. `daily 20:00` or `monday 9am`")
    head = text[: first_time.start()].strip()
    head = re.sub(r"\s*(?:\bat\b|@)$", "", head).strip()
    times = _parse_times(text[first_time.start() :], original)

    if prefix and not head:
        raise ScheduleParseError(original, "say which day, e.g. `every 2 weeks on sunday 17:00`")
    weekdays = _parse_days(head, original, ScheduleParseError)
    if anchor is not None and every_weeks == 1:
        raise ScheduleParseError(original, "a start date only applies to “every N weeks” schedules")
    return Schedule(
        kind="weekly",
        times=times,
        weekdays=weekdays,
        every_weeks=every_weeks,
        anchor=anchor if every_weeks > 1 else None,
    )


def _parse_times(text: str, original: str) -> tuple[time, ...]:
    pos = 0
    found: set[time] = set()
    text = text.strip()
    while pos < len(text):
        sep = _TIME_SEP.match(text, pos)
        if sep and sep.end() > pos:
            pos = sep.end()
            continue
        match = _TIME_TOKEN_RE.match(text, pos)
        if not match:
            rest = _shorten(text[pos:], 20)
            raise ScheduleParseError(original, f"I didn't understand “{rest}” after the time")
        try:
            found.add(parse_clock(match[0]))
        except ClockParseError as exc:
            reason = f"“{match[0]}” isn't a valid time: {exc.reason}"
            raise ScheduleParseError(original, reason) from None
        pos = match.end()
    if not found:  # pragma: no cover - the caller found at least one time
        raise ScheduleParseError(original, "add a time")
    return tuple(sorted(found))


def _cron_schedule(spec: CronSpec) -> Schedule:
    times = tuple(time(h, m) for h in sorted(spec.hours) for m in sorted(spec.minutes))
    return Schedule(kind="cron", times=times, cron=spec)


# ---------------------------------------------------------------------------------------------
# APScheduler trigger
# ---------------------------------------------------------------------------------------------
_ONE_SECOND = timedelta(seconds=1)


def _ceil_second(moment: datetime) -> datetime:
    if moment.microsecond:
        return moment + timedelta(microseconds=1_000_000 - moment.microsecond)
    return moment


class ScheduleTrigger(BaseTrigger):
    """``CronTrigger``s made to follow Kindred's DST policy and "every N weeks" parity.

    The inner triggers (in UTC) enumerate candidate *wall times*; each is resolved with
    ``resolve_local`` (gap -> end of gap, repeated -> first occurrence) and kept only if it is
    not before the lower bound and in a firing week. Semantics match ``CronTrigger``: without a
    previous fire time the result may equal ``now``.
    """

    def __init__(self, schedule: Schedule, tz: tzinfo, start_date: datetime | None = None):
        self.schedule = schedule
        self.timezone = tz
        self.start_date = start_date.astimezone(UTC) if start_date else None
        self.triggers = tuple(_inner_triggers(schedule))

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        if previous_fire_time is not None:
            # Like CronTrigger: catch up from the previous run, but never repeat it.
            after_previous = previous_fire_time + timedelta(microseconds=1)
            bound = max(min(now, after_previous), after_previous)
        elif self.start_date is not None:
            bound = max(now, self.start_date)
        else:
            bound = now
        bound = _ceil_second(bound.astimezone(UTC))
        results = [r for r in (self._first_from(t, bound) for t in self.triggers) if r]
        # UTC, not local: an aware datetime inside a repeated hour never compares equal (==)
        # to one in another zone (PEP 495), which would trip up equality checks.
        return min(results) if results else None

    def _first_from(self, inner: CronTrigger, bound: datetime) -> datetime | None:
        tz = self.timezone
        schedule = self.schedule
        # The inner triggers run in UTC over *wall times* (so no DST in them at all); we map each
        # candidate wall time to its instant. Fire times are whole minutes and resolution is
        # monotonic in wall time, so starting one second before ``bound`` misses nothing.
        cursor = (bound - _ONE_SECOND).astimezone(tz).replace(tzinfo=None, fold=0)
        for _ in range(100_000):
            candidate = inner.get_next_fire_time(None, cursor.replace(tzinfo=UTC))
            if candidate is None:
                return None
            wall = candidate.replace(tzinfo=None)
            if not schedule._week_ok(wall.date()):
                week = _week_index(wall.date())
                step = schedule.every_weeks
                offset = (week - schedule._anchor_week()) % step
                cursor = datetime.combine(
                    EPOCH_MONDAY + timedelta(weeks=week + step - offset), time()
                )
                continue
            moment = resolve_local(wall, tz)
            if moment >= bound:
                return moment
            cursor = wall + _ONE_SECOND
        return None  # pragma: no cover - safety valve

    def __getstate__(self) -> dict[str, object]:
        return {
            "version": 1,
            "schedule": self.schedule.canonical(),
            "timezone": getattr(self.timezone, "key", None) or str(self.timezone),
            "start_date": self.start_date,
        }

    def __setstate__(self, state: dict[str, object]) -> None:
        tz = state["timezone"]
        zone = parse_timezone(tz) if isinstance(tz, str) else tz
        start = state["start_date"]
        self.__init__(  # type: ignore[misc]
            parse_schedule(str(state["schedule"])),
            zone,  # type: ignore[arg-type]
            start if isinstance(start, datetime) else None,
        )

    def __str__(self) -> str:
        return f"schedule[{self.schedule.canonical()}]"

    def __repr__(self) -> str:
        return (
            f"<ScheduleTrigger ({self.schedule.canonical()!r}, timezone='{self.timezone}'"
            + (f", start_date='{self.start_date.isoformat()}'" if self.start_date else "")
            + ")>"
        )


def _inner_triggers(schedule: Schedule) -> Iterator[CronTrigger]:
    """``CronTrigger``s over wall-clock time: they run in UTC and their results are read as
    naive local wall times."""

    def csv(values: Iterable[int]) -> str:
        return ",".join(str(v) for v in sorted(values))

    def dow(values: Iterable[int]) -> str:
        # APScheduler 3.x numbers weekdays from Monday=0 (unlike crontab); names are unambiguous.
        values = frozenset(values)
        return "*" if values == ALL_DAYS else ",".join(DAY_ABBR[d] for d in sorted(values))

    if schedule.kind == "cron":
        spec = schedule.cron
        assert spec is not None
        common = {
            "month": csv(spec.months),
            "hour": csv(spec.hours),
            "minute": csv(spec.minutes),
            "second": "0",
            "timezone": UTC,
        }
        if spec.dom_star or spec.dow_star:
            yield CronTrigger(day=csv(spec.doms), day_of_week=dow(spec.dows), **common)
        else:  # Vixie cron: either day field may match
            yield CronTrigger(day=csv(spec.doms), **common)
            yield CronTrigger(day_of_week=dow(spec.dows), **common)
        return
    by_minute: dict[int, list[int]] = {}
    for clock in schedule.times:
        by_minute.setdefault(clock.minute, []).append(clock.hour)
    for minute, hours in sorted(by_minute.items()):
        yield CronTrigger(
            day_of_week=dow(schedule.weekdays),
            hour=csv(hours),
            minute=str(minute),
            second="0",
            timezone=UTC,
        )


# ---------------------------------------------------------------------------------------------
# Weekly hours (office hours, duty shifts)
# ---------------------------------------------------------------------------------------------
_RANGE_RE = re.compile(
    rf"(?P<a>{_TIME_TOKEN}|\d{{1,2}})\s*(?:-|–|—|to|until|till)\s*(?P<b>{_TIME_TOKEN}|\d{{1,2}})",
    re.ASCII,
)


@dataclass(frozen=True, order=True)
class HoursRange:
    """Open on ``weekday`` from ``start`` for ``minutes`` minutes (may run past midnight)."""

    weekday: int
    start: time
    minutes: int

    @property
    def end(self) -> time:
        total = (self.start.hour * 60 + self.start.minute + self.minutes) % 1440
        return time(total // 60, total % 60)


@dataclass(frozen=True)
class WeeklyHours:
    """Recurring opening hours in local wall time, e.g. ``mon-fri 08:00-16:30``.

    Each range opens at its start and closes at its end, resolved with the same DST policy as
    schedules (a boundary in a spring-forward gap moves to the end of the gap; in the repeated
    fall-back hour the first occurrence counts, so a range ending at 01:30 closes at the first
    01:30). Overlapping or touching ranges merge. Ranges ending at or before their start run
    past midnight (``fri 22:00-02:00``); ``00:00-24:00`` is a whole day.
    """

    ranges: tuple[HoursRange, ...]

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        """Same as ``parse_hours``."""
        return parse_hours(text)

    @functools.cached_property
    def always_open(self) -> bool:
        return len(_covered_minutes(self.ranges)) == 7 * 1440

    def _intervals(self, around: datetime, tz: tzinfo) -> list[tuple[datetime, datetime]]:
        first = around.astimezone(tz).date() - timedelta(days=2)
        raw: list[tuple[datetime, datetime]] = []
        for offset in range(18):
            day = first + timedelta(days=offset)
            for rng in self.ranges:
                if rng.weekday != day.weekday():
                    continue
                start_wall = datetime.combine(day, rng.start)
                opens = resolve_local(start_wall, tz)
                closes = resolve_local(start_wall + timedelta(minutes=rng.minutes), tz)
                if closes > opens:
                    raw.append((opens, closes))
        raw.sort()
        merged: list[tuple[datetime, datetime]] = []
        for opens, closes in raw:
            if merged and opens <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
            else:
                merged.append((opens, closes))
        return merged

    def is_open(self, at: datetime, tz: tzinfo) -> bool:
        _require_aware(at, "at")
        if not self.ranges:
            return False
        if self.always_open:
            return True
        return any(opens <= at < closes for opens, closes in self._intervals(at, tz))

    def next_open(self, after: datetime, tz: tzinfo) -> datetime | None:
        """The next moment strictly after ``after`` at which the hours open (closed -> open).
        ``None`` if they never open or never close."""
        _require_aware(after, "after")
        if not self.ranges or self.always_open:
            return None
        # The first interval may start early because of the window's edge, but then it
        # starts before ``after`` anyway.
        return next((opens for opens, _ in self._intervals(after, tz) if opens > after), None)

    def next_close(self, after: datetime, tz: tzinfo) -> datetime | None:
        """The next moment strictly after ``after`` at which the hours close (open -> closed)."""
        _require_aware(after, "after")
        if not self.ranges or self.always_open:
            return None
        intervals = self._intervals(after, tz)
        # The last interval in the window may be cut short by the window's edge.
        return next((closes for _, closes in intervals[:-1] if closes > after), None)

    def describe(self) -> str:
        parts = []
        for days, start, minutes in _group_ranges(self.ranges):
            end = (start.hour * 60 + start.minute + minutes) % 1440
            label = _describe_day_group(days)
            if minutes == 1440 and start == time(0, 0):
                parts.append(f"{label} all day")
                continue
            overnight = " (overnight)" if start.hour * 60 + start.minute + minutes > 1440 else ""
            parts.append(f"{label} {_fmt(start)}–{end // 60:02d}:{end % 60:02d}{overnight}")
        return "; ".join(parts) if parts else "Never open"

    def canonical(self) -> str:
        parts = []
        for days, start, minutes in _group_ranges(self.ranges):
            end_total = start.hour * 60 + start.minute + minutes
            end = (
                "24:00"
                if end_total == 1440
                else f"{end_total % 1440 // 60:02d}:{end_total % 60:02d}"
            )
            parts.append(f"{_canonical_day_group(days)} {_fmt(start)}-{end}")
        return "; ".join(parts)

    def __str__(self) -> str:
        return self.canonical()


def _covered_minutes(ranges: Iterable[HoursRange]) -> set[int]:
    covered: set[int] = set()
    for rng in ranges:
        begin = rng.weekday * 1440 + rng.start.hour * 60 + rng.start.minute
        covered.update((begin + k) % (7 * 1440) for k in range(rng.minutes))
    return covered


def _group_ranges(ranges: Iterable[HoursRange]) -> list[tuple[tuple[int, ...], time, int]]:
    groups: dict[tuple[time, int], list[int]] = {}
    for rng in sorted(set(ranges)):
        groups.setdefault((rng.start, rng.minutes), []).append(rng.weekday)
    result = [(tuple(days), start, minutes) for (start, minutes), days in groups.items()]
    return sorted(result, key=lambda g: (g[0][0], g[1], g[2]))


def _day_runs(days: tuple[int, ...]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for d in sorted(days):
        if runs and runs[-1][1] == d - 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _canonical_day_group(days: tuple[int, ...]) -> str:
    if frozenset(days) == ALL_DAYS:
        return "daily"
    parts = []
    for first, last in _day_runs(days):
        if last - first >= 2:
            parts.append(f"{DAY_ABBR[first]}-{DAY_ABBR[last]}")
        else:
            parts.extend(DAY_ABBR[d] for d in range(first, last + 1))
    return ",".join(parts)


def _describe_day_group(days: tuple[int, ...]) -> str:
    if frozenset(days) == ALL_DAYS:
        return "Every day"
    parts = []
    for first, last in _day_runs(days):
        if last - first >= 2:
            parts.append(f"{DAY_ABBR[first].capitalize()}–{DAY_ABBR[last].capitalize()}")
        else:
            parts.extend(DAY_ABBR[d].capitalize() for d in range(first, last + 1))
    return ", ".join(parts)


def parse_hours(text: str) -> WeeklyHours:
    """``mon-fri 08:00-16:30``, ``mon,wed 18:00-22:00; sat 10:00-14:00``, ``fri 22:00-02:00``,
    ``weekdays 9am-5pm``, ``mon 09:00-12:00, 13:00-17:00``. Raises ``HoursParseError``."""
    if not isinstance(text, str):
        raise HoursParseError(str(text), "it isn't text")
    normalized = _normalize(text)
    if not normalized:
        raise HoursParseError(text, "it's empty")
    if len(normalized) > MAX_INPUT_LENGTH * 2:
        raise HoursParseError(text, "it's too long")
    ranges: set[HoursRange] = set()
    for part in re.split(r"\s*[;\n|]\s*", normalized):
        if not part:
            continue
        first = _RANGE_RE.search(part)
        if not first:
            raise HoursParseError(text, f"“{_shorten(part, 30)}” needs a range like `09:00-17:00`")
        head = re.sub(r"\s*(?:\bfrom\b|\bat\b|:)$", "", part[: first.start()].strip()).strip()
        days = _parse_days(head, text, HoursParseError)
        pos = first.start()
        while pos < len(part):
            sep = re.compile(r"\s*(?:,|&|\band\b)?\s*").match(part, pos)
            if sep and sep.end() > pos:
                pos = sep.end()
                continue
            match = _RANGE_RE.match(part, pos)
            if not match:
                raise HoursParseError(text, f"I didn't understand “{_shorten(part[pos:], 20)}”")
            start_clock, minutes = _parse_range(match["a"], match["b"], text)
            ranges.update(HoursRange(d, start_clock, minutes) for d in days)
            pos = match.end()
    if not ranges:
        raise HoursParseError(text, "no opening hours given")
    return WeeklyHours(tuple(sorted(ranges)))


def _parse_range(a: str, b: str, original: str) -> tuple[time, int]:
    def clock(token: str) -> int:
        token = token.strip()
        if re.fullmatch(r"\d{1,2}", token):  # "9-17": bare hours are fine inside a range
            token += ":00"
        try:
            parsed = parse_clock(token)
        except ClockParseError as exc:
            raise HoursParseError(original, f"“{token}” isn't a valid time: {exc.reason}") from None
        return parsed.hour * 60 + parsed.minute

    start = clock(a)
    if re.fullmatch(r"24(?:[:.h]00)?", b.strip()):
        length = 1440 - start
    else:
        finish = clock(b)
        if finish == start:
            raise HoursParseError(original, f"“{a}-{b}” opens and closes at the same time")
        length = (finish - start) % 1440  # ending at or before the start runs past midnight
    return time(start // 60, start % 60), length
