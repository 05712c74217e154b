"""The errors of the schedule language; each ``user_message`` can be shown to a user verbatim."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.errors import InvalidInputError, KindredError
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
from bot.schedules.describe import schedule_text

if TYPE_CHECKING:
    from bot.schedules.recurrence import Schedule


class ScheduleError(InvalidInputError, ValueError):
    """Base for every error in this package; ``user_message`` can be shown to a user verbatim."""


def why(text: str, /, **params: object) -> KindredError:
    """Why a text couldn't be read: a phrase marked ``N_()`` with its values, shown inside the
    parse error's sentence in the reader's language (``why(N_("it's empty"))``)."""
    return KindredError(text, **params)


class ScheduleParseError(ScheduleError):
    """Text that isn't a schedule. ``reason`` says what was wrong (a phrase from ``why``, or
    plain English), ``text`` what was typed. Each kind has its whole sentence, examples in it."""

    examples = SCHEDULE_EXAMPLES
    what = "a schedule"
    sentence = N_(
        "I couldn't read “{text}” as a schedule: {reason}. Try `daily 20:00`, `weekdays 9am`, "
        "`mon,wed,fri 18:30`, `daily 09:00, 21:00`, `every 2 weeks on sunday 17:00`, "
        "`every 3 hours` or `cron: 0 9 * * 1-5`."
    )

    def __init__(self, text: str, reason: str | KindredError) -> None:
        self.text = text
        self.reason = reason
        super().__init__(self.sentence, text=_shorten(text), reason=reason)


class ClockParseError(ScheduleParseError):
    examples = CLOCK_EXAMPLES
    what = "a time of day"
    sentence = N_(
        "I couldn't read “{text}” as a time of day: {reason}. Try `20:00`, `8pm` or `8:30 am`."
    )


class WeekdayParseError(ScheduleParseError):
    examples = "`mon`, `Monday`, `tue`, `weekdays` or `weekends`"
    what = "a day of the week"
    sentence = N_(
        "I couldn't read “{text}” as a day of the week: {reason}. Try `mon`, `Monday`, `tue`, "
        "`weekdays` or `weekends`."
    )


class HoursParseError(ScheduleParseError):
    examples = HOURS_EXAMPLES
    what = "opening hours"
    sentence = N_(
        "I couldn't read “{text}” as opening hours: {reason}. Try `mon-fri 08:00-16:30`, "
        "`mon,wed 18:00-22:00; sat 10:00-14:00`, `fri 22:00-02:00`."
    )


class DurationParseError(ScheduleParseError):
    examples = DURATION_EXAMPLES
    what = "a duration"
    sentence = N_(
        "I couldn't read “{text}” as a duration: {reason}. Try `30m`, `2h`, `1h30m`, "
        "`90 minutes` or `3 days`."
    )


class UntilParseError(ScheduleParseError):
    examples = "`until 17:00`, `until 5pm`, `for 2h`, `for 90 minutes`"
    what = "an end time"
    sentence = N_(
        "I couldn't read “{text}” as an end time: {reason}. Try `until 17:00`, `until 5pm`, "
        "`for 2h`, `for 90 minutes`."
    )


class InvalidTimezoneError(ScheduleError):
    def __init__(self, name: str, suggestions: Iterable[str] = ()) -> None:
        self.name = name
        self.suggestions = list(suggestions)
        if not name.strip():
            super().__init__(
                N_(
                    "Type a time zone: an IANA zone name such as `Europe/London`, "
                    "`America/New_York` or `Asia/Kolkata` (or `UTC`), so daylight saving time "
                    "is handled for you."
                )
            )
            return
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


class Duration(KindredError):
    """A length of time inside a message: ``format_duration``'s English (``1 hour 30 minutes``),
    each unit in the reader's language."""

    UNITS = (
        (1440, N_("1 day"), N_("{count} days")),
        (60, N_("1 hour"), N_("{count} hours")),
        (1, N_("1 minute"), N_("{count} minutes")),
    )

    def __init__(self, delta: timedelta) -> None:
        super().__init__(format_duration(delta))
        self.delta = delta

    def message_in(self, lang: str | None) -> str:
        minutes = int(self.delta.total_seconds() // 60)
        parts = []
        for size, one, many in self.UNITS:
            value, minutes = divmod(minutes, size)
            if value:
                parts.append(KindredError(one if value == 1 else many, count=value))
        if not parts:
            parts = [KindredError(N_("{count} seconds"), count=int(self.delta.total_seconds()))]
        return " ".join(part.message_in(lang) for part in parts)


class ScheduleTooFrequentError(ScheduleError):
    def __init__(self, schedule: Schedule, minimum: timedelta) -> None:
        self.schedule = schedule
        self.minimum = minimum
        super().__init__(
            N_(
                "“{schedule}” runs too often: runs here must be at least {minimum} apart, but "
                "this one has runs only {actual} apart. Try fewer times, e.g. `daily 09:00` or "
                "`every 2 hours`."
            ),
            schedule=schedule_text(schedule),
            minimum=Duration(minimum),
            actual=Duration(schedule.min_interval()),
        )
