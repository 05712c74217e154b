"""The errors of the schedule language; each ``user_message`` can be shown to a user verbatim."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.schedules.common import (
    CLOCK_EXAMPLES,
    DURATION_EXAMPLES,
    HOURS_EXAMPLES,
    SCHEDULE_EXAMPLES,
    _join_or,
    _shorten,
    format_duration,
)

if TYPE_CHECKING:
    from bot.schedules.recurrence import Schedule


class ScheduleError(InvalidInputError, ValueError):
    """Base for every error in this package; ``user_message`` can be shown to a user verbatim."""


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
        if self.suggestions:
            super().__init__(
                N_(
                    "“{zone}” isn't a time zone I know. Did you mean {suggestions}? Use an IANA "
                    "zone name such as `Europe/London`, `America/New_York` or `Asia/Kolkata` "
                    "(or `UTC`), so daylight saving time is handled for you."
                ),
                zone=_shorten(name),
                suggestions=_join_or([f"`{s}`" for s in self.suggestions]),
            )
            return
        super().__init__(
            N_(
                "“{zone}” isn't a time zone I know. Use an IANA zone name such as "
                "`Europe/London`, `America/New_York` or `Asia/Kolkata` (or `UTC`), so daylight "
                "saving time is handled for you."
            ),
            zone=_shorten(name),
        )


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
