"""A weekly shift's occurrences across clock changes: never longer than the shift's nominal
length plus an hour, never empty, and a start timer never takes a later week's occurrence for
the one it was armed for (a shift wholly inside a spring-forward gap is skipped that week)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.db.repositories.duty import ShiftRow
from bot.services.peers.duty import shift_window_after, window_started_at

# zones with daylight saving time: a midnight change (Havana), half-hour ones (Lord Howe),
# the southern hemisphere (Sydney, Santiago), 02:45 changes (Chatham)
DST_ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Santiago",
    "America/Havana",
    "Pacific/Chatham",
    "America/St_Johns",
]
SPAN_START = datetime(2026, 1, 1, tzinfo=UTC)
minutes_of_day = st.integers(min_value=0, max_value=24 * 60 - 1)


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def nominal(start: int, end: int) -> timedelta:
    return timedelta(minutes=(end - start) % (24 * 60))


shifts = st.builds(
    lambda tz, weekday, start, end: (
        ShiftRow(1, 10, 20, weekday, hhmm(start), hhmm(end), tz),
        nominal(start, end),
    ),
    st.sampled_from(DST_ZONES),
    st.integers(min_value=0, max_value=6),
    minutes_of_day,
    minutes_of_day,
).filter(lambda pair: pair[1] > timedelta(0))
instants = st.integers(min_value=0, max_value=3 * 366 * 24 * 60).map(
    lambda m: SPAN_START + timedelta(minutes=m)
)


@settings(max_examples=400, deadline=None)
@given(shifts, instants)
def test_no_shift_window_exceeds_its_nominal_length_plus_an_hour(pair, after) -> None:
    shift, length = pair
    window = shift_window_after(shift, after)
    assert window.end > after
    assert timedelta(0) < window.end - window.start <= length + timedelta(hours=1)
    assert window.start - after < timedelta(weeks=2)


@settings(max_examples=400, deadline=None)
@given(shifts, instants)
def test_a_start_timer_only_ever_takes_the_occurrence_in_progress(pair, after) -> None:
    """Run at an occurrence's start or at any instant, the window a start timer puts the peer
    on duty for is in progress then, so duty lasts at most the shift's length plus an hour."""
    shift, length = pair
    nxt = shift_window_after(shift, after)
    assert window_started_at(shift, nxt.start) == nxt
    started = window_started_at(shift, after)
    if started is not None:
        assert started.start <= after < started.end
        assert started.end - after <= length + timedelta(hours=1)


def test_a_shift_wholly_in_a_spring_forward_gap_is_skipped_that_week() -> None:
    shift = ShiftRow(1, 10, 20, 6, "02:00", "03:00", "America/New_York")
    gap_end = datetime(2027, 3, 14, 7, 0, tzinfo=UTC)  # 03:00 EDT: both ends fall here
    assert window_started_at(shift, gap_end) is None
    window = shift_window_after(shift, datetime(2027, 3, 13, tzinfo=UTC))
    assert window.start == datetime(2027, 3, 21, 6, 0, tzinfo=UTC)
    assert window.end == datetime(2027, 3, 21, 7, 0, tzinfo=UTC)
