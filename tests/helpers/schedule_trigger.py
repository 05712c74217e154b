"""An APScheduler 3.x trigger for a ``Schedule``, used by the schedule tests only.

It holds ``Schedule.next_runs`` to account: left alone, ``CronTrigger`` in APScheduler 3.11
fires a gap time one gap-length late (01:30 -> 02:30 BST), fires a repeated time twice, and can
skip a gap time altogether when it steps from one hour to the next across the transition. The
wrapper therefore runs ``CronTrigger`` over *wall-clock* time (in UTC, where there is no DST)
and maps each candidate wall time to an instant by the policy in ``bot.schedules``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, time, timedelta, tzinfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from bot.schedules import (
    ALL_DAYS,
    DAY_ABBR,
    EPOCH_MONDAY,
    Schedule,
    parse_schedule,
    parse_timezone,
    resolve_local,
)
from bot.schedules.common import _require_aware
from bot.schedules.recurrence import _week_index


def to_trigger(
    schedule: Schedule, tz: tzinfo, start_date: datetime | None = None
) -> ScheduleTrigger:
    """An APScheduler 3.x trigger that fires exactly at ``schedule.next_runs``' instants.

    It wraps ``CronTrigger``s (one per distinct minute, or two for a cron expression whose
    day-of-month and day-of-week are both restricted) that enumerate wall-clock times, and
    applies the DST policy and the "every N weeks" parity on top. ``start_date`` is the
    earliest allowed fire time. Fire times come back as aware UTC datetimes.
    """
    if start_date is not None:
        _require_aware(start_date, "start_date")
    return ScheduleTrigger(schedule, tz, start_date)


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
