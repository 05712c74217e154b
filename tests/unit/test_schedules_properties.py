"""Property tests for the schedule language and recurrence engine."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.schedules import (
    DAY_ABBR,
    Schedule,
    ScheduleParseError,
    WeeklyHours,
    clock_change,
    parse_hours,
    parse_schedule,
    resolve_local,
)
from tests.helpers.schedule_trigger import to_trigger

# Zones with unusual transitions: 30-minute DST (Lord Howe), negative DST (Dublin), midnight
# transitions (Santiago, Havana), a skipped day (Apia 2011), 2-hour DST (Troll), odd offsets.
ZONES = [
    ZoneInfo(name)
    for name in (
        "UTC",
        "Europe/London",
        "Europe/Dublin",
        "America/New_York",
        "America/Santiago",
        "America/Havana",
        "America/St_Johns",
        "Australia/Lord_Howe",
        "Pacific/Chatham",
        "Pacific/Apia",
        "Asia/Kolkata",
        "Asia/Tehran",
        "Africa/Casablanca",
        "Antarctica/Troll",
    )
]

PROFILE = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

instants = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
zones = st.sampled_from(ZONES)


@st.composite
def clocks(draw: st.DrawFn) -> str:
    hour = draw(st.integers(0, 23))
    minute = draw(st.sampled_from([0, 15, 30, 45, draw(st.integers(0, 59))]))
    if draw(st.booleans()):
        suffix = "am" if hour < 12 else "pm"
        return f"{(hour % 12) or 12}:{minute:02d}{draw(st.sampled_from(['', ' ']))}{suffix}"
    return f"{hour:02d}:{minute:02d}" if draw(st.booleans()) else f"{hour}:{minute:02d}"


@st.composite
def schedule_texts(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["days", "days", "weeks", "hourly", "cron"]))
    times = ", ".join(draw(st.lists(clocks(), min_size=1, max_size=4)))
    if kind == "hourly":
        every = draw(st.sampled_from([1, 2, 3, 4, 6, 8, 12]))
        minute = draw(st.integers(0, 59))
        return f"every {every} hours at :{minute:02d}" if every > 1 else f"hourly at :{minute}"
    if kind == "cron":
        minute = draw(st.sampled_from(["0", "30", "*/15", "5,35", "0-10/5"]))
        hour = draw(st.sampled_from(["*", "1", "2", "9", "1-3", "*/6", "0,12,23"]))
        dom = draw(st.sampled_from(["*", "1", "13", "29", "31", "1-7", "*/10"]))
        month = draw(st.sampled_from(["*", "2", "3,10", "jan-jun", "*/3"]))
        dow = draw(st.sampled_from(["*", "0", "1-5", "5", "sat,sun", "7"]))
        return f"cron: {minute} {hour} {dom} {month} {dow}"
    days = draw(
        st.one_of(
            st.sampled_from(["daily", "every day", "weekdays", "weekends", "mon-fri", ""]),
            st.lists(st.sampled_from(DAY_ABBR), min_size=1, max_size=7, unique=True).map(",".join),
        )
    )
    if kind == "weeks":
        every = draw(st.integers(2, 8))
        day_text = days if days not in {"", "every day"} else "daily"
        text = f"every {every} weeks on {day_text} at {times}"
        if draw(st.booleans()):
            anchor = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
            text += f" from {anchor.isoformat()}"
        return text
    return f"{days} {times}".strip() if days else f"at {times}"


def _parse_or_none(text: str) -> Schedule | None:
    try:
        return parse_schedule(text)
    except ScheduleParseError:  # e.g. a cron day that never happens ("31 2")
        return None


schedules = schedule_texts().map(_parse_or_none).filter(lambda s: s is not None)


def _matches_wall_clock(schedule: Schedule, run: datetime, tz: ZoneInfo) -> bool:
    """A run is a scheduled local time on a scheduled day, or the end of a DST gap."""
    local = run.astimezone(tz)
    wall = local.replace(tzinfo=None, fold=0)
    if wall.time() in schedule.times and schedule._day_matches(wall.date()):
        return True
    before = (run - timedelta(seconds=1)).astimezone(tz)
    return before.utcoffset() != local.utcoffset() and (
        local.replace(tzinfo=None) - before.replace(tzinfo=None) > timedelta(seconds=1)
    )


@PROFILE
@given(schedule=schedules, tz=zones, after=instants)
def test_runs_are_strictly_increasing_future_utc_instants(
    schedule: Schedule, tz: ZoneInfo, after: datetime
) -> None:
    runs = schedule.next_runs(after, tz, 12)
    assert runs, schedule.canonical()
    assert all(r.tzinfo is UTC for r in runs)
    assert runs[0] > after
    assert all(a < b for a, b in itertools.pairwise(runs))
    assert all(_matches_wall_clock(schedule, r, tz) for r in runs)
    # Starting from any run gives the rest of the sequence.
    assert schedule.next_runs(runs[3], tz, 5) == runs[4:9] if len(runs) >= 9 else True


@PROFILE
@given(schedule=schedules, tz=zones, after=instants)
def test_canonical_round_trips(schedule: Schedule, tz: ZoneInfo, after: datetime) -> None:
    again = parse_schedule(schedule.canonical())
    assert again == schedule
    assert again.canonical() == schedule.canonical()
    assert again.next_runs(after, tz, 8) == schedule.next_runs(after, tz, 8)
    assert parse_schedule(schedule.canonical().upper()) == schedule
    assert schedule.describe()


@settings(max_examples=25, deadline=None, derandomize=True)
@given(schedule=schedules, tz=zones, after=instants)
def test_trigger_agrees_with_next_runs(schedule: Schedule, tz: ZoneInfo, after: datetime) -> None:
    expected = schedule.next_runs(after, tz, 10)
    trigger = to_trigger(schedule, tz)
    previous, now, got = None, after + timedelta(microseconds=1), []
    for _ in expected:
        fire = trigger.get_next_fire_time(previous, now)
        got.append(fire)
        previous = now = fire
    assert got == expected


# fmt: off
WORDS = (
    "every", "2", "weeks", "on", "mon", "-", "fri", ",", "at", "9", ":", "30", "pm", "daily",
    "hours", "cron:", "*", "/", "0", "25", "from", "2026-02-30", "and", "hourly", "noon", "13",
    "am", "other", "week", "7", "ß", "٣", "8pm", "12:00", "sun", "  ", "",
)
# fmt: on


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    text=st.one_of(
        st.text(max_size=60),
        st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join),
    )
)
def test_parser_only_raises_schedule_parse_error(text: str) -> None:
    try:
        schedule = parse_schedule(text)
    except ScheduleParseError as error:
        assert error.user_message
        return
    assert parse_schedule(schedule.canonical()) == schedule


@settings(max_examples=200, deadline=None, derandomize=True)
@given(text=st.text(max_size=60))
def test_hours_parser_only_raises_schedule_parse_error(text: str) -> None:
    try:
        parse_hours(text)
    except ScheduleParseError as error:
        assert error.user_message


@st.composite
def weekly_hours(draw: st.DrawFn) -> WeeklyHours:
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        days = draw(st.lists(st.sampled_from(DAY_ABBR), min_size=1, max_size=7, unique=True))
        start = draw(st.integers(0, 47)) * 30
        end = draw(st.integers(0, 48).filter(lambda e, s=start: e * 30 != s)) * 30
        parts.append(
            f"{','.join(days)} {start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"
        )
    hours = parse_hours("; ".join(parts))
    assert parse_hours(hours.canonical()) == hours
    return hours


@PROFILE
@given(hours=weekly_hours(), tz=zones, at=instants)
def test_is_open_agrees_with_next_open_and_next_close(
    hours: WeeklyHours, tz: ZoneInfo, at: datetime
) -> None:
    second = timedelta(seconds=1)
    if hours.always_open:
        assert hours.is_open(at, tz)
        assert hours.next_open(at, tz) is None
        assert hours.next_close(at, tz) is None
        return
    opens = hours.next_open(at, tz)
    closes = hours.next_close(at, tz)
    assume(opens is not None and closes is not None)  # only a DST oddity could hide both
    assert opens > at and closes > at
    assert hours.is_open(opens, tz) and not hours.is_open(opens - second, tz)
    assert not hours.is_open(closes, tz) and hours.is_open(closes - second, tz)
    if hours.is_open(at, tz):
        assert closes < opens
        assert hours.is_open(at + (closes - at) / 2, tz)
    else:
        assert opens < closes
        assert not hours.is_open(at + (opens - at) / 2, tz)


# -- a wall time the clocks skip or repeat ---------------------------------------------------------
@st.composite
def walls_near_changes(draw: st.DrawFn) -> tuple[datetime, ZoneInfo]:
    """A zone and a wall time within 90 minutes of one of its clock changes in a drawn year
    (any wall time when the zone has none that year)."""
    zone = draw(zones)
    year = draw(st.integers(2000, 2060))
    start = datetime(year, 1, 1, tzinfo=UTC)
    days = [start + timedelta(days=n) for n in range(366)]
    changes = [a for a, b in itertools.pairwise(days) if a.astimezone(zone).utcoffset()
               != b.astimezone(zone).utcoffset()]  # fmt: skip
    if not changes:
        return draw(st.datetimes(datetime(year, 1, 1), datetime(year, 12, 31))), zone
    day = draw(st.sampled_from(changes))
    lo, hi = int(day.timestamp()), int(day.timestamp()) + 86400
    while hi - lo > 1:  # the instant of the change
        mid = (lo + hi) // 2
        same = datetime.fromtimestamp(mid, zone).utcoffset() == day.astimezone(zone).utcoffset()
        lo, hi = (mid, hi) if same else (lo, mid)
    wall = datetime.fromtimestamp(hi, zone).replace(tzinfo=None)
    return wall + timedelta(minutes=draw(st.integers(-90, 90))), zone


@PROFILE
@given(walls_near_changes())
def test_clock_change_says_whether_a_wall_time_happens_once_never_or_twice(drawn) -> None:
    """``clock_change`` is None exactly when the wall time happens once; skipped when no
    instant shows it, repeated when two do; its ``after`` happens exactly once and is past the
    change (resolved, it shows itself)."""
    wall, zone = drawn
    wall = wall.replace(second=0, microsecond=0)
    shown = [
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        for fold in (0, 1)
    ]
    happens = {
        wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        for fold in (0, 1)
        if shown[fold] == wall
    }
    change = clock_change(wall, zone)
    if change is None:
        assert len(happens) == 1
        return
    assert change.skipped == (not happens)
    assert len(happens) == (0 if change.skipped else 2)
    assert clock_change(change.after, zone) is None
    assert change.after > wall
    after = resolve_local(change.after, zone)
    assert after.astimezone(zone).replace(tzinfo=None) == change.after


def test_clock_change_on_europes_two_nights() -> None:
    london = ZoneInfo("Europe/London")
    spring = clock_change(datetime(2027, 3, 28, 1, 30), london)
    autumn = clock_change(datetime(2027, 10, 31, 1, 30), london)
    assert spring is not None and spring.skipped and spring.after == datetime(2027, 3, 28, 2, 0)
    assert autumn is not None and not autumn.skipped
    assert autumn.after == datetime(2027, 10, 31, 2, 0)
    for wall in (datetime(2027, 3, 28, 2, 0), datetime(2027, 10, 31, 2, 0), datetime(2027, 7, 1)):
        assert clock_change(wall, london) is None
