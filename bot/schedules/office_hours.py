"""``WeeklyHours``: recurring opening hours (office hours, duty shifts) and ``parse_hours``."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from bot.i18n import N_
from bot.schedules.clock import _TIME_TOKEN, _parse_days, parse_clock
from bot.schedules.common import (
    ALL_DAYS,
    DAY_ABBR,
    MAX_INPUT_LENGTH,
    _fmt,
    _normalize,
    _require_aware,
    _shorten,
)
from bot.schedules.describe import hours_part, never_open, render_parts
from bot.schedules.errors import ClockParseError, HoursParseError, why
from bot.schedules.zones import resolve_local

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

    def describe(self, lang: str | None = None) -> str:
        """``Mon, Wed 18:00–22:00; Sat 10:00–14:00`` in ``lang`` (English by default)."""
        parts = []
        for days, start, minutes in _group_ranges(self.ranges):
            end = (start.hour * 60 + start.minute + minutes) % 1440
            runs = _day_runs(days)
            if minutes == 1440 and start == time(0, 0):
                parts.append(hours_part(runs, "", "", "all day"))
                continue
            kind = "overnight" if start.hour * 60 + start.minute + minutes > 1440 else ""
            parts.append(hours_part(runs, _fmt(start), f"{end // 60:02d}:{end % 60:02d}", kind))
        return render_parts(parts, lang) if parts else never_open().message_in(lang)

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


def parse_hours(text: str) -> WeeklyHours:
    """``mon-fri 08:00-16:30``, ``mon,wed 18:00-22:00; sat 10:00-14:00``, ``fri 22:00-02:00``,
    ``weekdays 9am-5pm``, ``mon 09:00-12:00, 13:00-17:00``. Raises ``HoursParseError``."""
    if not isinstance(text, str):
        raise HoursParseError(str(text), why(N_("it isn't text")))
    normalized = _normalize(text)
    if not normalized:
        raise HoursParseError(text, why(N_("it's empty")))
    if len(normalized) > MAX_INPUT_LENGTH * 2:
        raise HoursParseError(text, why(N_("it's too long")))
    ranges: set[HoursRange] = set()
    for part in re.split(r"\s*[;\n|]\s*", normalized):
        if not part:
            continue
        first = _RANGE_RE.search(part)
        if not first:
            raise HoursParseError(
                text,
                why(N_("“{part}” needs a range like `09:00-17:00`"), part=_shorten(part, 30)),
            )
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
                raise HoursParseError(
                    text, why(N_("I didn't understand “{rest}”"), rest=_shorten(part[pos:], 20))
                )
            start_clock, minutes = _parse_range(match["a"], match["b"], text)
            ranges.update(HoursRange(d, start_clock, minutes) for d in days)
            pos = match.end()
    if not ranges:
        raise HoursParseError(text, why(N_("no opening hours given")))
    return WeeklyHours(tuple(sorted(ranges)))


def _parse_range(a: str, b: str, original: str) -> tuple[time, int]:
    def clock(token: str) -> int:
        token = token.strip()
        if re.fullmatch(r"\d{1,2}", token):  # "9-17": bare hours are fine inside a range
            token += ":00"
        try:
            parsed = parse_clock(token)
        except ClockParseError as exc:
            raise HoursParseError(
                original,
                why(N_("“{time}” isn't a valid time: {reason}"), time=token, reason=exc.reason),
            ) from None
        return parsed.hour * 60 + parsed.minute

    start = clock(a)
    if re.fullmatch(r"24(?:[:.h]00)?", b.strip()):
        length = 1440 - start
    else:
        finish = clock(b)
        if finish == start:
            raise HoursParseError(
                original,
                why(N_("“{a}-{b}” opens and closes at the same time"), a=a, b=b),
            )
        length = (finish - start) % 1440  # ending at or before the start runs past midnight
    return time(start // 60, start % 60), length
