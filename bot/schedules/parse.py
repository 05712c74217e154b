"""``parse_schedule``: the schedule language (see ``docs/schedules.md``)."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from bot.i18n import N_
from bot.schedules.clock import _TIME_TOKEN_RE, _parse_days, parse_clock
from bot.schedules.common import MAX_EVERY_WEEKS, MAX_INPUT_LENGTH, _normalize, _shorten
from bot.schedules.cron import CronSpec, _parse_cron
from bot.schedules.errors import ClockParseError, ScheduleParseError, why
from bot.schedules.recurrence import Schedule, _monday, ensure_min_interval

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
        raise ScheduleParseError(str(text), why(N_("it isn't text")))
    try:
        schedule = _parse_schedule(text)
    except ScheduleParseError:
        raise
    except (ValueError, OverflowError, IndexError) as exc:  # pragma: no cover - safety net
        raise ScheduleParseError(text, why(N_("I couldn't make sense of it"))) from exc
    if min_interval is not None:
        ensure_min_interval(schedule, min_interval)
    return schedule


def _parse_schedule(original: str) -> Schedule:
    text = _normalize(original)
    if not text:
        raise ScheduleParseError(original, why(N_("it's empty")))
    if len(text) > MAX_INPUT_LENGTH:
        raise ScheduleParseError(
            original,
            why(N_("it's longer than {count} characters"), count=MAX_INPUT_LENGTH),
        )
    schedule = _cron_or_none(text, original)
    if schedule is None:
        schedule = _hourly_or_none(text, original)
    if schedule is not None:
        return schedule
    if re.match(r"^every \d+ (?:minutes?|mins?|seconds?|secs?)$", text):
        raise ScheduleParseError(
            original, why(N_("schedules repeat by the hour, day or week, not by the minute"))
        )
    return _weekly_schedule(text, original)


def _cron_or_none(text: str, original: str) -> Schedule | None:
    """Cron: "cron: 0 9 * * 1-5", "cron 0 9 * * 1-5" or a bare 5-field expression."""
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
    return None


def _hourly_or_none(text: str, original: str) -> Schedule | None:
    """ "hourly", "every 3 hours", "every 2 hours at :30"."""
    hourly = _HOURLY_RE.match(text)
    if not hourly:
        return None
    every = int(hourly["n"]) if hourly["n"] else 1
    minute = int(hourly["m"]) if hourly["m"] else 0
    if every < 1 or 24 % every:
        raise ScheduleParseError(
            original, why(N_("“every N hours” needs N to divide a day: 1, 2, 3, 4, 6, 8 or 12"))
        )
    if minute > 59:
        raise ScheduleParseError(original, why(N_("the minute past the hour goes from 0 to 59")))
    times = tuple(time(h, minute) for h in range(0, 24, every))
    return Schedule(kind="hourly", times=times, every_hours=every)


def _weekly_schedule(text: str, original: str) -> Schedule:
    """Days and times, optionally "every N weeks" and a start date: "mon,wed 18:30"."""
    text, anchor = _split_anchor(text, original)
    text, every_weeks, has_prefix = _split_every_weeks(text, original)

    first_time = _TIME_TOKEN_RE.search(text)
    if not first_time:
        raise ScheduleParseError(
            original, why(N_("add a time, e.g. `daily 20:00` or `monday 9am`"))
        )
    head = text[: first_time.start()].strip()
    head = re.sub(r"\s*(?:\bat\b|@)$", "", head).strip()
    times = _parse_times(text[first_time.start() :], original)

    if has_prefix and not head:
        raise ScheduleParseError(
            original, why(N_("say which day, e.g. `every 2 weeks on sunday 17:00`"))
        )
    weekdays = _parse_days(head, original, ScheduleParseError)
    if anchor is not None and every_weeks == 1:
        raise ScheduleParseError(
            original, why(N_("a start date only applies to “every N weeks” schedules"))
        )
    return Schedule(
        kind="weekly",
        times=times,
        weekdays=weekdays,
        every_weeks=every_weeks,
        anchor=anchor if every_weeks > 1 else None,
    )


def _split_anchor(text: str, original: str) -> tuple[str, date | None]:
    """A trailing "from 2026-01-05": the text before it and the Monday of that week."""
    anchor: date | None = None
    found = _ANCHOR_RE.search(text)
    if found:
        try:
            anchor = _monday(date(int(found[1]), int(found[2]), int(found[3])))
        except ValueError:
            raise ScheduleParseError(
                original, why(N_("“{date}” isn't a valid date"), date=found[0].strip())
            ) from None
        text = text[: found.start()]
    return text, anchor


def _split_every_weeks(text: str, original: str) -> tuple[str, int, bool]:
    """A leading "every N weeks (on)": the rest of the text, N, and whether the prefix was there."""
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
                original,
                why(N_("“every N weeks” takes N from 1 to {count}"), count=MAX_EVERY_WEEKS),
            )
    return text, every_weeks, prefix is not None


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
            raise ScheduleParseError(
                original, why(N_("I didn't understand “{rest}” after the time"), rest=rest)
            )
        try:
            found.add(parse_clock(match[0]))
        except ClockParseError as exc:
            reason = why(
                N_("“{time}” isn't a valid time: {reason}"), time=match[0], reason=exc.reason
            )
            raise ScheduleParseError(original, reason) from None
        pos = match.end()
    if not found:  # pragma: no cover - the caller found at least one time
        raise ScheduleParseError(original, why(N_("add a time")))
    return tuple(sorted(found))


def _cron_schedule(spec: CronSpec) -> Schedule:
    times = tuple(time(h, m) for h in sorted(spec.hours) for m in sorted(spec.minutes))
    return Schedule(kind="cron", times=times, cron=spec)
