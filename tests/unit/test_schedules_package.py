"""The ``bot.schedules`` package: its public surface and the shared helpers in ``common``."""

from __future__ import annotations

import subprocess
import sys
from datetime import time, timedelta

import bot.schedules
from bot.schedules.common import _fmt, _join_and, _join_or, _normalize, _shorten, format_duration

# Every name that bot/, cogs/, benchmarks/ and the tests import from ``bot.schedules``.
USED_NAMES = (
    "DAY_ABBR",
    "ClockParseError",
    "DurationParseError",
    "HoursParseError",
    "InvalidTimezoneError",
    "Schedule",
    "ScheduleError",
    "ScheduleParseError",
    "ScheduleTooFrequentError",
    "UntilParseError",
    "WeekdayParseError",
    "WeeklyHours",
    "ensure_min_interval",
    "parse_clock",
    "parse_duration",
    "parse_hours",
    "parse_schedule",
    "parse_timezone",
    "parse_until",
    "parse_weekday",
    "resolve_local",
    "timezone_choices",
)


def test_package_exports_every_name_callers_use() -> None:
    for name in (*USED_NAMES, *bot.schedules.__all__):
        assert getattr(bot.schedules, name, None) is not None, name
    assert set(USED_NAMES) <= set(bot.schedules.__all__)


def test_package_is_pure_python_without_discord_or_apscheduler() -> None:
    code = (
        "import sys, bot.schedules; "
        "print(sorted(m for m in ('discord', 'apscheduler', 'aiosqlite') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=1)) == "1 hour"
    assert format_duration(timedelta(hours=1, minutes=30)) == "1 hour 30 minutes"
    assert format_duration(timedelta(days=2)) == "2 days"
    assert format_duration(timedelta(days=1, minutes=1)) == "1 day 1 minute"
    assert format_duration(timedelta(seconds=45)) == "45 seconds"


def test_text_helpers() -> None:
    assert _shorten("  a   b  ") == "a b"
    assert _shorten("x" * 61) == "x" * 59 + "…"
    assert _shorten("x" * 60) == "x" * 60
    assert _join_and([]) == ""
    assert _join_and(["a"]) == "a"
    assert _join_and(["a", "b", "c"]) == "a, b and c"
    assert _join_or(["a", "b"]) == "a or b"
    assert _normalize("  Lúnes   MAÑANA ") == "lunes manana"
    assert _fmt(time(7, 5)) == "07:05"
