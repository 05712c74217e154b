"""Durations (``2h``, ``90 minutes``) and end times (``until 17:00``, ``for 2h``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo

from bot.i18n import N_
from bot.schedules.clock import parse_clock
from bot.schedules.common import MAX_INPUT_LENGTH, _normalize, _require_aware
from bot.schedules.errors import ClockParseError, DurationParseError, UntilParseError, why
from bot.schedules.zones import resolve_local

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
        raise DurationParseError(text, why(N_("it's empty")))
    if len(word) > MAX_INPUT_LENGTH:
        raise DurationParseError(text, why(N_("it's too long")))
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
                raise DurationParseError(
                    text, why(N_("add a unit, e.g. `{word}m` or `{word}h`"), word=word)
                )
            raise DurationParseError(text, why(N_("use numbers with units (m, h, d, w)")))
        total += float(match[1]) * _DURATION_UNITS[match[2]]
        pos = match.end()
        seen = True
    if not seen or total <= 0:
        raise DurationParseError(text, why(N_("it must be longer than zero")))
    duration = timedelta(seconds=round(total))
    if duration > MAX_DURATION:
        raise DurationParseError(text, why(N_("it can't be longer than a year")))
    return duration


def _end_words(word: str) -> tuple[str, bool]:
    """An end time's words without ``until``/``at`` and ``tomorrow``; whether it said
    ``tomorrow``."""
    rest = re.sub(r"^(?:until|till|til|to|at)\s+", "", word)
    tomorrow = rest.startswith("tomorrow")
    if tomorrow:
        rest = re.sub(r"^tomorrow\s*(?:at\s+)?", "", rest)
    return rest, tomorrow


def is_clock_end(text: str) -> bool:
    """Whether an end time names a time by the clock (``17:00``, ``until 5pm``, ``tomorrow
    9am``) rather than a length of time (``2h``, ``for 90 minutes``)."""
    word = _normalize(text or "")
    if not word or len(word) > MAX_INPUT_LENGTH:
        return False
    try:
        parse_clock(_end_words(word)[0])
    except ClockParseError:
        return False
    return True


def parse_until(text: str, now: datetime, tz: tzinfo) -> datetime:
    """``until 17:00``/``17:00``/``5pm`` (the next such local time; earlier than now means
    tomorrow), ``for 2h``/``in 90 minutes``/``2h`` (from now), ``tomorrow 9am``."""
    _require_aware(now, "now")
    word = _normalize(text or "")
    if not word:
        raise UntilParseError(text, why(N_("it's empty")))
    if len(word) > MAX_INPUT_LENGTH:
        raise UntilParseError(text, why(N_("it's too long")))
    rest, tomorrow = _end_words(word)
    try:
        clock = parse_clock(rest)
    except ClockParseError:
        if tomorrow:
            raise UntilParseError(
                text, why(N_("give a time after “tomorrow”, e.g. `9am`"))
            ) from None
        try:
            return (now + parse_duration(rest)).astimezone(UTC)
        except DurationParseError:
            raise UntilParseError(
                text, why(N_("give a time like `17:00` or a duration like `2h`"))
            ) from None
    local_now = now.astimezone(tz)
    day = local_now.date() + timedelta(days=1 if tomorrow else 0)
    moment = resolve_local(datetime.combine(day, clock), tz)
    if moment <= now:
        moment = resolve_local(datetime.combine(day + timedelta(days=1), clock), tz)
    return moment
