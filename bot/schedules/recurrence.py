"""``Schedule``: a recurring schedule in local wall time and its runs (the recurrence engine)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.schedules.common import (
    ALL_DAYS,
    DAY_ABBR,
    DEFAULT_MIN_INTERVAL,
    EPOCH_MONDAY,
    WEEKDAYS,
    WEEKENDS,
    _fmt,
    _require_aware,
)
from bot.schedules.cron import CronSpec
from bot.schedules.describe import schedule_text
from bot.schedules.errors import ScheduleTooFrequentError
from bot.schedules.zones import resolve_local

# A schedule whose matching days are further apart than this is treated as exhausted. The
# sparsest accepted schedule ("cron: 0 0 29 2 *") skips 8 years around 2100.
_MAX_IDLE_DAYS = 366 * 9


def _week_index(day: date) -> int:
    return (day - EPOCH_MONDAY).days // 7


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


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
    def describe(self, lang: str | None = None) -> str:
        """A human description in ``lang`` (English by default), e.g. ``Weekdays at 09:00``."""
        return schedule_text(self).message_in(lang)

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
