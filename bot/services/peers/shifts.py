"""The duty rota on the scheduler, and the timers of being on duty.

A weekly shift is three keyed timers: ``shift:<id>:start`` goes on duty until the shift ends,
``shift:<id>:remind`` comes ten minutes before the start, and ``shift:<id>:end`` goes off duty.
Each handler re-arms its own timer for the next week. Going on duty with an end time stores
``duty:<guild>:<user>`` (``duty.expire``). Duty ends at the later of the end asked for by hand
(none: until ``/duty off``) and the end of the shift in progress (``DutyService``); a timer's
handler reads the row when it runs, so neither end cuts the other short, and a peer who went
off duty by hand hears nothing at the shift's end.

The Discord layer registers the timer kinds: its handler calls ``on_<kind>`` here, which changes
the state and re-arms, and then delivers the outcome (a DM, the hand-off buttons).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock, utcnow
from bot.db.repositories.core import TimerRow
from bot.db.repositories.duty import DutyRow, ShiftRow
from bot.db.repositories.requests import RequestRow
from bot.errors import InvalidInputError, KindredError
from bot.i18n import N_
from bot.schedules import is_clock_end, parse_until
from bot.services.peers.duty import (
    WEEKDAYS,
    DutyService,
    duty_key,
    shift_window_after,
    stop_duty,
    window_started_at,
)
from bot.services.requests import RequestService, Requeued
from bot.services.zones import MemberZones
from bot.timers import Scheduler

# Row types the Discord layer needs, re-exported so cogs never import bot.db.
__all__ = [
    "DUTY_DM_RETRY",
    "DUTY_EXPIRE",
    "SHIFT_END",
    "SHIFT_REMIND",
    "SHIFT_START",
    "WEEKDAYS",
    "DutyEnded",
    "DutyRow",
    "DutyStarted",
    "DutyStopped",
    "HandOff",
    "Requeued",
    "ShiftAdded",
    "ShiftReminder",
    "ShiftRow",
    "ShiftService",
    "ShiftStarted",
    "TimerRow",
]

SHIFT_START, SHIFT_END, SHIFT_REMIND = "duty.shift_start", "duty.shift_end", "duty.shift_remind"
DUTY_EXPIRE = "duty.expire"
#: a peer's duty DM (shift started, its reminder, duty ended) Discord failed for a moment
DUTY_DM_RETRY = "duty.dm_retry"
DM_RETRY_AFTER = timedelta(seconds=30)
MAX_DUTY = timedelta(hours=24)  # on duty for a length of time (`2h`) at most this long
# ... or until a time by the clock at most this far away: `tomorrow 9am` from any hour of
# today (at most 33 hours), and `17:00` across a clock change (25 hours).
MAX_DUTY_BY_CLOCK = timedelta(hours=36)
REMIND_BEFORE = timedelta(minutes=10)
_PART = {SHIFT_START: "start", SHIFT_REMIND: "remind", SHIFT_END: "end"}


@dataclass(frozen=True)
class DutyStarted:
    until: datetime | None
    waiting: int  # open requests in the queue


@dataclass(frozen=True)
class DutyStopped:
    was_on: bool
    held: list[int]  # ids of the requests the peer still holds


@dataclass(frozen=True)
class ShiftAdded:
    shift: ShiftRow
    next_start: datetime


@dataclass(frozen=True)
class ShiftStarted:
    guild_id: int
    user_id: int
    until: datetime | None  # the shift's end, a later one of theirs, or None: no end
    #: open requests in the queue as the shift starts (told as `/duty on` tells them)
    waiting: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ShiftReminder:
    guild_id: int
    user_id: int
    starts_at: datetime | None = None  # the shift's start (a retry after it is not sent)


@dataclass(frozen=True)
class DutyEnded:
    """A peer went off duty by a timer; ``held`` requests are still theirs to keep or hand on."""

    guild_id: int
    user_id: int
    held: int
    #: when ``held`` was counted: the hand-off answers for the requests held then, not for
    #: one claimed after (its button may be pressed much later)
    at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class HandOff:
    handed: list[RequestRow]  # now open again, in their fresh state
    on_duty: list[int]  # the other peers on duty
    #: the same requests as the peer held them (their conversation's thread, to close off)
    held: list[RequestRow] = field(default_factory=list)


class ShiftService:
    def __init__(
        self,
        duty: DutyService,
        requests: RequestService,
        zones: MemberZones,
        scheduler: Scheduler,
        clock: Clock = utcnow,
    ) -> None:
        self.duty = duty
        self.requests = requests
        self.zones = zones
        self.scheduler = scheduler
        self.clock = clock

    # -- on and off duty by hand ----------------------------------------------------------
    async def member_timezone(self, user_id: int, guild_id: int) -> zoneinfo.ZoneInfo:
        """The member's own zone if they set one (``/timezone set``), else the server's."""
        return await self.zones.zone_for(user_id, guild_id)

    async def go_on(self, guild_id: int, user_id: int, until: str | None = None) -> DutyStarted:
        """On duty, optionally for a length of time (``2h``) of at most 24 hours, or until a
        time by the clock (``17:00``, ``tomorrow 9am``) at most 36 hours away."""
        end = None
        if until:
            zone = await self.member_timezone(user_id, guild_id)
            end = parse_until(until, self.clock(), zone)
            if is_clock_end(until):
                if end - self.clock() > MAX_DUTY_BY_CLOCK:
                    raise InvalidInputError(
                        N_(
                            "That end is more than 36 hours away; choose an earlier one, e.g. "
                            "`tomorrow 9am` or `17:00`. You can go on duty again later."
                        )
                    )
            elif end - self.clock() > MAX_DUTY:
                raise InvalidInputError(
                    N_("Choose an end within 24 hours, e.g. `17:00`, `2h` or `tomorrow 9am`.")
                )
        row = await self.duty.go_on(guild_id, user_id, end)
        await self.scheduler.cancel(duty_key(guild_id, user_id))
        if row.until is not None and row.until != row.shift_until:  # else the shift's end
            await self.scheduler.schedule_once(
                DUTY_EXPIRE,
                row.until,
                {"guild_id": guild_id, "user_id": user_id},
                guild_id=guild_id,
                key=duty_key(guild_id, user_id),
            )
        return DutyStarted(row.until, await self._waiting_for(guild_id, user_id))

    async def _waiting_for(self, guild_id: int, user_id: int) -> int:
        """Open requests in the queue this peer could take: not one they opened themselves."""
        return sum(r.requester_id != user_id for r in await self.requests.queue(guild_id))

    async def go_off(self, guild_id: int, user_id: int) -> DutyStopped:
        was = await stop_duty(self.duty, self.scheduler, guild_id, user_id)
        held = await self.requests.held_by(guild_id, user_id)
        return DutyStopped(was, [r.id for r in held])

    async def lost_role(self, guild_id: int, user_id: int) -> list[Requeued]:
        """Someone without the peer role tried a peer command: off duty, end time forgotten,
        and the requests they held back in the queue (the caller tells their members)."""
        return await self.requests.lost_role(guild_id, user_id)

    async def end_duty(self, guild_id: int, user_id: int) -> DutyEnded | None:
        """A shift's end or a duty end time: off duty if the end that counts has come (the
        requests they hold stay theirs); None if they stay on for longer, or already went off
        duty by hand (nothing to tell them)."""
        row = await self.duty.current(guild_id, user_id)
        if row is not None and row.until is not None:
            # a shift of theirs starting the moment this duty ends carries it on (its own
            # start timer, due at the same instant, may run second): no "ended" DM between
            for shift in await self.duty.shifts(guild_id, user_id):
                window = shift_window_after(shift, row.until)
                if window.start == row.until:
                    await self.duty.shift_on(guild_id, user_id, window.end)
        if not await self.duty.end_due(guild_id, user_id):
            return None
        held = await self.requests.held_by(guild_id, user_id)
        return DutyEnded(guild_id, user_id, len(held), self.clock())

    async def hand_off(
        self, guild_id: int, peer_id: int, held_at: datetime | None = None
    ) -> HandOff:
        """Put the requests a peer holds back in the queue (the shift-end hand-off): those
        they held at ``held_at``, when the question was asked (one claimed or taken over
        since stays theirs); without it (a button sent before it carried the time), all."""
        on_duty = [r.user_id for r in await self.duty.on_duty(guild_id) if r.user_id != peer_id]
        handed, held = [], []
        for request in await self.requests.held_by(guild_id, peer_id):
            if held_at is not None and (request.claimed_at is None or request.claimed_at > held_at):
                continue  # theirs since the question: not what they answered for
            try:
                handed.append(await self.requests.unclaim(request.id, peer_id))
            except KindredError:
                continue  # closed or transferred meanwhile: nothing to hand on
            held.append(request)
        return HandOff(handed, on_duty, held)

    # -- the weekly rota --------------------------------------------------------------------
    async def add_shift(
        self, guild_id: int, user_id: int, weekday: str, start: str, end: str, tz: str
    ) -> ShiftAdded:
        shift = await self.duty.add_shift(guild_id, user_id, weekday, start, end, tz)
        await self.arm(shift)
        return ShiftAdded(shift, shift_window_after(shift, self.clock()).start)

    async def remove_shift(self, guild_id: int, user_id: int, shift_id: int) -> None:
        await self.duty.remove_shift(guild_id, user_id, shift_id)
        await self.scheduler.cancel_prefix(f"shift:{shift_id}:")

    async def shifts(self, guild_id: int, user_id: int) -> list[ShiftRow]:
        return await self.duty.shifts(guild_id, user_id)

    async def arm(self, shift: ShiftRow) -> None:
        """Store the next start, end and reminder of a weekly shift as timers."""
        window = shift_window_after(shift, self.clock())
        now = self.clock()
        if window.start > now:
            await self._at(SHIFT_START, window.start, shift)
            remind = window.start - REMIND_BEFORE
            if remind > now:
                await self._at(SHIFT_REMIND, remind, shift)
        else:  # added during its own time: on duty now
            await self._at(SHIFT_START, now, shift)
        await self._at(SHIFT_END, window.end, shift)

    async def _at(
        self, kind: str, when: datetime, shift: ShiftRow, payload: dict[str, Any] | None = None
    ) -> None:
        await self.scheduler.schedule_once(
            kind,
            when,
            payload if payload is not None else {"shift_id": shift.id},
            guild_id=shift.guild_id,
            key=f"shift:{shift.id}:{_PART[kind]}",
        )

    # -- timer handlers: state change and re-arming; the caller delivers the outcome --------
    async def on_shift_start(self, timer: TimerRow) -> ShiftStarted | None:
        shift = await self.duty.shift(timer.payload["shift_id"])
        if shift is None:
            return None
        # the occurrence this timer was armed for; none if it lasts no time (wholly in a clock
        # change's gap, as a timer armed before such days were skipped may find): no duty, no DM
        window = window_started_at(shift, timer.due_at)
        started = None
        if window is not None and window.end > self.clock():
            row = await self.duty.shift_on(shift.guild_id, shift.user_id, window.end)
            if row.until == row.shift_until:  # the shift's end counts now, not a time by hand
                await self.scheduler.cancel(duty_key(shift.guild_id, shift.user_id))
            waiting = await self._waiting_for(shift.guild_id, shift.user_id)
            started = ShiftStarted(shift.guild_id, shift.user_id, row.until, waiting)
        after = timer.due_at if window is None else window.end + timedelta(seconds=1)
        nxt = shift_window_after(shift, after)
        await self._at(SHIFT_START, nxt.start, shift, timer.payload)
        await self._at(SHIFT_REMIND, nxt.start - REMIND_BEFORE, shift, timer.payload)
        return started

    async def on_shift_remind(self, timer: TimerRow) -> ShiftReminder | None:
        shift = await self.duty.shift(timer.payload["shift_id"])
        if shift is None or self.scheduler.too_late(timer):
            return None  # a reminder after the fact helps nobody
        if window_started_at(shift, timer.due_at + REMIND_BEFORE) is None:
            return None  # that day's shift doesn't happen (a clock change's gap)
        return ShiftReminder(shift.guild_id, shift.user_id, timer.due_at + REMIND_BEFORE)

    async def on_shift_end(self, timer: TimerRow) -> DutyEnded | None:
        shift = await self.duty.shift(timer.payload["shift_id"])
        if shift is None:
            return None
        # off duty unless they asked for longer (or went off by hand already: no DM)
        ended = await self.end_duty(shift.guild_id, shift.user_id)
        nxt = shift_window_after(shift, timer.due_at + timedelta(seconds=1))
        await self._at(SHIFT_END, nxt.end, shift, timer.payload)
        return ended

    async def on_duty_expire(self, timer: TimerRow) -> DutyEnded | None:
        """A duty end time: off duty unless a shift in progress (or a later /duty on) runs
        longer; the row read now decides, not the time the timer was armed for."""
        return await self.end_duty(timer.payload["guild_id"], timer.payload["user_id"])

    # -- a duty DM Discord failed for a moment (5xx, 429): the same DM, tried again ----------
    async def dm_later(
        self, told: ShiftStarted | ShiftReminder | DutyEnded, *, shift: bool = True
    ) -> None:
        """Store a retry of this DM (ids only; a stored timer, so a restart keeps it). The
        Discord layer raises when the retry fails again: the scheduler backs off and gives up
        after its attempts. Refusals (403: DMs closed) are never retried."""
        kind = {ShiftStarted: "started", ShiftReminder: "remind", DutyEnded: "ended"}[type(told)]
        payload: dict[str, Any] = {
            "dm": kind, "guild_id": told.guild_id, "user_id": told.user_id, "shift": shift,
        }  # fmt: skip
        if isinstance(told, ShiftReminder) and told.starts_at is not None:
            payload["starts_at"] = told.starts_at.isoformat()
        await self.scheduler.schedule_once(
            DUTY_DM_RETRY,
            self.clock() + DM_RETRY_AFTER,
            payload,
            guild_id=told.guild_id,
            key=f"dutydm:{told.guild_id}:{told.user_id}:{kind}",
        )

    async def on_dm_retry(self, timer: TimerRow) -> ShiftStarted | ShiftReminder | DutyEnded | None:
        """The DM to send again, as it stands now; None when it no longer says what is true:
        "your shift has started" once they are off duty, the reminder once the shift started,
        "your duty has ended" once they are on duty again (with the requests they hold now)."""
        guild_id, user_id = int(timer.payload["guild_id"]), int(timer.payload["user_id"])
        kind = timer.payload["dm"]
        if kind == "started":
            on = [r for r in await self.duty.on_duty(guild_id) if r.user_id == user_id]
            if not on:
                return None
            (row,) = on
            return ShiftStarted(
                guild_id, user_id, row.until, await self._waiting_for(guild_id, user_id)
            )
        if kind == "remind":
            starts = timer.payload.get("starts_at")
            if starts is None or self.clock() >= datetime.fromisoformat(starts):
                return None
            return ShiftReminder(guild_id, user_id, datetime.fromisoformat(starts))
        if await self.duty.is_on_duty(guild_id, user_id):
            return None
        held = await self.requests.held_by(guild_id, user_id)
        return DutyEnded(guild_id, user_id, len(held), self.clock())
