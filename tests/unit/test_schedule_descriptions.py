"""Schedules and meeting times described in the reader's language: English exactly as the
scheduler always wrote it, other languages with the locale's day and month names (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import get_day_names, get_month_names
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedules import (
    ALL_DAYS,
    DAY_ABBR,
    DAY_NAMES,
    WEEKDAYS,
    WEEKENDS,
    Schedule,
    ScheduleTooFrequentError,
    parse_hours,
    parse_schedule,
)
from bot.services.meetings.rules import When

LANGS = ("es", "fr", "de", "pt")
PROFILE = settings(max_examples=80, deadline=None, derandomize=True)


def _old_english(schedule: Schedule) -> str:
    """The description as the scheduler wrote it before it spoke other languages."""

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    def days(chosen: frozenset[int], plural: bool) -> str:
        for group, word in (
            (ALL_DAYS, "Every day"),
            (WEEKDAYS, "Weekdays"),
            (WEEKENDS, "Weekends"),
        ):
            if chosen == group:
                return word if plural else word.lower()
        return join([DAY_NAMES[d] + ("s" if plural else "") for d in sorted(chosen)])

    times = join([f"{t.hour:02d}:{t.minute:02d}" for t in schedule.times])
    if schedule.kind == "cron":
        assert schedule.cron is not None
        return f"Cron schedule `{schedule.cron.expression}` (minute hour day month weekday)"
    if schedule.kind == "hourly":
        minute = schedule.times[0].minute
        if schedule.every_hours == 1:
            return f"Every hour at :{minute:02d}"
        return f"Every {schedule.every_hours} hours at :{minute:02d} ({times})"
    if schedule.every_weeks == 1:
        return f"{days(schedule.weekdays, True)} at {times}"
    every = (
        "Every other week" if schedule.every_weeks == 2 else f"Every {schedule.every_weeks} weeks"
    )
    text = f"{every} on {days(schedule.weekdays, False)} at {times}"
    if schedule.anchor:
        text += f" (counting from the week of {schedule.anchor.isoformat()})"
    return text


day_sets = st.frozensets(st.integers(0, 6), min_size=1)
clock_times = st.lists(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    min_size=1,
    max_size=3,
    unique=True,
).map(lambda ts: tuple(sorted(ts)))


@st.composite
def weekly(draw: st.DrawFn) -> Schedule:
    every = draw(st.sampled_from([1, 1, 2, 3, 4]))
    anchor = draw(st.one_of(st.none(), st.just(date(2026, 1, 5)))) if every > 1 else None
    return Schedule("weekly", draw(clock_times), draw(day_sets), every_weeks=every, anchor=anchor)


schedules = st.one_of(
    weekly(),
    st.sampled_from(["hourly", "every 3 hours at :15", "cron: 0 9 * * 1-5"]).map(parse_schedule),
)


@PROFILE
@given(schedule=schedules)
def test_english_descriptions_are_unchanged(schedule: Schedule) -> None:
    assert schedule.describe() == _old_english(schedule)
    assert schedule.describe("en") == _old_english(schedule)


@PROFILE
@given(schedule=schedules, lang=st.sampled_from(LANGS))
def test_every_language_describes_every_schedule(schedule: Schedule, lang: str) -> None:
    shown = schedule.describe(lang)
    assert shown.strip() and "{" not in shown
    assert shown != _old_english(schedule)
    if schedule.kind == "weekly":
        assert all(f"{t.hour:02d}:{t.minute:02d}" in shown for t in schedule.times)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("day", range(7))
def test_each_weekday_reads_in_the_locale(lang: str, day: int) -> None:
    name = get_day_names("wide", locale=lang)[day]
    shown = parse_schedule(f"{DAY_ABBR[day]} 19:00").describe(lang)
    assert name in shown and "19:00" in shown
    assert DAY_NAMES[day] not in shown or DAY_NAMES[day] == name


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("month", range(1, 13))
def test_each_month_of_a_one_off_meeting_reads_in_the_locale(lang: str, month: int) -> None:
    when = When(None, datetime(2027, month, 14, 18, 30, tzinfo=UTC), "UTC")
    shown = when.describe(lang)
    assert get_month_names("wide", locale=lang)[month].lower() in shown.lower()
    assert "18:30" in shown and "(UTC)" in shown and "{" not in shown


@pytest.mark.parametrize("month", range(1, 13))
def test_a_one_off_meeting_in_english_is_unchanged(month: int) -> None:
    moment = datetime(2027, month, 14, 18, 30, tzinfo=UTC)
    assert When(None, moment, "UTC").describe() == f"Once, {moment:%a %d %b %Y at %H:%M} (UTC)"


def test_a_portuguese_and_a_german_schedule_read_whole() -> None:
    assert parse_schedule("tue 19:00").describe("pt") == "Toda semana: terça-feira, às 19:00"
    assert (
        parse_schedule("every 2 weeks on mon,thu 18:30").describe("de")
        == "Alle zwei Wochen: Montag und Donnerstag um 18:30"
    )
    assert When("tue 19:00", None, "Europe/Lisbon").describe("pt") == (
        "Toda semana: terça-feira, às 19:00 (Europe/Lisbon)"
    )


@pytest.mark.parametrize("lang", LANGS)
def test_office_hours_use_the_locale_day_names(lang: str) -> None:
    hours = parse_hours("mon-fri 09:00-17:00; sat 22:00-02:00")
    assert hours.describe() == "Mon–Fri 09:00–17:00; Sat 22:00–02:00 (overnight)"
    shown = hours.describe(lang)
    names = get_day_names("abbreviated", locale=lang)
    assert names[0] in shown and names[4] in shown and names[5] in shown
    assert "(overnight)" not in shown and "09:00–17:00" in shown
    assert parse_hours("daily 00:00-24:00").describe(lang) != "Every day all day"


def test_a_schedule_that_runs_too_often_is_named_in_the_readers_language() -> None:
    with pytest.raises(ScheduleTooFrequentError) as caught:
        parse_schedule("daily 09:00, 09:30", min_interval=timedelta(hours=1))
    assert caught.value.user_message.startswith("“Every day at 09:00 and 09:30” runs too often")
    assert "Todos os dias às 09:00 e 09:30" in caught.value.message_in("pt")
