"""Meetings themselves: add, edit, remove, the per-group options, and the stored timers that
remind, open and close each occurrence (re-armed for the next one in the meeting's zone)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.db.repositories.core import TimerRow
from bot.db.repositories.groups import GroupRow
from bot.db.repositories.meetings import MeetingPrefs, MeetingRow
from bot.errors import InvalidInputError, LimitReachedError
from bot.i18n import N_
from bot.services.meetings.base import MeetingBase, Occurrence, when_of
from bot.services.meetings.rules import (
    CLOSE,
    DEFAULT_PROMPT,
    FACILITATOR_REMIND,
    MAX_MEETINGS,
    OPEN,
    REMIND,
    check_fits,
    facilitator_notice,
    next_reminder,
    parse_meeting_duration,
    parse_meeting_name,
    parse_prompt,
    parse_reminders,
    parse_when,
)
from bot.text import shorten

log = logging.getLogger(__name__)

LATE_CLOSE = timedelta(hours=1)  # a close this late posts no "has ended"


@dataclass(frozen=True)
class ReminderPlan(Occurrence):
    minutes: int = 0
    recipients: tuple[int, ...] = ()


@dataclass(frozen=True)
class FacilitatorPlan(Occurrence):
    pass


@dataclass(frozen=True)
class OpenPlan(Occurrence):
    prompt: str = DEFAULT_PROMPT
    locking: bool = False
    named: bool = False
    #: The stored retry's last attempt: a failure now is final (the moderators are told).
    final: bool = False


@dataclass(frozen=True)
class Skipped:
    """A run missed entirely (Kindred was down, or away from the server): the meeting's next
    start moved on, so its Discord event must follow (the Discord layer syncs it)."""

    meeting_id: int


@dataclass(frozen=True)
class ClosePlan:
    meeting: MeetingRow
    group: GroupRow
    attendance: int
    locking: bool
    channel_id: int | None
    named: tuple[int, ...] = field(default=())
    archived: bool = False  # it ended early because its group was archived
    #: closed more than ``LATE_CLOSE`` after its end (Kindred was down, or away from the
    #: server): stored closed and the channel locked again, with no "has ended" post
    late: bool = False


@dataclass(frozen=True)
class Rescheduled:
    """A date members were already reminded of, cancelled (``moved_to`` None) or moved: the
    Discord layer DMs each of ``recipients`` (who asked for the group's reminders)."""

    meeting: MeetingRow
    group: GroupRow
    was_at: datetime
    moved_to: datetime | None
    recipients: tuple[int, ...]
    archived: bool = False  # cancelled because its group was archived


@dataclass(frozen=True)
class Removed:
    meeting: MeetingRow
    group: GroupRow
    relock: bool
    told: Rescheduled | None = None


@dataclass(frozen=True)
class Edited:
    meeting: MeetingRow
    told: Rescheduled | None = None


@dataclass(frozen=True)
class EventPlan:
    """The Discord scheduled event for a meeting's next occurrence (None start: delete it)."""

    meeting: MeetingRow
    group: GroupRow
    starts_at: datetime | None
    ends_at: datetime | None
    name: str
    description: str


def _keys(meeting_id: int) -> dict[str, str]:
    return {kind: f"meeting:{meeting_id}:{kind.split('.')[1]}" for kind in (REMIND, OPEN, CLOSE,
            FACILITATOR_REMIND)}  # fmt: skip


class MeetingSchedule(MeetingBase):
    # -- add, edit, remove ---------------------------------------------------------------------
    async def add(
        self,
        *,
        guild_id: int,
        group_name: str,
        name: str,
        schedule: str,
        tz: str,
        duration: str | None,
        reminders: str | None,
        prompt: str | None,
        venue: tuple[int, str] | None,
        actor_id: int,
        by_facilitator: bool = False,
    ) -> MeetingRow:
        """A new meeting; ``by_facilitator``: added by a facilitator who is no moderator (the
        audit row marks it, so their /forgetme takes their id off it)."""
        group = await self.groups.active(guild_id, group_name)
        clean = parse_meeting_name(name)
        now = self.clock()
        when = parse_when(schedule, tz, now)
        length = parse_meeting_duration(duration)
        check_fits(when, length)
        existing = await self.repo.for_group(group.id)
        if len(existing) >= MAX_MEETINGS:
            raise LimitReachedError(
                N_("A group can have up to {count} meetings."), count=MAX_MEETINGS
            )
        if any(m.name.casefold() == clean.casefold() for m in existing):
            raise InvalidInputError(
                N_("**{group}** already has a meeting called “{meeting}”."),
                group=group.name,
                meeting=clean,
            )
        row = await self.repo.create(
            actor_id=actor_id,
            now=now,
            by_facilitator=by_facilitator,
            group_id=group.id,
            guild_id=guild_id,
            name=clean,
            schedule=when.schedule,
            once_at=when.once_at,
            tz=when.tz,
            duration_minutes=int(length.total_seconds() // 60),
            reminders=parse_reminders(reminders),
            prompt=parse_prompt(prompt),
            venue_id=venue[0] if venue else None,
            venue_kind=venue[1] if venue else None,
            next_at=when.next_start(now),
        )
        await self._arm(row, new_start=True)
        return row

    async def edit(
        self,
        guild_id: int,
        meeting_id: int,
        actor_id: int,
        *,
        name: str | None = None,
        schedule: str | None = None,
        tz: str | None = None,
        duration: str | None = None,
        reminders: str | None = None,
        prompt: str | None = None,
        venue: tuple[int, str] | None = None,
        no_venue: bool = False,
        by_facilitator: bool = False,
    ) -> Edited:
        """The meeting changed; ``told``: its next date moved after reminders of it went
        out. ``prompt`` ``-`` goes back to the built-in prompt; ``no_venue`` takes the voice
        or stage channel off (the meeting is in the group's text channel again)."""
        changes = _place_and_prompt(prompt, venue, no_venue)
        meeting = await self.get(meeting_id, guild_id)
        now = self.clock()
        if name is not None:
            changes["name"] = parse_meeting_name(name)
        if schedule is not None or tz is not None:
            text = schedule if schedule is not None else _schedule_text(meeting)
            when = parse_when(text, tz or meeting.tz, now)
            changes.update(schedule=when.schedule, once_at=when.once_at, tz=when.tz)
            changes["next_at"] = when.next_start(now)
        if duration is not None:
            length = parse_meeting_duration(duration)
            changes["duration_minutes"] = int(length.total_seconds() // 60)
        if reminders is not None:
            changes["reminders"] = parse_reminders(reminders)
        if not changes:
            raise InvalidInputError(
                N_("Tell me what to change (schedule, time zone, duration, …).")
            )
        merged = when_of(meeting)
        if "tz" in changes:
            merged = type(merged)(changes["schedule"], changes["once_at"], changes["tz"])
        minutes = changes.get("duration_minutes", meeting.duration_minutes)
        check_fits(merged, timedelta(minutes=minutes))
        row = await self.repo.update(
            meeting.id,
            actor_id=actor_id,
            action="meetings.edit",
            now=now,
            by_facilitator=by_facilitator,
            **changes,
        )
        assert row is not None
        await self._arm(row, new_start=row.next_at != meeting.next_at)
        told = None
        if row.next_at != meeting.next_at:
            told = await self._reminded(meeting, now, moved_to=row.next_at)
        return Edited(row, told)

    async def _reminded(
        self,
        meeting: MeetingRow,
        now: datetime,
        *,
        moved_to: datetime | None,
        archived: GroupRow | None = None,
    ) -> Rescheduled | None:
        """Who to tell that the date they were reminded of is cancelled or moved: everyone who
        asked for the group's reminders, once a reminder of it has gone out (no list of who
        got one is kept), and its facilitator once their heads-up the day before has (the one
        for a new date that soon is never sent: its day before is past). ``archived``: the
        group just archived, which cancels the date."""
        start = meeting.next_at
        if start is None or start <= now:
            return None
        group = archived or await self.group_of(meeting)
        if not (group.active or archived):
            return None
        recipients = await self.told_of(meeting, group, now)
        if not recipients:
            return None
        return Rescheduled(
            meeting, group, start, moved_to, tuple(recipients), archived=archived is not None
        )

    async def remove(
        self, guild_id: int, meeting_id: int, actor_id: int, *, by_facilitator: bool = False
    ) -> Removed:
        meeting = await self.get(meeting_id, guild_id)
        group = await self.group_of(meeting)
        told = await self._reminded(meeting, self.clock(), moved_to=None)
        for key in _keys(meeting.id).values():
            await self.scheduler.cancel(key)
        await self.scheduler.cancel_prefix(f"meeting:{meeting.id}:")  # and any delivery retries
        await self.repo.delete(meeting, actor_id, self.clock(), by_facilitator=by_facilitator)
        prefs = await self.repo.prefs(group.id)
        return Removed(meeting, group, relock=meeting.is_open and prefs.locking, told=told)

    async def prefs(self, group_id: int) -> MeetingPrefs:
        return await self.repo.prefs(group_id)

    async def channel_locked(self, group_id: int) -> bool:
        """Should the group's channel be locked now: it locks between meetings, none is open."""
        if not (await self.repo.prefs(group_id)).locking:
            return False
        return not any(m.is_open for m in await self.repo.for_group(group_id))

    async def set_options(
        self,
        guild_id: int,
        group_name: str,
        actor_id: int,
        *,
        locking: bool | None,
        named_attendance: bool | None,
    ) -> tuple[GroupRow, MeetingPrefs, bool]:
        """Change a group's meeting options; also says whether a meeting is open right now (so
        the Discord layer knows whether turning locking on should lock the channel now)."""
        group = await self.groups.active(guild_id, group_name)
        changes = {
            k: v
            for k, v in (("locking", locking), ("named_attendance", named_attendance))
            if v is not None
        }
        prefs = await self.repo.set_prefs(
            group.id, guild_id, actor_id=actor_id, now=self.clock(), **changes
        )
        is_open = any(m.is_open for m in await self.repo.for_group(group.id))
        return group, prefs, is_open

    # -- Discord's scheduled events ------------------------------------------------------------
    async def event_plan(self, meeting_id: int) -> EventPlan | None:
        meeting = await self.repo.get(meeting_id)
        if meeting is None:
            return None
        group = await self.group_of(meeting)
        start = meeting.next_at if group.active else None  # archived: no meeting to invite to
        end = start + timedelta(minutes=meeting.duration_minutes) if start else None
        where = "in its voice channel" if meeting.venue_id else "in the group's channel"
        return EventPlan(
            meeting,
            group,
            start,
            end,
            # the event's name holds 100 characters: the meeting's name is shortened visibly
            # (its post and /group meeting list have it whole), the group's always shows
            name=f"{group.name}: " + shorten(meeting.name, 100 - len(group.name) - 2),
            description=(
                f"A meeting of the support group {group.name}, {where}, facilitated by a peer "
                "supporter. Members of the group can join; see the group's guidelines."
            )[:1000],
        )

    async def event_synced(self, meeting_id: int, event_id: int | None) -> None:
        await self.repo.update(meeting_id, event_id=event_id)

    # -- the group archived and back -----------------------------------------------------------
    async def group_archived(self, group_id: int) -> list[ClosePlan]:
        """The group was archived: a meeting open now ends (its count kept; who pressed "I'm
        here" forgotten unless the group keeps names, as at any close) and its close timer
        goes. The dates move on while it is archived (``_current``); ``event_plan`` has none to
        show, so syncing each meeting takes it off the server's Events list."""
        group = await self.groups.find(group_id)
        if group is None:
            return []
        plans = []
        for meeting in await self.repo.for_group(group_id):
            if meeting.open_at is not None:
                await self.scheduler.cancel(_keys(meeting.id)[CLOSE])
                plans.append(await self._close(meeting, group, meeting.open_at, archived=True))
        return plans

    async def told_of_archive(self, group_id: int) -> list[Rescheduled]:
        """The group was archived, cancelling its meetings' next dates: who to tell of each
        date a reminder of has gone out, as when a meeting is removed. Once per date: archived
        again after ``/group unarchive``, a date already told cancelled is not told again
        (``cancel_told_at``, stored as the telling is decided)."""
        group = await self.groups.find(group_id)
        if group is None or group.active:
            return []
        now, told = self.clock(), []
        for meeting in await self.repo.for_group(group_id):
            if meeting.next_at is not None and meeting.cancel_told_at == meeting.next_at:
                continue
            rescheduled = await self._reminded(meeting, now, moved_to=None, archived=group)
            if rescheduled is not None:
                await self.repo.update(meeting.id, cancel_told_at=meeting.next_at)
                told.append(rescheduled)
        return told

    async def group_unarchived(self, group_id: int) -> list[MeetingRow]:
        """The group is back: its meetings, whose events the Discord layer puts back on the
        list. A meeting still marked open (left by a version that didn't close meetings on
        archive) is closed quietly first: it ended long ago."""
        for meeting in await self.repo.for_group(group_id):
            if meeting.open_at is not None:
                await self.scheduler.cancel(_keys(meeting.id)[CLOSE])
                await self.repo.close(meeting.id, meeting.open_at)
        return await self.repo.for_group(group_id)

    # -- timers --------------------------------------------------------------------------------
    async def _arm(self, meeting: MeetingRow, *, new_start: bool = False) -> None:
        """Arm the open, reminder and facilitator timers for the meeting's next start;
        ``new_start``: that start was just set (see ``facilitator_notice``)."""
        keys, now, start = _keys(meeting.id), self.clock(), meeting.next_at
        if start is None:
            for kind in (REMIND, OPEN, FACILITATOR_REMIND):
                await self.scheduler.cancel(keys[kind])
            return
        payload = {"meeting_id": meeting.id, "starts_at": start.isoformat()}
        guild = meeting.guild_id
        await self.scheduler.schedule_once(OPEN, start, payload, guild_id=guild, key=keys[OPEN])
        reminder = next_reminder(start, meeting.reminders, now)
        if reminder is None:
            await self.scheduler.cancel(keys[REMIND])
        else:
            await self.scheduler.schedule_once(
                REMIND, reminder[0], {**payload, "minutes": reminder[1]}, guild_id=guild,
                key=keys[REMIND],
            )  # fmt: skip
        notice = facilitator_notice(start, now, at_once=new_start)
        if notice is None:
            await self.scheduler.cancel(keys[FACILITATOR_REMIND])
        else:
            await self.scheduler.schedule_once(
                FACILITATOR_REMIND, notice, payload, guild_id=guild, key=keys[FACILITATOR_REMIND]
            )

    async def _current(self, timer: TimerRow) -> tuple[MeetingRow, GroupRow, datetime] | None:
        """The meeting a timer is for, if it still stands for that start. While its group is
        archived a meeting doesn't happen, but its dates still move on (so it resumes when the
        group comes back)."""
        meeting = await self.repo.get(int(timer.payload["meeting_id"]))
        if meeting is None:
            return None
        starts = datetime.fromisoformat(timer.payload["starts_at"])
        group = await self.groups.find(meeting.group_id)
        if group is None:
            return None
        if not group.active:
            if timer.kind == OPEN and meeting.next_at == starts:
                await self._skip(meeting, starts)
            if timer.kind == CLOSE and meeting.open_at == starts:
                await self.repo.close(meeting.id, starts)  # nobody to tell: the group is archived
            return None
        return meeting, group, starts

    async def _skip(self, meeting: MeetingRow, after: datetime) -> None:
        row = await self.repo.update(meeting.id, next_at=when_of(meeting).next_start(after))
        assert row is not None
        await self._arm(row, new_start=True)

    async def on_remind(self, timer: TimerRow) -> ReminderPlan | None:
        found = await self._current(timer)
        if found is None or found[0].next_at != found[2]:
            return None
        meeting, group, starts = found
        minutes = int(timer.payload["minutes"])
        nxt = next_reminder(
            starts, meeting.reminders, self.clock(), below=minutes,
            grace=self.scheduler.misfire_grace,
        )  # fmt: skip
        if nxt is not None:
            await self.scheduler.schedule_once(
                REMIND, nxt[0], {**timer.payload, "minutes": nxt[1]}, guild_id=meeting.guild_id,
                key=_keys(meeting.id)[REMIND],
            )  # fmt: skip
        if self.scheduler.too_late(timer):
            log.info("meeting %s: reminder missed by more than the grace time", meeting.id)
            return None
        if channel_gone(group):
            log.info("meeting %s: reminder held back, its group's channel is gone", meeting.id)
            return None
        return ReminderPlan(
            meeting, group, starts, await self.next_facilitator(meeting), minutes=minutes,
            recipients=tuple(await self.repo.opted_in(group.id)),
        )  # fmt: skip

    async def on_facilitator_remind(self, timer: TimerRow) -> FacilitatorPlan | None:
        found = await self._current(timer)
        if found is None or found[0].next_at != found[2] or self.scheduler.too_late(timer):
            return None
        meeting, group, starts = found
        if channel_gone(group):
            log.info("meeting %s: heads-up held back, its group's channel is gone", meeting.id)
            return None
        facilitator = await self.next_facilitator(meeting)
        if facilitator is None:
            return None
        return FacilitatorPlan(meeting, group, starts, facilitator)

    async def on_open(self, timer: TimerRow) -> OpenPlan | Skipped | None:
        """The meeting starts: take the rotation's turn, mark it open, arm its close, and arm
        the next occurrence's timers."""
        found = await self._current(timer)
        if found is None or found[0].next_at != found[2]:
            return None
        meeting, group, starts = found
        now, when = self.clock(), when_of(meeting)
        ends = starts + timedelta(minutes=meeting.duration_minutes)
        if now >= ends:  # missed entirely while the bot was down: on to the next one
            log.info("meeting %s: the run at %s was missed; skipped", meeting.id, starts)
            await self._skip(meeting, now)
            return Skipped(meeting.id)
        turn = await self.repo.take_turn(group.id)
        facilitator = await self.facilitator_for_slot(group.id, turn)
        row = await self.repo.update(
            meeting.id, open_at=starts, open_slot=turn, attendance=0, last_started_at=starts,
            next_at=when.next_start(starts), open_message_id=None, open_channel_id=None,
        )  # fmt: skip
        assert row is not None
        await self._arm(row, new_start=True)
        await self.scheduler.schedule_once(
            CLOSE, ends, {"meeting_id": meeting.id, "starts_at": starts.isoformat()},
            guild_id=meeting.guild_id, key=_keys(meeting.id)[CLOSE],
        )  # fmt: skip
        prefs = await self.repo.prefs(group.id)
        return OpenPlan(
            row, group, starts, facilitator, prompt=meeting.prompt or DEFAULT_PROMPT,
            locking=prefs.locking, named=prefs.named_attendance,
        )  # fmt: skip

    async def opened(self, meeting_id: int, channel_id: int, message_id: int) -> None:
        await self.repo.update(meeting_id, open_channel_id=channel_id, open_message_id=message_id)

    async def on_close(self, timer: TimerRow) -> ClosePlan | None:
        found = await self._current(timer)
        if found is None or found[0].open_at != found[2]:
            return None
        meeting, group, starts = found
        plan = await self._close(meeting, group, starts)
        return replace(plan, late=self.clock() - timer.due_at > LATE_CLOSE)

    async def _close(
        self, meeting: MeetingRow, group: GroupRow, starts: datetime, *, archived: bool = False
    ) -> ClosePlan:
        prefs = await self.repo.prefs(group.id)
        named = []
        if prefs.named_attendance:
            named = await self.repo.named_attendees(meeting.id, starts)
        row = await self.repo.close(meeting.id, starts)
        assert row is not None
        return ClosePlan(
            row, group, row.attendance, prefs.locking and not archived, meeting.open_channel_id,
            tuple(named), archived=archived,
        )  # fmt: skip


def channel_gone(group: GroupRow) -> bool:
    """The group's channel was deleted on Discord (the moderators were told, with
    ``/group repair``): its meetings' reminders and the facilitator's heads-up are held back
    until it has a channel again, so nobody is sent to a channel that no longer exists."""
    return "channel" in group.problems


def _place_and_prompt(
    prompt: str | None, venue: tuple[int, str] | None, no_venue: bool
) -> dict[str, Any]:
    """An edit's changes to where the meeting is and its prompt (``-``: the built-in one);
    ``no_venue`` takes the voice or stage channel off, never with a ``venue`` given too."""
    if no_venue and venue is not None:
        raise InvalidInputError(N_("Choose either `channel` or `no_channel`, not both."))
    changes: dict[str, Any] = {}
    if prompt is not None:
        changes["prompt"] = parse_prompt(prompt)
    if venue is not None:
        changes["venue_id"], changes["venue_kind"] = venue if venue[0] else (None, None)
    if no_venue:
        changes["venue_id"], changes["venue_kind"] = None, None
    return changes


def _schedule_text(meeting: MeetingRow) -> str:
    if meeting.schedule is not None:
        return meeting.schedule
    assert meeting.once_at is not None
    local = meeting.once_at.astimezone(when_of(meeting).zone())
    return f"{local:%Y-%m-%d %H:%M}"
