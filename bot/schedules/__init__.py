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

``Schedule.next_runs`` implements this directly (``resolve_local`` maps a wall time to its
instant). The modules:

- ``zones``: time zone names, autocomplete, ``resolve_local``, ``clock_change`` (whether a
  wall time is skipped or repeated, for a one-off that asks rather than moves);
- ``clock``: days of the week and times of day; ``until``: durations and end times;
- ``cron``: 5-field crontab expressions; ``recurrence``: ``Schedule`` and its runs;
- ``parse``: ``parse_schedule``; ``office_hours``: ``WeeklyHours`` and ``parse_hours``;
- ``errors``: the user-facing errors; ``common``: shared constants and text helpers.

Import from ``bot.schedules``; the names below are its public surface.
"""

from __future__ import annotations

from bot.schedules.clock import parse_clock, parse_weekday
from bot.schedules.common import (
    ALL_DAYS,
    CLOCK_EXAMPLES,
    DAY_ABBR,
    DAY_NAMES,
    DEFAULT_MIN_INTERVAL,
    DURATION_EXAMPLES,
    EPOCH_MONDAY,
    HOURS_EXAMPLES,
    MAX_EVERY_WEEKS,
    MAX_INPUT_LENGTH,
    SCHEDULE_EXAMPLES,
    WEEKDAYS,
    WEEKENDS,
    format_duration,
)
from bot.schedules.cron import CronSpec
from bot.schedules.describe import once_text, schedule_text
from bot.schedules.errors import (
    ClockParseError,
    Duration,
    DurationParseError,
    HoursParseError,
    InvalidTimezoneError,
    ScheduleError,
    ScheduleParseError,
    ScheduleTooFrequentError,
    UntilParseError,
    WeekdayParseError,
)
from bot.schedules.office_hours import HoursRange, WeeklyHours, parse_hours
from bot.schedules.parse import parse_schedule
from bot.schedules.recurrence import Schedule, ScheduleKind, ensure_min_interval
from bot.schedules.until import MAX_DURATION, is_clock_end, parse_duration, parse_until
from bot.schedules.zones import (
    POPULAR_TIMEZONES,
    ClockChange,
    clock_change,
    parse_timezone,
    resolve_local,
    timezone_choices,
    unwrap_zone,
)

__all__ = [
    "ALL_DAYS",
    "CLOCK_EXAMPLES",
    "DAY_ABBR",
    "DAY_NAMES",
    "DEFAULT_MIN_INTERVAL",
    "DURATION_EXAMPLES",
    "EPOCH_MONDAY",
    "HOURS_EXAMPLES",
    "MAX_DURATION",
    "MAX_EVERY_WEEKS",
    "MAX_INPUT_LENGTH",
    "POPULAR_TIMEZONES",
    "SCHEDULE_EXAMPLES",
    "WEEKDAYS",
    "WEEKENDS",
    "ClockChange",
    "ClockParseError",
    "CronSpec",
    "Duration",
    "DurationParseError",
    "HoursParseError",
    "HoursRange",
    "InvalidTimezoneError",
    "Schedule",
    "ScheduleError",
    "ScheduleKind",
    "ScheduleParseError",
    "ScheduleTooFrequentError",
    "UntilParseError",
    "WeekdayParseError",
    "WeeklyHours",
    "clock_change",
    "ensure_min_interval",
    "format_duration",
    "is_clock_end",
    "once_text",
    "parse_clock",
    "parse_duration",
    "parse_hours",
    "parse_schedule",
    "parse_timezone",
    "parse_until",
    "parse_weekday",
    "resolve_local",
    "schedule_text",
    "timezone_choices",
    "unwrap_zone",
]
