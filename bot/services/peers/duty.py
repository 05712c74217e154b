"""Being on duty: manual on/off, the recurring rota, and when the next peer is expected."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.duty import DutyRepository, DutyRow, ShiftRow
from bot.errors import ConflictError, InvalidInputError, KindredError, NotFoundError
from bot.i18n import N_
from bot.schedules import parse_clock, parse_timezone, parse_weekday, resolve_local
from bot.timers import Scheduler

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# the weekday's name as a shift line shows it (the command's option stays the English word)
DAY_NAMES = {
    "monday": N_("Monday"),
    "tuesday": N_("Tuesday"),
    "wednesday": N_("Wednesday"),
    "thursday": N_("Thursday"),
    "friday": N_("Friday"),
    "saturday": N_("Saturday"),
    "sunday": N_("Sunday"),
}
# shifts are compared over a year of occurrences: two zones change their clocks on different
# days, so two shifts may meet only for the weeks between
OVERLAP_WEEKS = 53


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
    """The next occurrence of a weekly shift that has not ended yet (aware datetimes).

    A day's occurrence that lasts no time is skipped: a shift wholly inside the hour a
    spring-forward clock change skips (02:00–03:00 in New York) starts and ends when the gap
    ends, so that week it doesn't happen and the next one is the next occurrence."""
    tz = zone(shift.tz)
    start_t, end_t = parse_hhmm(shift.start_time), parse_hhmm(shift.end_time)
    local_now = after.astimezone(tz)
    monday = local_now - timedelta(days=local_now.weekday())
    for week in (-1, 0, 1, 2):
        day = monday + timedelta(days=shift.weekday + 7 * week)
        start = local_at(day, start_t, tz)
        end_day = day + timedelta(days=1) if end_t <= start_t else day
        end = local_at(end_day, end_t, tz)
        if end > after and end > start:
            return ShiftWindow(shift, start, end)
    raise AssertionError("a weekly shift always recurs within two weeks")


def window_started_at(shift: ShiftRow, due: datetime) -> ShiftWindow | None:
    """The occurrence in progress at ``due`` (a start timer's time), or None when there is
    none: that day's occurrence lasted no time (a clock change's gap) or is over, and the next
    one starts later. A start timer never takes a later week's occurrence for its own."""
    window = shift_window_after(shift, due)
    return window if window.start <= due else None


def occurrences(shift: ShiftRow, since: datetime, count: int) -> list[ShiftWindow]:
    """The next ``count`` occurrences of a weekly shift not ended at ``since``."""
    windows = [shift_window_after(shift, since)]
    while len(windows) < count:
        windows.append(shift_window_after(shift, windows[-1].end))
    return windows


def overlaps(a: list[ShiftWindow], b: list[ShiftWindow]) -> bool:
    """Whether two shifts' occurrences (each in time order) ever overlap; one ending as the
    other starts does not."""
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i].start < b[j].end and b[j].start < a[i].end:
            return True
        if a[i].end <= b[j].end:
            i += 1
        else:
            j += 1
    return False


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


def _live(row: DutyRow, now: datetime) -> bool:
    return row.until is None or row.until > now


def _shift_until(row: DutyRow | None, now: datetime) -> datetime | None:
    """The end of the shift in progress (None: none, or it is over)."""
    if row is None or row.shift_until is None or row.shift_until <= now:
        return None
    return row.shift_until


class DutyService:
    def __init__(self, repo: DutyRepository, clock: Clock = utcnow) -> None:
        self.repo = repo
        self.clock = clock

    # Manual duty and shifts meet by one rule: duty ends at the later of the end asked for by
    # hand (none: until /duty off) and the end of the shift in progress; /duty off ends it now,
    # the shift in progress with it. The row keeps the end that counts (``until``) and the
    # shift's (``shift_until``); an expired row stays until its timer takes it away, so a
    # missing row always means the peer went off duty (by hand, or losing the role).
    async def go_on(self, guild_id: int, user_id: int, until: datetime | None) -> DutyRow:
        """On duty by hand until ``until`` (None: until they go off), never ending a shift in
        progress early. Returns the row: its ``until`` is the end that counts."""
        now = self.clock()
        if until is not None and until <= now:
            raise InvalidInputError(N_("That end time has already passed; choose a later one."))
        row = await self._live(guild_id, user_id, now)
        shift_until = _shift_until(row, now)
        end = until if until is None or shift_until is None else max(until, shift_until)
        since = row.since if row is not None else now
        await self.repo.set_on(guild_id, user_id, since, end, "manual", shift_until)
        return await self._row(guild_id, user_id)

    async def shift_on(self, guild_id: int, user_id: int, shift_end: datetime) -> DutyRow:
        """A shift starts: on duty until it ends, or longer if they already were."""
        now = self.clock()
        row = await self._live(guild_id, user_id, now)
        if row is None:
            await self.repo.set_on(guild_id, user_id, now, shift_end, "shift", shift_end)
        else:
            end = None if row.until is None else max(row.until, shift_end)
            shift_until = max(_shift_until(row, now) or shift_end, shift_end)
            await self.repo.set_on(guild_id, user_id, row.since, end, row.source, shift_until)
        return await self._row(guild_id, user_id)

    async def end_due(self, guild_id: int, user_id: int) -> bool:
        """A shift's end or a duty end time has come: off duty if the end that counts has come
        (True), else the shift over is forgotten and they stay on (False: on for longer, or
        already off duty by hand)."""
        now = self.clock()
        row = await self.repo.get(guild_id, user_id)
        if row is None:
            return False
        if row.until is not None and row.until <= now:
            await self.repo.set_off(guild_id, user_id)
            return True
        if row.shift_until is not None and row.shift_until <= now:
            await self.repo.set_on(guild_id, user_id, row.since, row.until, row.source, None)
        return False

    async def go_off(self, guild_id: int, user_id: int) -> bool:
        """Off duty now (the shift in progress too); True if they were on duty."""
        row = await self.repo.get(guild_id, user_id)
        await self.repo.set_off(guild_id, user_id)
        return row is not None and _live(row, self.clock())

    async def on_duty(self, guild_id: int) -> list[DutyRow]:
        now = self.clock()
        return [r for r in await self.repo.on_duty(guild_id) if _live(r, now)]

    async def is_on_duty(self, guild_id: int, user_id: int) -> bool:
        return any(r.user_id == user_id for r in await self.on_duty(guild_id))

    async def _live(self, guild_id: int, user_id: int, now: datetime) -> DutyRow | None:
        """Their row if they are on duty; an expired one is taken away first."""
        row = await self.repo.get(guild_id, user_id)
        if row is not None and not _live(row, now):
            await self.repo.set_off(guild_id, user_id)
            return None
        return row

    async def _row(self, guild_id: int, user_id: int) -> DutyRow:
        row = await self.repo.get(guild_id, user_id)
        assert row is not None
        return row

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
        start_text, end_text = start_t.strftime("%H:%M"), end_t.strftime("%H:%M")
        new = ShiftRow(0, guild_id, user_id, day, start_text, end_text, tz)

        def check(existing: list[ShiftRow]) -> None:
            """Read with the insert in one locked transaction: two shifts added at once can't
            both pass as not overlapping, nor both fit under the limit."""
            if len(existing) >= 28:
                raise InvalidInputError(N_("You already have 28 shifts; remove one first."))
            self._refuse_overlap(new, existing)

        return await self.repo.add_shift(
            guild_id, user_id, day, start_text, end_text, tz, self.clock(), check=check
        )

    def _refuse_overlap(self, new: ShiftRow, existing: list[ShiftRow]) -> None:
        """A peer's shifts in a server never overlap (each would put them on duty and DM them
        twice); one may start as another ends."""
        now = self.clock()
        windows = occurrences(new, now, OVERLAP_WEEKS)
        for shift in existing:
            # in one zone, shifts that meet in an ordinary week meet in every one
            weeks = 3 if shift.tz == new.tz else OVERLAP_WEEKS
            if overlaps(windows[:weeks], occurrences(shift, now, weeks)):
                raise ConflictError(
                    N_(
                        "That overlaps a shift you already have: #{number}, {day} "
                        "{start}–{end} ({tz}). Nothing was added; choose other times, or "
                        "remove that one first with `/duty shift remove`."
                    ),
                    number=shift.id,
                    day=KindredError(DAY_NAMES[WEEKDAYS[shift.weekday]]),
                    start=shift.start_time,
                    end=shift.end_time,
                    tz=shift.tz,
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
