"""What both rooms of the meetings service stand on: storage, the groups service, timers and the
clock; looking meetings up; who may run them; and whose turn is coming up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.groups import GroupRow
from bot.db.repositories.meetings import MeetingRepository, MeetingRow
from bot.errors import NotFoundError
from bot.i18n import N_
from bot.services.groups import GroupService
from bot.services.meetings.rules import When, facilitator_at, facilitator_notice, reminded
from bot.timers import Scheduler


@dataclass(frozen=True)
class Occurrence:
    """One meeting at one time, with the facilitator whose turn it is (None: no rotation)."""

    meeting: MeetingRow
    group: GroupRow
    starts_at: datetime
    facilitator_id: int | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.meeting.duration_minutes)


def when_of(meeting: MeetingRow) -> When:
    return When(meeting.schedule, meeting.once_at, meeting.tz)


class MeetingBase:
    def __init__(
        self,
        repo: MeetingRepository,
        groups: GroupService,
        scheduler: Scheduler,
        clock: Clock = utcnow,
    ) -> None:
        self.repo = repo
        self.groups = groups
        self.scheduler = scheduler
        self.clock = clock

    # -- lookups -------------------------------------------------------------------------------
    async def get(self, meeting_id: int, guild_id: int) -> MeetingRow:
        """A meeting of this server (one from another server is "not found")."""
        row = await self.repo.get(meeting_id)
        if row is None or row.guild_id != guild_id:
            raise NotFoundError(
                N_("That meeting isn't in this server. `/group meeting list` shows them.")
            )
        return row

    async def group_of(self, meeting: MeetingRow) -> GroupRow:
        group = await self.groups.find(meeting.group_id)
        if group is None:
            raise NotFoundError(N_("That meeting's group is gone."))
        return group

    async def for_guild(self, guild_id: int) -> list[MeetingRow]:
        return await self.repo.for_guild(guild_id)

    async def for_group(self, group_id: int) -> list[MeetingRow]:
        return await self.repo.for_group(group_id)

    async def can_manage(
        self,
        guild_id: int,
        user_id: int,
        *,
        group_name: str | None = None,
        meeting_id: int | None = None,
    ) -> bool:
        """Is this member a facilitator of the group named, or of the meeting's group? (Moderators
        are let in by the Discord layer's check.)"""
        group_id: int | None = None
        try:
            if meeting_id is not None:
                group_id = (await self.get(int(meeting_id), guild_id)).group_id
            elif group_name:
                group_id = (await self.groups.by_name(guild_id, str(group_name))).id
        except (NotFoundError, ValueError, OverflowError):
            return False
        if group_id is None:
            return await self.repo.is_facilitator_anywhere(guild_id, user_id)
        return user_id in await self.repo.facilitators(group_id)

    # -- the rotation ------------------------------------------------------------------------------
    async def slot_of(self, meeting: MeetingRow) -> int:
        """The rotation turn of the meeting's next occurrence: the group's turn counter plus the
        group's meetings that come before it."""
        prefs = await self.repo.prefs(meeting.group_id)
        if meeting.next_at is None:
            return prefs.turn
        earlier = [
            m
            for m in await self.repo.for_group(meeting.group_id)
            if m.id != meeting.id and m.next_at is not None and m.next_at < meeting.next_at
        ]
        return prefs.turn + len(earlier)

    async def facilitator_for_slot(self, group_id: int, slot: int) -> int | None:
        order = await self.repo.facilitators(group_id)
        return facilitator_at(order, await self.repo.swapped_turns(group_id), slot)

    async def next_facilitator(self, meeting: MeetingRow) -> int | None:
        return await self.facilitator_for_slot(meeting.group_id, await self.slot_of(meeting))

    async def upcoming(self, group_id: int, count: int) -> list[tuple[datetime, MeetingRow]]:
        """The group's next ``count`` starts, across its meetings, in order (turn by turn)."""
        starts: list[tuple[datetime, MeetingRow]] = []
        for meeting in await self.repo.for_group(group_id):
            moment, when = meeting.next_at, when_of(meeting)
            for _ in range(count):
                if moment is None:
                    break
                starts.append((moment, meeting))
                moment = when.next_start(moment)
        starts.sort(key=lambda s: (s[0], s[1].id))
        return starts[:count]

    async def told_of(self, meeting: MeetingRow, group: GroupRow, now: datetime) -> list[int]:
        """Who was told of the meeting's next date by now (no list of who got what is kept):
        everyone who asked for the group's reminders once the first went out, and the date's
        facilitator once their heads-up the day before did."""
        start = meeting.next_at
        if start is None or start <= now:
            return []
        told = []
        if reminded(start, meeting.reminders, now):
            told = await self.repo.opted_in(group.id)
        facilitator = await self.next_facilitator(meeting)
        if facilitator_notice(start, now) is None and facilitator not in (None, *told):
            told = [*told, facilitator]
        return told
