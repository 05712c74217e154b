"""The schedule language, the recurrence engine and its DST policy, and the APScheduler trigger."""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.errors import KindredError
from bot.schedules import (
    ClockParseError,
    DurationParseError,
    HoursParseError,
    InvalidTimezoneError,
    Schedule,
    ScheduleError,
    ScheduleParseError,
    ScheduleTooFrequentError,
    UntilParseError,
    WeekdayParseError,
    ensure_min_interval,
    is_clock_end,
    parse_clock,
    parse_duration,
    parse_hours,
    parse_schedule,
    parse_timezone,
    parse_until,
    parse_weekday,
    resolve_local,
    timezone_choices,
)
from tests.helpers.schedule_trigger import to_trigger

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(runs: list[datetime], tz: ZoneInfo) -> list[str]:
    return [r.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %z") for r in runs]


def trigger_runs(schedule: Schedule, tz: ZoneInfo, after: datetime, count: int) -> list[datetime]:
    """Drive the trigger the way APScheduler does: previous fire time and now = that time."""
    trigger = to_trigger(schedule, tz)
    runs: list[datetime] = []
    previous = None
    now = after + timedelta(seconds=1)
    while len(runs) < count:
        fire = trigger.get_next_fire_time(previous, now)
        if fire is None:
            break
        runs.append(fire.astimezone(UTC))
        previous = now = fire
    return runs


# -- time zones ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/London", "Europe/London"),
        ("europe/london", "Europe/London"),
        ("  America/New_York ", "America/New_York"),
        ("new york", "America/New_York"),
        ("London", "Europe/London"),
        ("Kolkata", "Asia/Kolkata"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("Z", "UTC"),
        ("EST", "America/New_York"),
        ("pacific", "America/Los_Angeles"),
    ],
)
def test_parse_timezone_accepts_names_and_aliases(name: str, key: str) -> None:
    assert parse_timezone(name).key == key


def test_unknown_zone_has_typed_error_with_suggestions() -> None:
    with pytest.raises(InvalidTimezoneError) as info:
        parse_timezone("Europe/Londn")
    assert info.value.name == "Europe/Londn"
    assert info.value.suggestions[0] == "Europe/London"
    assert "Europe/London" in info.value.user_message
    assert isinstance(info.value, ScheduleError)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, KindredError)


@pytest.mark.parametrize("name", ["", "   ", "Mars/Olympus", "x" * 300])
def test_hopeless_zone_names_raise(name: str) -> None:
    with pytest.raises(InvalidTimezoneError) as info:
        parse_timezone(name)
    assert "IANA" in info.value.user_message


def test_misspelled_city_suggests_zone() -> None:
    with pytest.raises(InvalidTimezoneError) as info:
        parse_timezone("Amercia/New_York")
    assert "America/New_York" in info.value.suggestions


def test_timezone_choices_ranks_prefix_matches_first() -> None:
    choices = timezone_choices("europe/l")
    assert choices[:3] == ["Europe/Lisbon", "Europe/Ljubljana", "Europe/London"]
    assert timezone_choices("lon")[0] == "Europe/London"
    assert timezone_choices("NEW_Y")[0] == "America/New_York"
    assert "America/New_York" in timezone_choices("new york")
    assert len(timezone_choices("a")) == 25
    assert len(timezone_choices("a", limit=5)) == 5
    assert timezone_choices("")[0] == "UTC"
    assert timezone_choices("zzzz") == []
    assert all(c.lower().find("an") >= 0 for c in timezone_choices("an"))


# -- clocks, days, durations ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20:00", time(20, 0)),
        ("8pm", time(20, 0)),
        ("8 PM", time(20, 0)),
        ("8:30 am", time(8, 30)),
        ("8:30a.m.", time(8, 30)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("12:15 am", time(0, 15)),
        ("0:05", time(0, 5)),
        ("9.45", time(9, 45)),
        ("20h30", time(20, 30)),
        ("noon", time(12, 0)),
        ("midnight", time(0, 0)),
    ],
)
def test_parse_clock(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["25:00", "24:00", "12:60", "13pm", "0am", "9", "", "soon", "8:5"])
def test_parse_clock_rejects(text: str) -> None:
    with pytest.raises(ClockParseError) as info:
        parse_clock(text)
    assert "8pm" in info.value.user_message  # shows the accepted forms


def test_parse_clock_error_says_what_is_wrong() -> None:
    with pytest.raises(ClockParseError, match="hours go from 00 to 23"):
        parse_clock("25:00")
    with pytest.raises(ClockParseError, match="1 to 12"):
        parse_clock("13pm")
    with pytest.raises(ClockParseError, match="add minutes or am/pm"):
        parse_clock("9")


@pytest.mark.parametrize(
    ("text", "day"),
    [("mon", 0), ("Monday", 0), ("mondays", 0), ("lun", 0), ("Tues", 1), ("wed", 2),
     ("thurs", 3), ("FRI", 4), ("samedi", 5), ("sun", 6), ("Sunday", 6), ("miércoles", 2)],
)  # fmt: skip
def test_parse_weekday(text: str, day: int) -> None:
    assert parse_weekday(text) == day


def test_parse_weekday_rejects_with_hint() -> None:
    with pytest.raises(WeekdayParseError) as info:
        parse_weekday("funday")
    assert "Sunday" in info.value.user_message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("1h 30m", timedelta(minutes=90)),
        ("1 hour and 30 minutes", timedelta(minutes=90)),
        ("90 minutes", timedelta(minutes=90)),
        ("3 days", timedelta(days=3)),
        ("1.5h", timedelta(minutes=90)),
        ("2 weeks", timedelta(weeks=2)),
        ("for 45 mins", timedelta(minutes=45)),
        ("an hour", timedelta(hours=1)),
    ],
)
def test_parse_duration(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "30", "0m", "soon", "2 fortnights", "5000 days", "h"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(DurationParseError) as info:
        parse_duration(text)
    assert "1h30m" in info.value.user_message


def test_parse_duration_suggests_unit_for_bare_number() -> None:
    with pytest.raises(DurationParseError, match="add a unit"):
        parse_duration("30")


def test_parse_until_clock_later_today_and_tomorrow() -> None:
    now = utc(2026, 7, 1, 12, 0)  # 13:00 in London (BST)
    assert parse_until("until 17:00", now, LONDON) == utc(2026, 7, 1, 16, 0)
    assert parse_until("5pm", now, LONDON) == utc(2026, 7, 1, 16, 0)
    # Earlier than now (and exactly now) means tomorrow.
    assert parse_until("until 9:00", now, LONDON) == utc(2026, 7, 2, 8, 0)
    assert parse_until("13:00", now, LONDON) == utc(2026, 7, 2, 12, 0)
    assert parse_until("tomorrow 9am", now, LONDON) == utc(2026, 7, 2, 8, 0)


def test_parse_until_durations() -> None:
    now = utc(2026, 7, 1, 12, 0)
    assert parse_until("for 2h", now, LONDON) == utc(2026, 7, 1, 14, 0)
    assert parse_until("2h", now, LONDON) == utc(2026, 7, 1, 14, 0)
    assert parse_until("in 90 minutes", now, LONDON) == utc(2026, 7, 1, 13, 30)
    assert parse_until("for 2h", now, LONDON).tzinfo is UTC


def test_parse_until_crosses_dst_in_local_time() -> None:
    now = utc(2026, 3, 28, 12, 0)  # Saturday noon GMT; clocks go forward overnight
    assert parse_until("until 09:00", now, LONDON) == utc(2026, 3, 29, 8, 0)  # 09:00 BST


@pytest.mark.parametrize(
    ("text", "by_clock"),
    [
        ("17:00", True),
        ("until 5pm", True),
        ("tomorrow 9am", True),
        ("until tomorrow at 09:00", True),
        ("2h", False),
        ("for 90 minutes", False),
        ("in 1h30m", False),
        ("tomorrow", False),
        ("", False),
    ],
)
def test_an_end_by_the_clock_is_told_from_a_length_of_time(text: str, by_clock: bool) -> None:
    assert is_clock_end(text) is by_clock


@pytest.mark.parametrize("text", ["", "until whenever", "until 25:00", "tomorrow", "5"])
def test_parse_until_rejects(text: str) -> None:
    with pytest.raises(UntilParseError) as info:
        parse_until(text, utc(2026, 7, 1), LONDON)
    assert "17:00" in info.value.user_message


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_schedule("daily 09:00").next_runs(datetime(2026, 1, 1), LONDON, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_until("2h", datetime(2026, 1, 1), LONDON)


# -- schedule forms -------------------------------------------------------------------------------
FORMS = [
    ("daily 20:00", "daily 20:00", "Every day at 20:00"),
    ("every day at 8pm", "daily 20:00", "Every day at 20:00"),
    ("Every  Day   AT 8 PM", "daily 20:00", "Every day at 20:00"),
    ("weekdays 09:00", "weekdays 09:00", "Weekdays at 09:00"),
    ("mon-fri 9am", "weekdays 09:00", "Weekdays at 09:00"),
    ("weekends 10:30", "weekends 10:30", "Weekends at 10:30"),
    ("mon,wed,fri 18:30", "mon,wed,fri 18:30", "Mondays, Wednesdays and Fridays at 18:30"),
    ("monday 9:00", "mon 09:00", "Mondays at 09:00"),
    ("every monday at 9:00", "mon 09:00", "Mondays at 09:00"),
    ("on mondays at 9am", "mon 09:00", "Mondays at 09:00"),
    ("tue and thu at 7:15pm", "tue,thu 19:15", "Tuesdays and Thursdays at 19:15"),
    ("sat & sun 10:00", "weekends 10:00", "Weekends at 10:00"),
    ("daily 09:00, 21:00", "daily 09:00,21:00", "Every day at 09:00 and 21:00"),
    ("daily 21:00 and 9am", "daily 09:00,21:00", "Every day at 09:00 and 21:00"),
    ("at 8pm", "daily 20:00", "Every day at 20:00"),
    ("every 2 weeks on sunday 17:00", "every 2 weeks on sun 17:00",
     "Every other week on Sunday at 17:00"),
    ("every other week on sunday 17:00", "every 2 weeks on sun 17:00",
     "Every other week on Sunday at 17:00"),
    ("fortnightly on sun 5pm", "every 2 weeks on sun 17:00",
     "Every other week on Sunday at 17:00"),
    ("every 3 weeks on mon,thu 18:00", "every 3 weeks on mon,thu 18:00",
     "Every 3 weeks on Monday and Thursday at 18:00"),
    ("every week on friday 12:00", "fri 12:00", "Fridays at 12:00"),
    ("every 2 weeks on sun 17:00 from 2026-03-04", "every 2 weeks on sun 17:00 from 2026-03-02",
     "Every other week on Sunday at 17:00 (counting from the week of 2026-03-02)"),
    ("hourly", "hourly", "Every hour at :00"),
    ("every hour", "hourly", "Every hour at :00"),
    ("hourly at :30", "hourly at :30", "Every hour at :30"),
    ("every 3 hours", "every 3 hours",
     "Every 3 hours at :00 (00:00, 03:00, 06:00, 09:00, 12:00, 15:00, 18:00 and 21:00)"),
    ("every 12 hours at :15", "every 12 hours at :15", "Every 12 hours at :15 (00:15 and 12:15)"),
    ("cron: 0 9 * * 1-5", "cron: 0 9 * * 1-5",
     "Cron schedule `0 9 * * 1-5` (minute hour day month weekday)"),
    ("0 9 * * 1-5", "cron: 0 9 * * 1-5",
     "Cron schedule `0 9 * * 1-5` (minute hour day month weekday)"),
    ("CRON 30 18 * * MON,WED", "cron: 30 18 * * mon,wed",
     "Cron schedule `30 18 * * mon,wed` (minute hour day month weekday)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "canonical", "description"), FORMS)
def test_forms_parse_describe_and_round_trip(text: str, canonical: str, description: str) -> None:
    schedule = parse_schedule(text)
    assert schedule.canonical() == canonical
    assert schedule.describe() == description
    assert parse_schedule(schedule.canonical()) == schedule
    assert str(schedule) == canonical


SCHEDULE_ERRORS = [
    ("", "empty"),
    ("   ", "empty"),
    ("25:00", "hours go from 00 to 23"),
    ("daily 25:00", "hours go from 00 to 23"),
    ("daily 9:61", "isn't a valid time"),
    ("funday 9:00", "did you mean Sunday"),
    ("monday", "add a time"),
    ("daily 9", "add a time"),
    ("daily 9:00 banana", "didn't understand"),
    ("cron: 0 0 9 * * 1", "exactly 5 fields"),
    ("0 0 9 * * 1", "exactly 5 fields"),
    ("cron: 61 * * * *", "0-59"),
    ("cron: 0 9 * * 8", "0-7"),
    ("cron: 0 9 L * *", "isn't valid"),
    ("cron: 0 0 31 2 *", "never happens"),
    ("cron: 0 9 5-1 * *", "backwards"),
    ("cron: */0 * * * *", "bad step"),
    ("every 5 hours", "divide a day"),
    ("every 30 minutes", "cron"),
    ("every 2 weeks at 9:00", "which day"),
    ("every 99 weeks on mon 9:00", "1 to 52"),
    ("weekly 9:00", "which day"),
    ("daily 9:00 from 2026-01-01", "only applies"),
    ("every 2 weeks on mon 9:00 from 2026-02-30", "isn't a valid date"),
    ("hourly at :75", "0 to 59"),
    ("x" * 500, "longer than"),
]


@pytest.mark.parametrize(("text", "fragment"), SCHEDULE_ERRORS)
def test_schedule_errors_are_typed_and_helpful(text: str, fragment: str) -> None:
    with pytest.raises(ScheduleParseError) as info:
        parse_schedule(text)
    message = info.value.user_message
    assert fragment in message
    assert "Try `daily 20:00`" in message  # always shows accepted forms with examples
    assert len(message) < 2000  # fits a Discord message
    assert isinstance(info.value, ValueError)


def test_min_interval() -> None:
    assert parse_schedule("daily 09:00").min_interval() == timedelta(days=1)
    assert parse_schedule("daily 09:00, 21:00").min_interval() == timedelta(hours=12)
    assert parse_schedule("daily 08:00, 23:30").min_interval() == timedelta(hours=8, minutes=30)
    assert parse_schedule("weekends 10:00").min_interval() == timedelta(days=1)
    assert parse_schedule("mon,thu 10:00").min_interval() == timedelta(days=3)
    # The gap across midnight counts too.
    assert parse_schedule("daily 00:15, 23:30").min_interval() == timedelta(minutes=45)
    assert parse_schedule("every 2 weeks on sun 17:00").min_interval() == timedelta(weeks=2)
    assert parse_schedule("hourly").min_interval() == timedelta(hours=1)
    assert parse_schedule("every 6 hours").min_interval() == timedelta(hours=6)
    assert parse_schedule("cron: */15 * * * *").min_interval() == timedelta(minutes=15)
    assert parse_schedule("cron: 0 9 * * 1-5").min_interval() == timedelta(days=1)
    assert parse_schedule("cron: 0 0 1 * *").min_interval() == timedelta(days=28)


def test_interval_shorter_than_minimum_is_refused_when_checked() -> None:
    too_often = parse_schedule("cron: */30 * * * *")  # parsing alone is fine
    with pytest.raises(ScheduleTooFrequentError) as info:
        ensure_min_interval(too_often)
    assert "at least 1 hour apart" in info.value.user_message
    assert "30 minutes" in info.value.user_message
    with pytest.raises(ScheduleTooFrequentError):
        parse_schedule("daily 09:00, 09:30", min_interval=timedelta(hours=1))
    ensure_min_interval(parse_schedule("hourly"))  # exactly the minimum is allowed
    parse_schedule("daily 09:00", min_interval=timedelta(hours=1))
    with pytest.raises(ScheduleTooFrequentError):
        ensure_min_interval(parse_schedule("every 2 hours"), timedelta(hours=3))


# -- next_runs ------------------------------------------------------------------------------------
def test_next_runs_basic() -> None:
    schedule = parse_schedule("mon,wed,fri 18:30")
    runs = schedule.next_runs(utc(2026, 6, 1, 17, 30), LONDON, 4)  # Monday 18:30 BST exactly
    assert local(runs, LONDON) == [
        "Wed 2026-06-03 18:30 +0100",
        "Fri 2026-06-05 18:30 +0100",
        "Mon 2026-06-08 18:30 +0100",
        "Wed 2026-06-10 18:30 +0100",
    ]
    assert all(r.tzinfo is UTC for r in runs)
    assert schedule.next_run(utc(2026, 6, 1, 17, 29), LONDON) == utc(2026, 6, 1, 17, 30)
    assert schedule.next_runs(utc(2026, 6, 1), LONDON, 0) == []


def test_next_runs_every_other_week_uses_anchor() -> None:
    schedule = parse_schedule("every other week on sunday 17:00")
    anchored = schedule.anchored(utc(2026, 3, 4, 12), LONDON)  # a Wednesday
    assert anchored.anchor == date(2026, 3, 2)
    runs = anchored.next_runs(utc(2026, 3, 4, 12), LONDON, 3)
    assert local(runs, LONDON) == [
        "Sun 2026-03-08 17:00 +0000",
        "Sun 2026-03-22 17:00 +0000",
        "Sun 2026-04-05 17:00 +0100",
    ]
    other = schedule.starting(date(2026, 3, 10))
    assert other.next_run(utc(2026, 3, 4, 12), LONDON) == utc(2026, 3, 15, 17)
    assert parse_schedule(anchored.canonical()) == anchored
    assert parse_schedule("daily 09:00").anchored(utc(2026, 3, 4), LONDON).anchor is None


def test_cron_day_of_month_or_day_of_week_like_vixie() -> None:
    # Both restricted: the 13th OR any Friday.
    runs = parse_schedule("cron: 0 12 13 * 5").next_runs(utc(2026, 3, 1), UTC, 4)
    assert [r.day for r in runs] == [6, 13, 20, 27]
    runs = parse_schedule("cron: 0 12 1 * *").next_runs(utc(2026, 3, 1), UTC, 2)
    assert runs == [utc(2026, 3, 1, 12), utc(2026, 4, 1, 12)]
    # cron weekday 0 and 7 are both Sunday
    sundays = parse_schedule("cron: 0 8 * * 0").next_runs(utc(2026, 3, 1, 9), UTC, 2)
    assert sundays == parse_schedule("cron: 0 8 * * 7").next_runs(utc(2026, 3, 1, 9), UTC, 2)
    assert all(r.weekday() == 6 for r in sundays)


def test_leap_day_cron_skips_years() -> None:
    runs = parse_schedule("cron: 0 0 29 2 *").next_runs(utc(2025, 1, 1), UTC, 3)
    assert [r.year for r in runs] == [2028, 2032, 2036]


# -- DST ------------------------------------------------------------------------------------------
def test_daily_0900_london_keeps_local_time_across_both_changes() -> None:
    schedule = parse_schedule("daily 09:00")
    spring = schedule.next_runs(utc(2026, 3, 27), LONDON, 4)
    assert local(spring, LONDON) == [
        "Fri 2026-03-27 09:00 +0000",
        "Sat 2026-03-28 09:00 +0000",
        "Sun 2026-03-29 09:00 +0100",
        "Mon 2026-03-30 09:00 +0100",
    ]
    assert spring[2] - spring[1] == timedelta(hours=23)
    autumn = schedule.next_runs(utc(2026, 10, 23), LONDON, 4)
    assert local(autumn, LONDON) == [
        "Fri 2026-10-23 09:00 +0100",
        "Sat 2026-10-24 09:00 +0100",
        "Sun 2026-10-25 09:00 +0000",
        "Mon 2026-10-26 09:00 +0000",
    ]
    assert autumn[2] - autumn[1] == timedelta(hours=25)


def test_time_in_spring_gap_fires_once_at_end_of_gap() -> None:
    runs = parse_schedule("daily 01:30").next_runs(utc(2026, 3, 27, 12), LONDON, 3)
    assert local(runs, LONDON) == [
        "Sat 2026-03-28 01:30 +0000",
        "Sun 2026-03-29 02:00 +0100",  # 01:30 doesn't exist: the first instant after the gap
        "Mon 2026-03-30 01:30 +0100",
    ]
    assert runs[1] == utc(2026, 3, 29, 1, 0)


def test_several_times_in_one_gap_collapse_into_one_run() -> None:
    runs = parse_schedule("daily 01:15, 01:45, 02:15").next_runs(utc(2026, 3, 29), LONDON, 3)
    assert local(runs, LONDON) == [
        "Sun 2026-03-29 02:00 +0100",
        "Sun 2026-03-29 02:15 +0100",
        "Mon 2026-03-30 01:15 +0100",
    ]


def test_repeated_autumn_time_fires_once_at_first_occurrence() -> None:
    runs = parse_schedule("daily 01:30").next_runs(utc(2026, 10, 24, 12), LONDON, 2)
    assert local(runs, LONDON) == ["Sun 2026-10-25 01:30 +0100", "Mon 2026-10-26 01:30 +0000"]
    assert runs[0] == utc(2026, 10, 25, 0, 30)
    # Asking again from inside the repeated hour does not fire the second 01:30.
    later = parse_schedule("daily 01:30").next_run(utc(2026, 10, 25, 1, 15), LONDON)
    assert later == utc(2026, 10, 26, 1, 30)


def test_hourly_across_dst_changes() -> None:
    spring = parse_schedule("hourly").next_runs(utc(2026, 3, 28, 23, 30), LONDON, 3)
    assert spring == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)]
    autumn = parse_schedule("hourly").next_runs(utc(2026, 10, 24, 23, 30), LONDON, 3)
    # 01:00 BST, then the repeated 01:00 GMT is skipped, then 02:00 GMT.
    assert autumn == [utc(2026, 10, 25, 0), utc(2026, 10, 25, 2), utc(2026, 10, 25, 3)]


def test_new_york_gap_and_repeat() -> None:
    gap = parse_schedule("daily 02:30").next_runs(utc(2026, 3, 7, 12), NEW_YORK, 2)
    assert local(gap, NEW_YORK) == ["Sun 2026-03-08 03:00 -0400", "Mon 2026-03-09 02:30 -0400"]
    repeat = parse_schedule("daily 01:30").next_runs(utc(2026, 10, 31, 12), NEW_YORK, 2)
    assert local(repeat, NEW_YORK) == ["Sun 2026-11-01 01:30 -0400", "Mon 2026-11-02 01:30 -0500"]
    nine = parse_schedule("weekdays 9am").next_runs(utc(2026, 3, 6), NEW_YORK, 2)
    assert local(nine, NEW_YORK) == ["Fri 2026-03-06 09:00 -0500", "Mon 2026-03-09 09:00 -0400"]


def test_lord_howe_half_hour_dst() -> None:
    # Lord Howe moves clocks by 30 minutes: 02:00 -> 02:30 in October, 02:00 -> 01:30 in April.
    gap = parse_schedule("daily 02:15").next_runs(utc(2026, 10, 3), LORD_HOWE, 2)
    assert local(gap, LORD_HOWE) == ["Sun 2026-10-04 02:30 +1100", "Mon 2026-10-05 02:15 +1100"]
    repeat = parse_schedule("daily 01:45").next_runs(utc(2026, 4, 4), LORD_HOWE, 2)
    assert local(repeat, LORD_HOWE) == ["Sun 2026-04-05 01:45 +1100", "Mon 2026-04-06 01:45 +1030"]


def test_resolve_local_policy() -> None:
    assert resolve_local(datetime(2026, 3, 29, 1, 30), LONDON) == utc(2026, 3, 29, 1, 0)
    assert resolve_local(datetime(2026, 10, 25, 1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    assert resolve_local(datetime(2026, 7, 1, 9, 0), LONDON) == utc(2026, 7, 1, 8, 0)
    # Samoa skipped 30 December 2011 entirely.
    apia = ZoneInfo("Pacific/Apia")
    assert resolve_local(datetime(2011, 12, 30, 9, 0), apia) == utc(2011, 12, 30, 10, 0)


# -- the APScheduler trigger ----------------------------------------------------------------------
AGREEMENT_SCHEDULES = [
    "daily 09:00",
    "daily 01:30",
    "daily 00:30, 01:15, 01:45, 02:15",
    "weekdays 8:30am, 5pm",
    "weekends 02:30",
    "hourly",
    "every 3 hours at :30",
    "every 2 weeks on sun 01:30",
    "every 3 weeks on mon,sun 00:00, 23:30 from 2026-01-05",
    "cron: */20 1-2 * * *",
    "cron: 0 0 13 * 5",
    "cron: 15 1 * 3,10 0",
]
AGREEMENT_ZONES = [
    ("Europe/London", utc(2026, 3, 20)),
    ("Europe/London", utc(2026, 10, 18)),
    ("America/New_York", utc(2026, 3, 1)),
    ("America/New_York", utc(2026, 10, 25)),
    ("Australia/Lord_Howe", utc(2026, 3, 30)),
    ("America/Santiago", utc(2026, 8, 30)),
    ("Pacific/Apia", utc(2011, 12, 20)),
    ("UTC", utc(2026, 1, 1)),
]


@pytest.mark.parametrize("text", AGREEMENT_SCHEDULES)
def test_trigger_agrees_with_next_runs_over_60_runs(text: str) -> None:
    schedule = parse_schedule(text)
    for name, start in AGREEMENT_ZONES:
        tz = ZoneInfo(name)
        expected = schedule.next_runs(start, tz, 60)
        assert len(expected) == 60
        assert trigger_runs(schedule, tz, start, 60) == expected, (text, name)


def test_plain_crontrigger_differs_from_policy_and_wrapper_fixes_it() -> None:
    from apscheduler.triggers.cron import CronTrigger

    plain = CronTrigger(hour=1, minute=30, timezone=LONDON)
    # APScheduler 3.11 on its own fires the gap time at 02:30 BST and the repeated time twice.
    gap = plain.get_next_fire_time(None, utc(2026, 3, 28, 12))
    assert gap.astimezone(UTC) == utc(2026, 3, 29, 1, 30)
    first = plain.get_next_fire_time(None, utc(2026, 10, 24, 12))
    second = plain.get_next_fire_time(first, first)
    assert second.astimezone(UTC) == utc(2026, 10, 25, 1, 30)

    # ... and can skip a gap time entirely when it steps across the transition.
    skipping = CronTrigger(hour="1,2", minute=15, timezone=NEW_YORK)
    first = skipping.get_next_fire_time(None, utc(2026, 3, 8, 5))
    assert skipping.get_next_fire_time(first, first).day == 9  # no run for 02:15 on the 8th
    assert parse_schedule("daily 01:15, 02:15").next_runs(utc(2026, 3, 8, 5), NEW_YORK, 2)[1] == (
        utc(2026, 3, 8, 7)  # 03:00 EDT, the end of the gap
    )

    wrapped = to_trigger(parse_schedule("daily 01:30"), LONDON)
    assert wrapped.get_next_fire_time(None, utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1, 0)
    first = wrapped.get_next_fire_time(None, utc(2026, 10, 24, 12))
    assert first == utc(2026, 10, 25, 0, 30)
    assert wrapped.get_next_fire_time(first, first) == utc(2026, 10, 26, 1, 30)


def test_trigger_start_date_now_and_pickling() -> None:
    schedule = parse_schedule("weekdays 09:00")
    trigger = to_trigger(schedule, LONDON, start_date=utc(2026, 5, 4, 12))
    assert trigger.get_next_fire_time(None, utc(2026, 5, 1)) == utc(2026, 5, 5, 8)
    # Without a previous fire time "now" itself may fire, like CronTrigger.
    plain = to_trigger(schedule, LONDON)
    assert plain.get_next_fire_time(None, utc(2026, 5, 5, 8)) == utc(2026, 5, 5, 8)
    assert plain.get_next_fire_time(utc(2026, 5, 5, 8), utc(2026, 5, 5, 8)) == utc(2026, 5, 6, 8)
    # Catching up after downtime starts from the previous fire time, as CronTrigger does.
    assert plain.get_next_fire_time(utc(2026, 5, 5, 8), utc(2026, 5, 9)) == utc(2026, 5, 6, 8)
    copy = pickle.loads(pickle.dumps(trigger))
    assert copy.get_next_fire_time(None, utc(2026, 5, 1)) == utc(2026, 5, 5, 8)
    assert "weekdays 09:00" in repr(copy)
    with pytest.raises(ValueError, match="timezone-aware"):
        to_trigger(schedule, LONDON, start_date=datetime(2026, 1, 1))


async def test_trigger_works_in_an_apscheduler_job() -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.start(paused=True)
    try:
        job = scheduler.add_job(lambda: None, to_trigger(parse_schedule("daily 09:00"), LONDON))
        scheduler.resume()
        assert job.next_run_time is not None
        assert job.next_run_time.astimezone(LONDON).time() == time(9, 0)
        assert job.next_run_time.tzinfo is not None
    finally:
        scheduler.shutdown(wait=False)


# -- weekly hours ---------------------------------------------------------------------------------
def test_parse_hours_forms() -> None:
    assert parse_hours("mon-fri 08:00-16:30").canonical() == "mon-fri 08:00-16:30"
    assert parse_hours("weekdays 8am - 4:30pm").canonical() == "mon-fri 08:00-16:30"
    hours = parse_hours("mon,wed 18:00-22:00; sat 10:00-14:00")
    assert hours.canonical() == "mon,wed 18:00-22:00; sat 10:00-14:00"
    assert hours.describe() == "Mon, Wed 18:00–22:00; Sat 10:00–14:00"
    overnight = parse_hours("fri 22:00-02:00")
    assert overnight.describe() == "Fri 22:00–02:00 (overnight)"
    assert parse_hours("daily 00:00-24:00").describe() == "Every day all day"
    assert parse_hours("mon 09:00-12:00, 13:00-17:00").canonical() == (
        "mon 09:00-12:00; mon 13:00-17:00"
    )
    assert parse_hours("sun 9-17").canonical() == "sun 09:00-17:00"
    for text in ["mon-fri 08:00-16:30", "mon,wed 18:00-22:00; sat 10:00-14:00", "fri 22:00-02:00",
                 "daily 00:00-24:00", "mon 20:00-midnight"]:  # fmt: skip
        hours = parse_hours(text)
        assert parse_hours(hours.canonical()) == hours


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("mon-fri", "needs a range"),
        ("funday 09:00-17:00", "isn't a day"),
        ("mon 09:00-09:00", "same time"),
        ("mon 25:00-26:00", "isn't a valid time"),
        ("mon 09:00-17:00 whenever", "didn't understand"),
    ],
)
def test_parse_hours_errors(text: str, fragment: str) -> None:
    with pytest.raises(HoursParseError) as info:
        parse_hours(text)
    assert fragment in info.value.user_message
    assert "mon-fri 08:00-16:30" in info.value.user_message


def test_weekly_hours_open_close() -> None:
    hours = parse_hours("mon-fri 08:00-16:30")
    monday_noon = utc(2026, 6, 1, 11)  # 12:00 BST
    assert hours.is_open(monday_noon, LONDON)
    assert hours.next_close(monday_noon, LONDON) == utc(2026, 6, 1, 15, 30)
    assert hours.next_open(monday_noon, LONDON) == utc(2026, 6, 2, 7)
    friday_evening = utc(2026, 6, 5, 18)
    assert not hours.is_open(friday_evening, LONDON)
    assert hours.next_open(friday_evening, LONDON) == utc(2026, 6, 8, 7)
    assert not hours.is_open(utc(2026, 6, 1, 15, 30), LONDON)  # closing time is closed
    assert hours.is_open(utc(2026, 6, 1, 7), LONDON)  # opening time is open


def test_weekly_hours_overnight_and_always_open() -> None:
    hours = parse_hours("fri 22:00-02:00")
    assert hours.is_open(utc(2026, 1, 10, 1), UTC)  # Saturday 01:00
    assert not hours.is_open(utc(2026, 1, 10, 2), UTC)
    assert hours.next_close(utc(2026, 1, 9, 23), UTC) == utc(2026, 1, 10, 2)
    always = parse_hours("daily 00:00-24:00")
    assert always.is_open(utc(2026, 1, 1), LONDON)
    assert always.next_open(utc(2026, 1, 1), LONDON) is None
    assert always.next_close(utc(2026, 1, 1), LONDON) is None
    # Touching ranges merge: no close at midnight.
    joined = parse_hours("mon 20:00-24:00; tue 00:00-02:00")
    assert joined.next_close(utc(2026, 1, 5, 21), UTC) == utc(2026, 1, 6, 2)


def test_weekly_hours_dst() -> None:
    hours = parse_hours("sun 01:30-03:00")
    # Spring: 01:30 doesn't exist, so it opens at 02:00 BST (01:00 UTC).
    assert hours.next_open(utc(2026, 3, 28), LONDON) == utc(2026, 3, 29, 1)
    assert hours.next_close(utc(2026, 3, 29, 1), LONDON) == utc(2026, 3, 29, 2)
    # Autumn: opens at the first 01:30 (BST) and stays open through the repeated hour.
    assert hours.next_open(utc(2026, 10, 24), LONDON) == utc(2026, 10, 25, 0, 30)
    assert hours.is_open(utc(2026, 10, 25, 1, 15), LONDON)
    assert hours.next_close(utc(2026, 10, 25, 0, 30), LONDON) == utc(2026, 10, 25, 3)
    # Office hours stay at 08:00 local on both sides.
    office = parse_hours("mon-fri 08:00-16:30")
    assert office.next_open(utc(2026, 3, 27, 12), LONDON) == utc(2026, 3, 30, 7)
    assert office.next_open(utc(2026, 10, 23, 12), LONDON) == utc(2026, 10, 26, 8)
