"""Delivering meetings on Discord: the stored timers' outcomes (reminder DMs, the open post and
the channel unlocked, the close message and the channel locked, the facilitator's notice), the
channel lock itself, the guild scheduled event kept in step with the next occurrence, and the
group archived (an open meeting closed, events taken off) and back (events put back)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

import discord
from discord.ext import commands

from bot.errors import KindredError
from bot.i18n import N_
from bot.services import Services
from bot.services.groups import GroupRow
from bot.services.meetings import (
    CLOSE,
    FACILITATOR_REMIND,
    OPEN,
    OPEN_POST,
    REMIND,
    REMIND_RETRY,
    SWAP_CHECK,
    ClosePlan,
    MeetingService,
    Occurrence,
    OpenPlan,
    ReminderPlan,
    Rescheduled,
    Skipped,
    TimerRow,
    rescheduled_text,
    when_text,
)
from bot.ui.lookup import find_channel, gone_as_peer, is_member
from cogs.groups import meeting_views as mv

log = logging.getLogger(__name__)
PlanT = TypeVar("PlanT", bound=Occurrence)

#: "stale": the meeting's event is listed, but without Manage Events Kindred can't change it
EventResult = Literal["synced", "missing", "stale", "failed", "none"]
#: ``delete_event``'s outcome: "stale" (still listed, no Manage Events), "failed" (Discord said
#: no), "none" (deleted, or nothing to delete)
DeleteResult = Literal["none", "stale", "failed"]
MISSING_EVENTS = N_(
    "It isn't in the server's Events list: I need the **Manage Events** permission for that "
    "(Server Settings → Roles → my role). Meetings work without it."
)
STALE_EVENT = N_(
    "The server's Events list still shows this meeting as it was before, with its old time: "
    "without the **Manage Events** permission I can't change its event. Give it back (Server "
    "Settings → Roles → my role) and edit the meeting again, or edit or delete the event by "
    "hand."
)
STALE_REMOVED = N_(
    "Its event is still in the server's Events list: without the **Manage Events** "
    "permission I can't delete it. Please delete it by hand in the server's Events, so "
    "members don't mark themselves interested in a meeting that no longer exists."
)
FAILED_REMOVED = N_(
    "Discord didn't let me delete its event from the server's Events list just now; please "
    "delete it by hand."
)

#: ``/group archive``'s and ``/group unarchive``'s answers when the meetings' events could not
#: be taken off or put right (all meetings of the group at once, so plural-neutral)
ARCHIVED_STALE = N_(
    "Its meetings' events are still in the server's Events list: without the **Manage "
    "Events** permission I can't delete them. Please delete them by hand in the server's "
    "Events, so members don't mark themselves interested in meetings that won't take place "
    "while the group is archived."
)
ARCHIVED_FAILED = N_(
    "Discord didn't let me delete its meetings' events from the server's Events list just "
    "now; please delete them by hand."
)
UNARCHIVED_STALE = N_(
    "The server's Events list still shows its meetings as they were before, with their old "
    "times: without the **Manage Events** permission I can't change their events. Give it "
    "back (Server Settings → Roles → my role) and edit the meetings again, or edit or delete "
    "the events by hand."
)
SYNC_FAILED = N_(
    "Discord didn't take the server event this time; I'll try again at the next change."
)


#: an event in these states shows in the server's Events list
LISTED = (discord.EventStatus.scheduled, discord.EventStatus.active)


def meeting_events_allowed(guild: discord.Guild) -> bool:
    perms = guild.me.guild_permissions
    return perms.manage_events or perms.administrator


class MeetingDelivery:
    """Mixed into the ``Groups`` cog, which registers the timer kinds in ``cog_load``."""

    bot: commands.Bot
    services: Services
    _apply_access: Callable[..., Awaitable[None]]  # from the manage room
    _remember_adopted: Callable[..., Awaitable[GroupRow]]
    _report: Callable[[int, str], Awaitable[None]]  # from the upkeep room: the moderator channel
    _on_swap_check: Callable[[TimerRow], Awaitable[None]]  # from the facilitators room

    @property
    def meetings(self) -> MeetingService:
        return self.services.meetings

    def register_meeting_timers(self) -> None:
        scheduler = self.services.scheduler
        scheduler.register(REMIND, self._on_meeting_remind)
        scheduler.register(OPEN, self._on_meeting_open)
        scheduler.register(CLOSE, self._on_meeting_close)
        scheduler.register(FACILITATOR_REMIND, self._on_facilitator_remind)
        scheduler.register(REMIND_RETRY, self._on_remind_retry)
        scheduler.register(OPEN_POST, self._on_open_post)
        scheduler.register(SWAP_CHECK, self._on_swap_check)

    # -- DMs -------------------------------------------------------------------------------------
    async def _dm(self, user_id: int, content: str, view: discord.ui.View | None = None) -> bool:
        """DM a member; False if they can't be reached (DMs closed, gone): never retried.
        Discord failing for a moment is raised."""
        try:
            user = self.bot.get_user(user_id) or await self.bot.fetch_user(user_id)
            kwargs: dict = {"allowed_mentions": discord.AllowedMentions.none()}
            if view is not None:
                kwargs["view"] = view
            await user.send(content, **kwargs)
        except (discord.Forbidden, discord.NotFound):
            log.info("meeting DM to %s not delivered", user_id)
            return False
        return True

    async def tell_rescheduled(self, told: Rescheduled | None) -> None:
        """DM each member already reminded of a date that was cancelled or moved, in their
        language (after the change is stored; never inside a transaction). Closed DMs, or
        Discord failing, skip that member quietly: the others are still told."""
        if told is None:
            return
        moved_to = when_text(told.moved_to) if told.moved_to is not None else None
        sent = 0
        for user_id in told.recipients:
            text = rescheduled_text(
                group=told.group.name, meeting=told.meeting.name, when=when_text(told.was_at),
                moved_to=moved_to, lang=await self.services.safety.language_for(user_id),
                archived=told.archived,
            )  # fmt: skip
            try:
                sent += await self._dm(user_id, text)
            except discord.HTTPException as exc:
                log.info("meeting %s: a change DM failed (%s)", told.meeting.id, exc.status)
        log.info("meeting %s: change told to %d of %d", told.meeting.id, sent, len(told.recipients))

    # -- timers ----------------------------------------------------------------------------------
    async def _on_meeting_remind(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_remind(timer)
        if plan is None:
            return
        if plan.recipients:  # nobody to tell: no look-up
            plan = await self._without_gone_facilitator(plan)
        sent = [await self._remind(plan, user_id) for user_id in plan.recipients]
        log.info("meeting %s: reminder to %d of %d", plan.meeting.id, sum(sent), len(sent))

    async def _remind(self, plan: ReminderPlan, user_id: int) -> bool:
        """One member's reminder, in their language. Discord failing for a moment stores a
        retry for this member alone: the others' reminders are never sent twice."""
        text, view = mv.reminder_dm(plan, await self.services.safety.language_for(user_id))
        try:
            return await self._dm(user_id, text, view)
        except discord.HTTPException as exc:
            log.warning(
                "meeting %s: a reminder DM failed (%s); it is tried again alone",
                plan.meeting.id,
                exc.status,
            )
            await self.meetings.remind_later(plan, user_id)
            return False

    async def _on_remind_retry(self, timer: TimerRow) -> None:
        """The one member's reminder again; failing again raises, so the scheduler backs off
        and gives up after its attempts."""
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_remind_retry(timer)
        if plan is None:
            return
        plan = await self._without_gone_facilitator(plan)
        (user_id,) = plan.recipients
        text, view = mv.reminder_dm(plan, await self.services.safety.language_for(user_id))
        await self._dm(user_id, text, view)

    async def _without_gone_facilitator(self, plan: PlanT) -> PlanT:
        """The plan as members should read it: a facilitator whose peer role was removed
        (unseen without the members intent: looked up once, for the whole occurrence's message)
        is not named; the wording is that of a meeting with no facilitator. Discord failing to
        answer changes nothing."""
        if plan.facilitator_id is None:
            return plan
        if await gone_as_peer(self.bot, plan.meeting.guild_id, plan.facilitator_id):
            log.info("meeting %s: its facilitator no longer holds the peer role", plan.meeting.id)
            return dataclasses.replace(plan, facilitator_id=None)
        return plan

    async def _on_facilitator_remind(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_facilitator_remind(timer)
        if plan is None or plan.facilitator_id is None:
            return
        # a facilitator whose peer role was removed (unseen: no members intent) is looked up:
        # no heads-up for them, and the moderators learn the meeting has nobody to hold it
        if await gone_as_peer(self.bot, plan.meeting.guild_id, plan.facilitator_id):
            # the moderators read what Kindred found: out of the server, or without the role
            member = await is_member(self.bot, plan.meeting.guild_id, plan.facilitator_id)
            found = {True: "role", False: "left", None: "unknown"}[member]
            await self._report(plan.meeting.guild_id, mv.facilitator_gone_notice(plan, found))
            return
        lang = await self.services.safety.language_for(plan.facilitator_id)
        await self._dm(plan.facilitator_id, mv.facilitator_dm(plan, lang))

    async def _on_meeting_open(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_open(timer)
        if isinstance(plan, Skipped):  # missed entirely: its event moves to the next start
            await self.sync_event(plan.meeting_id)
            return
        if plan is None:
            return
        if plan.locking:  # the meeting is stored open: the lock lifts
            await self.apply_lock(plan.group)
        await self._post_open(plan, retry=False)
        await self.sync_event(plan.meeting.id)

    async def _on_open_post(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_open_post(timer)
        if plan is not None:
            await self._post_open(plan, retry=True)

    async def _post_open(self, plan: OpenPlan, *, retry: bool) -> None:
        """The opening post (the meeting is stored open already). Refused (403, 404): the
        moderators are told, never retried; a channel deleted on Discord was told to them
        already (with `/group repair`) and is not told again at each meeting. Discord failing
        for a moment (5xx, 429): a stored retry posts it later; a retry failing again raises
        (the scheduler backs off), and the last one tells the moderators once instead,
        whatever the failure was."""
        meeting = plan.meeting
        try:
            channel = await find_channel(self.bot, plan.group.channel_id, strict=True)
            if channel is None:
                log.warning("meeting %s opened, but its group's channel is gone", meeting.id)
                if "channel" not in plan.group.problems:  # hidden from Kindred, not deleted
                    await self._report(meeting.guild_id, mv.open_refused_notice(plan))
                # deleted: the moderators were told once, with `/group repair`
                return
            embed, view = mv.open_post(await self._without_gone_facilitator(plan))
            message = await channel.send(embed=embed, view=view, allowed_mentions=mv.PING_USERS)
        except (discord.Forbidden, discord.NotFound) as exc:
            log.warning("meeting %s: its opening post was refused (%s)", meeting.id, exc.status)
            await self._report(meeting.guild_id, mv.open_refused_notice(plan))
            return
        except (discord.HTTPException, discord.RateLimited) as exc:
            status = getattr(exc, "status", 429)  # RateLimited: a 429 beyond discord.py's waits
            if retry and plan.final:  # the last try: the post is given up, said once
                log.warning("meeting %s: opening post failed (%s); given up", meeting.id, status)
                await self._report(meeting.guild_id, mv.open_failed_notice(plan))
                return
            if retry:
                raise
            log.warning("meeting %s: opening post failed (%s); will retry", meeting.id, status)
            await self.meetings.post_open_later(plan)
            return
        await self.meetings.opened(meeting.id, channel.id, message.id)

    async def _on_meeting_close(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        plan = await self.meetings.on_close(timer)
        if plan is None:
            return
        if not plan.late:  # hours or days after it ended: nothing to thank anyone for now
            await self._post_close(plan)
        if plan.locking:  # the meeting is stored closed: the lock is back
            await self.apply_lock(plan.group)

    async def _post_close(self, plan: ClosePlan) -> None:
        channel = await find_channel(self.bot, plan.channel_id or plan.group.channel_id)
        if channel is not None:
            try:
                await channel.send(
                    mv.close_text(plan), allowed_mentions=discord.AllowedMentions.none()
                )
            except discord.HTTPException as exc:
                log.warning(
                    "meeting %s: could not post the close message (%s)", plan.meeting.id, exc.status
                )

    # -- the group archived and back -------------------------------------------------------------
    async def meetings_archived(self, group: GroupRow) -> str:
        """After ``/group archive``: a meeting open now ends with its closing message (the
        channel is already locked), and the group's meetings leave the Events list. What to
        tell the moderator (marked ``N_()``; empty when all went well): an event still listed
        without Manage Events, or one Discord refused to delete."""
        for plan in await self.meetings.group_archived(group.id):
            await self._post_close(plan)
        results = {await self.sync_event(m.id) for m in await self.meetings.for_group(group.id)}
        if "stale" in results:
            return ARCHIVED_STALE
        return ARCHIVED_FAILED if "failed" in results else ""

    async def tell_archived(self, group: GroupRow) -> None:
        """After ``/group archive`` has answered: members already reminded of a meeting's next
        date are told it is cancelled, the group closed (as when a meeting is removed)."""
        for told in await self.meetings.told_of_archive(group.id):
            await self.tell_rescheduled(told)

    async def meetings_unarchived(self, group: GroupRow) -> str:
        """After ``/group unarchive``: the meetings' next dates go back on the Events list.
        What to tell the moderator (marked ``N_()``; empty when all went well): an event
        listed as it was without Manage Events, or one Discord didn't take."""
        meetings = await self.meetings.group_unarchived(group.id)
        results = {await self.sync_event(m.id) for m in meetings}
        if "stale" in results:
            return UNARCHIVED_STALE
        return SYNC_FAILED if "failed" in results else ""

    # -- the channel lock ------------------------------------------------------------------------
    async def apply_lock(
        self, group: GroupRow, *, was_locked: bool | None = None
    ) -> KindredError | None:
        """Give the group's channel the overwrites its state says now, the lock included (the
        meetings service's ``channel_locked``, which must already be stored): the same plan
        that decides every overwrite (``_apply_access``), so lifting the lock never leaves the
        channel wider than its state (an adopted channel opens as the server had it). Locked,
        members read but don't post (the group's role when private, @everyone when open);
        peers, moderators and Kindred keep their access. A refusal is logged and returned,
        never raised: a meeting opens and closes all the same.

        ``was_locked`` (the caller knows whether the lock was on before): a group adopted
        before Kindred kept how its channel was has it kept first, while the channel is still
        as the server has it, so lifting the lock later gives back the server's own denies."""
        guild = self.bot.get_guild(group.guild_id)
        if guild is None:
            return None
        try:
            if was_locked is False:
                group = await self._remember_adopted(guild, group, locked=False)
            await self._apply_access(guild, group)
        except KindredError as exc:
            log.warning("group %s: its channel's lock not set (%s)", group.id, exc.user_message)
            return exc
        return None

    # -- Discord's scheduled events --------------------------------------------------------------
    async def sync_event(self, meeting_id: int) -> EventResult:
        """Create, move or delete the server event for the meeting's next occurrence. Without
        Manage Events nothing changes: "missing" when the meeting has no event listed, "stale"
        when its event is still listed (as it was: Kindred can't change it); Discord's refusals
        are logged ("failed")."""
        plan = await self.meetings.event_plan(meeting_id)
        guild = self.bot.get_guild(plan.meeting.guild_id) if plan else None
        if plan is None or guild is None:
            return "none"
        if not meeting_events_allowed(guild):
            return await self._left_listed(guild, plan)
        try:
            event = await self._find_event(guild, plan.meeting.event_id)
            if plan.starts_at is None or plan.ends_at is None:
                if event is not None:
                    await event.delete()
                await self.meetings.event_synced(meeting_id, None)
                return "none"
            kwargs = self._event_fields(guild, plan)
            if event is not None and event.status is discord.EventStatus.scheduled:
                event = await event.edit(**kwargs)
            else:
                event = await guild.create_scheduled_event(**kwargs)
        except discord.HTTPException as exc:
            log.warning("meeting %s: scheduled event not synced (%s)", meeting_id, exc.status)
            return "failed"
        await self.meetings.event_synced(meeting_id, event.id)
        return "synced"

    async def delete_event(self, guild_id: int, event_id: int | None) -> DeleteResult:
        """Delete a removed meeting's event: "stale" when it is still listed and Kindred lacks
        Manage Events, "failed" when Discord refused, "none" otherwise."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or event_id is None:
            return "none"
        if not meeting_events_allowed(guild):
            return "stale" if await self._listed(guild, event_id) else "none"
        try:
            event = await self._find_event(guild, event_id)
            if event is not None:
                await event.delete()
        except discord.HTTPException:
            log.warning("scheduled event %s not deleted", event_id)
            return "failed"
        return "none"

    async def _left_listed(self, guild: discord.Guild, plan) -> EventResult:
        """Without Manage Events: "missing" if the meeting has no event in the Events list,
        "synced" if its event already says what the meeting says now, "stale" otherwise (its
        event still shows the meeting as it was)."""
        try:
            event = await self._find_event(guild, plan.meeting.event_id)
        except discord.HTTPException:  # Discord can't say: taken as still listed
            return "missing" if plan.meeting.event_id is None else "stale"
        if event is None or event.status not in LISTED:
            return "missing"
        if plan.starts_at is None or plan.ends_at is None:
            return "stale"  # the meeting has no next date, yet its event is listed
        fields = self._event_fields(guild, plan)
        same = (
            event.name == fields["name"]
            and (event.description or "") == (fields["description"] or "")
            and event.start_time == fields["start_time"]
            and event.end_time == fields["end_time"]
            and event.entity_type == fields["entity_type"]
            and event.channel_id == getattr(fields.get("channel"), "id", None)
            and event.location == fields.get("location")
        )
        return "synced" if same else "stale"

    async def _listed(self, guild: discord.Guild, event_id: int) -> bool:
        """Whether the event is still in the Events list (when Discord can't say: taken as
        listed)."""
        try:
            event = await self._find_event(guild, event_id)
        except discord.HTTPException:
            return True
        return event is not None and event.status in LISTED

    async def _find_event(
        self, guild: discord.Guild, event_id: int | None
    ) -> discord.ScheduledEvent | None:
        if event_id is None:
            return None
        event = guild.get_scheduled_event(event_id)
        if event is not None:
            return event
        try:
            return await guild.fetch_scheduled_event(event_id)
        except discord.NotFound:
            return None

    def _event_fields(self, guild: discord.Guild, plan) -> dict:
        fields = {
            "name": plan.name,
            "description": plan.description,
            "start_time": plan.starts_at,
            "end_time": plan.ends_at,
            "privacy_level": discord.PrivacyLevel.guild_only,
        }
        venue = guild.get_channel(plan.meeting.venue_id or 0)
        if isinstance(venue, discord.StageChannel):
            return {**fields, "entity_type": discord.EntityType.stage_instance, "channel": venue}
        if isinstance(venue, discord.VoiceChannel):
            return {**fields, "entity_type": discord.EntityType.voice, "channel": venue}
        channel = guild.get_channel(plan.group.channel_id or 0)
        location = f"#{channel.name}" if channel else f"the {plan.group.name} channel"
        return {
            **fields,
            "entity_type": discord.EntityType.external,
            "location": location[:100],
        }
