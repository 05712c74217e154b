"""How a schedule reads to a person, in their language: ``Tuesdays at 19:00`` in English,
``Toda semana: terça-feira, às 19:00`` in Portuguese.

Each description is a whole marked text (``N_()``) whose values (the days, the times, a date)
are phrases with ``message_in``: English exactly as the scheduler always wrote it, other
languages with the locale's own day and month names and lists from Babel
(``babel.dates``, ``babel.lists``). Only what is shown changes; parsing reads what it always
read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_day_names
from babel.lists import format_list

from bot.errors import KindredError
from bot.i18n import N_
from bot.schedules.common import ALL_DAYS, DAY_ABBR, DAY_NAMES, WEEKDAYS, WEEKENDS, _fmt, _join_and

if TYPE_CHECKING:
    from bot.schedules.recurrence import Schedule


def _locale(lang: str | None) -> Locale | None:
    """Babel's locale for a language other than English (None: English or unknown)."""
    if not lang or lang == "en":
        return None
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


class _Days(KindredError):
    """Days of the week inside a description: ``Mondays and Wednesdays`` (``Monday and
    Wednesday`` after "on") in English; the locale's day names, listed its way, elsewhere."""

    def __init__(self, days: Iterable[int], *, plural: bool, abbreviated: bool = False) -> None:
        self.days = tuple(sorted(days))
        self.abbreviated = abbreviated
        if abbreviated:
            english = ", ".join(DAY_ABBR[d].capitalize() for d in self.days)
        else:
            english = _join_and([DAY_NAMES[d] + ("s" if plural else "") for d in self.days])
        super().__init__(english)

    def message_in(self, lang: str | None) -> str:
        locale = _locale(lang)
        if locale is None:
            return self.user_message
        names = get_day_names("abbreviated" if self.abbreviated else "wide", locale=locale)
        shown = [names[d] for d in self.days]
        return ", ".join(shown) if self.abbreviated else format_list(shown, locale=locale)


class _DayRange(KindredError):
    """``Mon–Fri`` (office hours): the locale's abbreviated names outside English."""

    def __init__(self, first: int, last: int) -> None:
        self.first, self.last = first, last
        super().__init__(f"{DAY_ABBR[first].capitalize()}–{DAY_ABBR[last].capitalize()}")

    def message_in(self, lang: str | None) -> str:
        locale = _locale(lang)
        if locale is None:
            return self.user_message
        names = get_day_names("abbreviated", locale=locale)
        return f"{names[self.first]}–{names[self.last]}"


class _Times(KindredError):
    """``09:00 and 21:00``: the 24-hour times, joined in the reader's language."""

    def __init__(self, times: Sequence[time]) -> None:
        self.shown = [_fmt(t) for t in times]
        super().__init__(_join_and(self.shown))

    def message_in(self, lang: str | None) -> str:
        locale = _locale(lang)
        return self.user_message if locale is None else format_list(self.shown, locale=locale)


class _Date(KindredError):
    """A local date: ``Mon 04 May 2026`` in English, the locale's full date elsewhere
    (``segunda-feira, 4 de maio de 2026``)."""

    def __init__(self, moment: datetime) -> None:
        self.day = moment.date()
        super().__init__(f"{moment:%a %d %b %Y}")

    def message_in(self, lang: str | None) -> str:
        locale = _locale(lang)
        return self.user_message if locale is None else format_date(self.day, "full", locale)


def _days_phrase(days: frozenset[int]) -> KindredError:
    """The days after "on" (``every other week on …``)."""
    if days == ALL_DAYS:
        return KindredError(N_("every day"))
    if days == WEEKDAYS:
        return KindredError(N_("weekdays"))
    if days == WEEKENDS:
        return KindredError(N_("weekends"))
    return _Days(days, plural=False)


def schedule_text(schedule: Schedule) -> KindredError:
    """A schedule's description as a phrase: ``str()`` is the English, ``message_in(lang)``
    the reader's language (usable as a value inside another marked text)."""
    if schedule.kind == "cron":
        assert schedule.cron is not None
        return KindredError(
            N_("Cron schedule `{expression}` (minute hour day month weekday)"),
            expression=schedule.cron.expression,
        )
    if schedule.kind == "hourly":
        minute = f"{schedule.times[0].minute:02d}"
        if schedule.every_hours == 1:
            return KindredError(N_("Every hour at :{minute}"), minute=minute)
        return KindredError(
            N_("Every {count} hours at :{minute} ({times})"),
            count=schedule.every_hours,
            minute=minute,
            times=_Times(schedule.times),
        )
    times = _Times(schedule.times)
    days = schedule.weekdays
    if schedule.every_weeks == 1:
        if days == ALL_DAYS:
            return KindredError(N_("Every day at {times}"), times=times)
        if days == WEEKDAYS:
            return KindredError(N_("Weekdays at {times}"), times=times)
        if days == WEEKENDS:
            return KindredError(N_("Weekends at {times}"), times=times)
        return KindredError(N_("{days} at {times}"), days=_Days(days, plural=True), times=times)
    on = _days_phrase(days)
    if schedule.every_weeks == 2:
        if schedule.anchor:
            return KindredError(
                N_("Every other week on {days} at {times} (counting from the week of {date})"),
                days=on,
                times=times,
                date=schedule.anchor.isoformat(),
            )
        return KindredError(N_("Every other week on {days} at {times}"), days=on, times=times)
    if schedule.anchor:
        return KindredError(
            N_("Every {count} weeks on {days} at {times} (counting from the week of {date})"),
            count=schedule.every_weeks,
            days=on,
            times=times,
            date=schedule.anchor.isoformat(),
        )
    return KindredError(
        N_("Every {count} weeks on {days} at {times}"),
        count=schedule.every_weeks,
        days=on,
        times=times,
    )


def once_text(moment: datetime, zone: str) -> KindredError:
    """A one-off meeting: ``Once, Mon 04 May 2026 at 19:00 (Europe/Lisbon)`` (local time)."""
    return KindredError(
        N_("Once, {date} at {time} ({zone})"),
        date=_Date(moment),
        time=f"{moment:%H:%M}",
        zone=zone,
    )


def hours_part(days: Sequence[tuple[int, int]], start: str, end: str, kind: str) -> KindredError:
    """One group of office hours: ``Mon–Fri 09:00–17:00``, ``… (overnight)``, ``… all day``;
    ``days`` are runs of consecutive days (``(first, last)``)."""
    label: KindredError
    if frozenset(d for first, last in days for d in range(first, last + 1)) == ALL_DAYS:
        label = KindredError(N_("Every day"))
    else:
        label = _DayLabel(days)
    if kind == "all day":
        return KindredError(N_("{days} all day"), days=label)
    if kind == "overnight":
        return KindredError(
            N_("{days} {start}–{end} (overnight)"), days=label, start=start, end=end
        )
    return _Plain("{days} {start}–{end}", days=label, start=start, end=end)


class _Plain(KindredError):
    """Values side by side with no words of their own: each value in the reader's language."""

    def message_in(self, lang: str | None) -> str:
        values = {
            name: value.message_in(lang) if isinstance(value, KindredError) else value
            for name, value in self.params.items()
        }
        return self.template.format(**values)


class _DayLabel(KindredError):
    """Office hours' days: ``Mon, Wed`` and ``Mon–Fri`` (runs of three days or more)."""

    def __init__(self, runs: Sequence[tuple[int, int]]) -> None:
        self.parts: list[KindredError] = []
        for first, last in runs:
            if last - first >= 2:
                self.parts.append(_DayRange(first, last))
            else:
                self.parts.append(_Days(range(first, last + 1), plural=False, abbreviated=True))
        super().__init__(", ".join(str(p) for p in self.parts))

    def message_in(self, lang: str | None) -> str:
        return ", ".join(p.message_in(lang) for p in self.parts)


def never_open() -> KindredError:
    return KindredError(N_("Never open"))


def render_parts(parts: Iterable[KindredError], lang: str | None) -> str:
    """Office hours' groups joined with ``; `` (the English joins them the same way)."""
    return "; ".join(p.message_in(lang) for p in parts)
