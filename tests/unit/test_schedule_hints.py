"""Every schedule a refusal suggests is accepted by the command it is suggested for: a
check-in (the server's default minimum of an hour between runs) and a group meeting (at most
once a day). Parts of a schedule suggested on their own (`8pm`, `mon-fri`) are not schedules
and are left out."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.errors import InvalidInputError, KindredError
from bot.schedules import ScheduleError, parse_clock
from bot.services import Services
from bot.services.meetings.rules import parse_when

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # the one-off example: four weeks later
REFUSED = (
    "every 1 minute", "every 30 minutes", "every 10 secs", "whenever", "", "daily 9",
    "every 2 weeks 17:00", "every 5 hours", "hourly at :75", "monday 25:00", "mon 7:99",
    "fooday 10:00", "cron: 99 * * * *", "cron: */30 * * * *", "every 2 hours", "hourly",
    "daily 09:00, 21:00", "mon 10:00 from 2026-02-30", "daily 09:00 from 2026-01-05",
    "every 3 weeks on 19:00", "x" * 300, "2026-02-30 19:00", "2026-13-01 19:00",
    "2026-05-04 25:00", "mon-fri 7",
)  # fmt: skip


def suggestions(refusal: str) -> list[str]:
    """The whole schedules in a refusal, between backticks."""
    found = [s for s in re.findall(r"`([^`]+)`", refusal) if not s.startswith("/")]
    return [s for s in found if not _part(s)]


def _part(text: str) -> bool:
    if re.fullmatch(r"[a-z]{3}-[a-z]{3}", text):  # a range of days
        return True
    try:
        parse_clock(text)
    except ScheduleError:
        return False
    return True


async def _checkin_refusal(services: Services, text: str) -> str | None:
    try:
        await services.checkins._validated(None, text, "UTC")
    except InvalidInputError as exc:
        return exc.user_message
    return None


def _meeting_refusal(text: str) -> str | None:
    try:
        parse_when(text, "UTC", NOW)
    except KindredError as exc:
        return exc.user_message
    return None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_every_schedule_a_checkin_refusal_suggests_is_accepted_by_checkins(
    services: Services,
) -> None:
    seen: set[str] = set()
    for text in REFUSED:
        refusal = await _checkin_refusal(services, text)
        if refusal is None:
            continue
        for suggestion in suggestions(refusal):
            seen.add(suggestion)
            assert await _checkin_refusal(services, suggestion) is None, (text, suggestion)
    assert {"daily 20:00", "every 3 hours", "weekdays 18:30"} <= seen, seen
    assert "cron: */30 * * * *" not in seen


def test_every_schedule_a_meeting_refusal_suggests_is_accepted_by_meetings() -> None:
    seen: set[str] = set()
    for text in REFUSED:
        refusal = _meeting_refusal(text)
        if refusal is None:
            continue
        for suggestion in suggestions(refusal):
            seen.add(suggestion)
            assert _meeting_refusal(suggestion) is None, (text, refusal, suggestion)
    assert {"every monday at 19:00", "2026-03-30 19:00", "daily 20:00"} <= seen, seen
    assert not {"every 3 hours", "daily 09:00, 21:00", "cron: */30 * * * *"} & seen, seen
