"""Delivering an occurrence again when Discord failed for a moment (a 5xx, or a 429 beyond
discord.py's own retries): one member's reminder DM and the opening post.

Each failure is its own stored timer holding ids only: a member whose reminder failed gets a
``meeting.remind_retry`` for them alone (so the others, already reminded, are never sent theirs
again), and an opening post that failed gets a ``meeting.open_post`` (the meeting is open
already: its turn, its close and the next occurrence are not done twice). The Discord layer
raises when a retry fails again, so the scheduler backs off and gives up after its attempts
(logging the timer's id and kind only); the opening post's last attempt says it is the last
(``OpenPlan.final``), so a failure then is told to the moderators. Refusals (403, 404) are
never retried."""

from __future__ import annotations

from datetime import timedelta

from bot.db.repositories.core import TimerRow
from bot.services.meetings.rules import DEFAULT_PROMPT, OPEN_POST, REMIND_RETRY
from bot.services.meetings.schedule import (
    MeetingSchedule,
    OpenPlan,
    ReminderPlan,
    channel_gone,
)
from bot.timers import MAX_ATTEMPTS

RETRY_AFTER = timedelta(seconds=30)


class MeetingDeliveryRetries(MeetingSchedule):
    async def remind_later(self, plan: ReminderPlan, user_id: int) -> None:
        """This member's reminder failed: try it again for them alone shortly."""
        meeting = plan.meeting
        await self.scheduler.schedule_once(
            REMIND_RETRY,
            self.clock() + RETRY_AFTER,
            {"meeting_id": meeting.id, "starts_at": plan.starts_at.isoformat(),
             "minutes": plan.minutes, "user_id": user_id},
            guild_id=meeting.guild_id,
            key=f"meeting:{meeting.id}:remind_retry:{user_id}",
        )  # fmt: skip

    async def on_remind_retry(self, timer: TimerRow) -> ReminderPlan | None:
        """The reminder for the one member, if the occurrence still stands, hasn't started
        and they still want reminders."""
        found = await self._current(timer)
        if found is None or found[0].next_at != found[2] or self.clock() >= found[2]:
            return None
        meeting, group, starts = found
        if channel_gone(group):
            return None
        user_id = int(timer.payload["user_id"])
        if user_id not in await self.repo.opted_in(group.id):
            return None
        return ReminderPlan(
            meeting, group, starts, await self.next_facilitator(meeting),
            minutes=int(timer.payload["minutes"]), recipients=(user_id,),
        )  # fmt: skip

    async def post_open_later(self, plan: OpenPlan) -> None:
        """The meeting opened but its post failed: post it again shortly."""
        meeting = plan.meeting
        await self.scheduler.schedule_once(
            OPEN_POST,
            self.clock() + RETRY_AFTER,
            {"meeting_id": meeting.id, "starts_at": plan.starts_at.isoformat()},
            guild_id=meeting.guild_id,
            key=f"meeting:{meeting.id}:open_post",
        )

    async def on_open_post(self, timer: TimerRow) -> OpenPlan | None:
        """The opening post still to make: the occurrence is still open and has no post yet.
        The lock was lifted when it opened (``locking`` False: nothing to do again)."""
        found = await self._current(timer)
        if found is None:
            return None
        meeting, group, starts = found
        if meeting.open_at != starts or meeting.open_message_id is not None:
            return None
        facilitator = None
        if meeting.open_slot is not None:
            facilitator = await self.facilitator_for_slot(group.id, meeting.open_slot)
        prefs = await self.repo.prefs(group.id)
        return OpenPlan(
            meeting, group, starts, facilitator, prompt=meeting.prompt or DEFAULT_PROMPT,
            locking=False, named=prefs.named_attendance,
            final=timer.attempts + 1 >= MAX_ATTEMPTS,
        )  # fmt: skip
