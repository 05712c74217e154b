"""Days of the week and times of day: ``parse_weekday``, ``parse_clock`` and the day lists
(``weekdays``, ``mon-fri``, ``tue and thu``) shared by schedules and opening hours."""

from __future__ import annotations

import difflib
import re
from datetime import time

from bot.i18n import N_
from bot.schedules.common import (
    ALL_DAYS,
    DAY_NAMES,
    WEEKDAYS,
    WEEKENDS,
    _normalize,
    _shorten,
)
from bot.schedules.errors import ClockParseError, ScheduleParseError, WeekdayParseError, why

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
    word = _shorten(text, 20)
    if close:
        reason = why(
            N_("“{word}” isn't a day of the week (did you mean {day}?)"),
            word=word,
            day=close[0].capitalize(),
        )
    else:
        reason = why(N_("“{word}” isn't a day of the week (use a day name)"), word=word)
    raise WeekdayParseError(text, reason)


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
        raise ClockParseError(text, why(N_("that isn't a time of day")))
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    ampm = match["ampm"]
    if match["m"] is None and ampm is None:
        raise ClockParseError(
            text, why(N_("add minutes or am/pm, e.g. `{hour}:00` or `{hour}pm`"), hour=hour)
        )
    if minute > 59:
        raise ClockParseError(text, why(N_("minutes go from 00 to 59")))
    if ampm:
        if not 1 <= hour <= 12:
            raise ClockParseError(text, why(N_("with am/pm, hours go from 1 to 12")))
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif hour > 23:
        raise ClockParseError(text, why(N_("hours go from 00 to 23")))
    return time(hour, minute)
