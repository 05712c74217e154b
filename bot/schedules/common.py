"""Constants and small text helpers shared by the schedule modules."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta

DEFAULT_MIN_INTERVAL = timedelta(hours=1)
MAX_INPUT_LENGTH = 200
MAX_EVERY_WEEKS = 52

#: Week parity for "every N weeks" is counted from this Monday unless the schedule has an anchor.
EPOCH_MONDAY = date(2000, 1, 3)

DAY_ABBR = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS = frozenset(range(5))
WEEKENDS = frozenset({5, 6})
ALL_DAYS = frozenset(range(7))

SCHEDULE_EXAMPLES = (
    "`daily 20:00`, `weekdays 9am`, `mon,wed,fri 18:30`, `daily 09:00, 21:00`, "
    "`every 2 weeks on sunday 17:00`, `every 3 hours` or `cron: 0 9 * * 1-5`"
)
HOURS_EXAMPLES = "`mon-fri 08:00-16:30`, `mon,wed 18:00-22:00; sat 10:00-14:00`, `fri 22:00-02:00`"
CLOCK_EXAMPLES = "`20:00`, `8pm` or `8:30 am`"
DURATION_EXAMPLES = "`30m`, `2h`, `1h30m`, `90 minutes` or `3 days`"


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join_and(items: list[str], word: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _join_or(items: list[str]) -> str:
    return _join_and(items, "or")


def format_duration(delta: timedelta) -> str:
    """``1 hour``, ``1 hour 30 minutes``, ``2 days``: for messages."""
    minutes = int(delta.total_seconds() // 60)
    parts = []
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        value, minutes = divmod(minutes, size)
        if value:
            parts.append(f"{value} {unit}{'s' if value != 1 else ''}")
    return " ".join(parts) or f"{int(delta.total_seconds())} seconds"


def _normalize(text: str) -> str:
    """Lower-case, strip accents, collapse whitespace."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _fmt(clock: time) -> str:
    return f"{clock.hour:02d}:{clock.minute:02d}"
