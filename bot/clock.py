"""Time. Services take a clock so tests can move it; production reads the system clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_db(moment: datetime) -> str:
    """Store instants as ISO-8601 UTC text, which sorts correctly as a string."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; Kindred stores only timezone-aware instants")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def from_db_or_none(text: str | None) -> datetime | None:
    """:func:`from_db` for a nullable column."""
    return None if text is None else from_db(text)
