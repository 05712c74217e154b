"""Being on duty: manual on/off, the recurring rota, and when the next peer is expected."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.duty import DutyRepository, DutyRow, ShiftRow
from bot.errors import InvalidInputError, NotFoundError
from bot.i18n import N_
from bot.schedules import parse_clock, parse_timezone, parse_weekday, resolve_local
from bot.timers import Scheduler

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_hhmm(text: str) -> time:
    return parse_clock(text)


def zone(name: str) -> zoneinfo.ZoneInfo:
    return parse_timezone(name)


def local_at(day: datetime, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a local date, by the DST policy of
    ``bot.schedules`` (a time in a spring-forward gap happens when the gap ends)."""
    return resolve_local(datetime.combine(day.date(), at), tz).astimezone(tz)


@dataclass(frozen=True)
class ShiftWindow:
    shift: ShiftRow
    start: datetime
    end: datetime


def shift_window_after(shift: ShiftRow, after: datetime) -> ShiftWindow:
    """The next occurrence of a weekly shift that has not ended yet (aware datetimes)."""
    tz = zone(shift.tz)
    start_t, end_t = parse_hhmm(shift.start_time), parse_hhmm(shift.end_time)
    local_now = after.astimezone(tz)
    monday = local_now - timedelta(days=local_now.weekday())
    for week in (-1, 0, 1):
        day = monday + timedelta(days=shift.weekday + 7 * week)
        start = local_at(day, start_t, tz)
        end_day = day + timedelta(days=1) if end_t <= start_t else day
        end = local_at(end_day, end_t, tz)
        if end > after:
            return ShiftWindow(shift, start, end)
    raise AssertionError("a weekly shift always recurs within two weeks")


def duty_key(guild_id: int, user_id: int) -> str:
    """The key of a peer's duty end-time timer (``duty.expire``)."""
    return f"duty:{guild_id}:{user_id}"


async def stop_duty(duty: DutyService, scheduler: Scheduler, guild_id: int, user_id: int) -> bool:
    """Off duty now, and a duty end time they had set forgotten with it (no "your time on
    duty has ended" hours later). Shared by ``/duty off`` and the peer-role checks of the
    shift and request services (neither can call the other). True if they were on duty."""
    was = await duty.go_off(guild_id, user_id)
    await scheduler.cancel(duty_key(guild_id, user_id))
    return was


class DutyService:
    def __init__(self, repo: DutyRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    async def go_on(
        self, guild_id: int, user_id: int, until: datetime | None, source: str = "manual"
    ) -> DutyRow:
        now = self.clock()
        if until is not None and until <= now:
            raise InvalidInputError(N_("That end time has already passed; choose a later one."))
        await self.repo.set_on(guild_id, user_id, now, until, source)
        row = await self.repo.get(guild_id, user_id)
        assert row is not None
        return row

    async def go_off(self, guild_id: int, user_id: int) -> bool:
        return await self.repo.set_off(guild_id, user_id)

    async def on_duty(self, guild_id: int) -> list[DutyRow]:
        now = self.clock()
        rows = await self.repo.on_duty(guild_id)
        live = [r for r in rows if r.until is None or r.until > now]
        for stale in (r for r in rows if r not in live):
            await self.repo.set_off(stale.guild_id, stale.user_id)
        return live

    async def is_on_duty(self, guild_id: int, user_id: int) -> bool:
        return any(r.user_id == user_id for r in await self.on_duty(guild_id))

    async def current(self, guild_id: int, user_id: int) -> DutyRow | None:
        """The stored duty row, expired or not (``on_duty`` drops expired ones)."""
        return await self.repo.get(guild_id, user_id)

    async def add_shift(
        self, guild_id: int, user_id: int, weekday: str, start: str, end: str, tz: str
    ) -> ShiftRow:
        day = parse_weekday(weekday)
        start_t, end_t = parse_hhmm(start), parse_hhmm(end)
        zone(tz)
        if start_t == end_t:
            raise InvalidInputError(N_("A shift needs different start and end times."))
        existing = await self.repo.shifts(guild_id, user_id)
        if len(existing) >= 28:
            raise InvalidInputError(N_("You already have 28 shifts; remove one first."))
        return await self.repo.add_shift(
            guild_id,
            user_id,
            day,
            start_t.strftime("%H:%M"),
            end_t.strftime("%H:%M"),
            tz,
            self.clock(),
        )

    async def remove_shift(self, guild_id: int, user_id: int, shift_id: int) -> None:
        if not await self.repo.remove_shift(guild_id, user_id, shift_id):
            raise NotFoundError(
                N_("You have no shift #{number} here. `/duty shift list` shows your shifts."),
                number=shift_id,
            )

    async def shifts(self, guild_id: int, user_id: int | None = None) -> list[ShiftRow]:
        return await self.repo.shifts(guild_id, user_id)

    async def shift(self, shift_id: int) -> ShiftRow | None:
        return await self.repo.get_shift(shift_id)

    async def next_shift_start(
        self, guild_id: int, after: datetime | None = None
    ) -> tuple[datetime, int] | None:
        """The soonest start of anyone's shift after ``after``, and whose it is."""
        after = after or self.clock()
        best: tuple[datetime, int] | None = None
        for shift in await self.repo.shifts(guild_id):
            window = shift_window_after(shift, after)
            start = window.start
            if start <= after:  # in progress: the next one starts a week later
                start = shift_window_after(shift, window.end + timedelta(seconds=1)).start
            if best is None or start < best[0]:
                best = (start, shift.user_id)
        return best
