"""``/group meeting add|edit|remove|attendance`` (moderators and the group's facilitators),
``options`` (moderators), ``list`` and ``remind`` (everyone), and the meeting buttons ("I'm
here", "Remind me", "Stop reminders")."""

from __future__ import annotations

from typing import Literal

import discord
from discord import app_commands

from bot.errors import KindredError
from bot.i18n import N_
from bot.services.groups import GroupRow
from bot.services.meetings import (
    MAX_PROMPT,
    MeetingRow,
    MeetingService,
    reminder_answer,
    when_text,
)
from bot.ui.checks import guild_only, is_moderator, moderator_only
from bot.ui.replies import localized, reader_language, send_private
from bot.ui.timezones import timezone_autocomplete
from cogs.groups import meeting_views as mv
from cogs.groups.groups import (
    group_autocomplete,
    meeting_autocomplete,
    moderator_or_facilitator,
)
from cogs.groups.groups import meeting as meeting_cmd
from cogs.groups.meeting_delivery import (
    FAILED_REMOVED,
    MISSING_EVENTS,
    STALE_EVENT,
    STALE_REMOVED,
    EventResult,
)

Venue = discord.VoiceChannel | discord.StageChannel
MAX_LISTED = 15  # meetings in a server-wide /group meeting list; the rest are counted

SCHEDULE_HELP = "e.g. `every monday at 19:00`, `tue,thu 18:30`, or once: `YYYY-MM-DD HH:MM`"


def _venue(channel: Venue | None) -> tuple[int, str] | None:
    if channel is None:
        return None
    return channel.id, "stage" if isinstance(channel, discord.StageChannel) else "voice"


def _event_note(result: EventResult) -> str:
    """The line about the server event (marked ``N_()``; empty when there is nothing to say)."""
    if result == "synced":
        return N_("It is in the server's Events list too.")
    if result == "missing":
        return MISSING_EVENTS
    if result == "stale":
        return STALE_EVENT
    if result == "failed":
        return N_(
            "Discord didn't take the server event this time; I'll try again at the next change."
        )
    return ""


async def _lock_failed(
    interaction: discord.Interaction, group: GroupRow, failed: KindredError | None
) -> str:
    """What to add when the channel's lock couldn't be set (the choice itself is kept): the
    sentence and Discord's refusal in it in the reader's language."""
    if failed is None:
        return ""
    text = N_(
        "I couldn't set the channel's permissions for that just now: {problem} "
        "`/group repair {group}` tries again."
    )
    return "\n\n" + await localized(interaction, text, problem=failed, group=group.name)


def options_summary(locking: bool, named_attendance: bool) -> str:
    """A group's meeting options as one whole sentence (marked ``N_()``, value ``group``)."""
    if locking and named_attendance:
        return N_(
            "**{group}**: the channel is locked between meetings and opens when one starts; who "
            "pressed “I'm here” is kept for facilitators (`/forgetme` removes it)."
        )
    if locking:
        return N_(
            "**{group}**: the channel is locked between meetings and opens when one starts; only "
            "the number of people who pressed “I'm here” is kept."
        )
    if named_attendance:
        return N_(
            "**{group}**: the channel stays open between meetings; who pressed “I'm here” is "
            "kept for facilitators (`/forgetme` removes it)."
        )
    return N_(
        "**{group}**: the channel stays open between meetings; only the number of people who "
        "pressed “I'm here” is kept."
    )


class MeetingCommands:
    """Mixed into the ``Groups`` cog (with ``MeetingDelivery``)."""

    meetings: MeetingService

    async def _summary(
        self, interaction: discord.Interaction, row: MeetingRow, result: EventResult, added: bool
    ) -> str:
        """What was added or changed, its framing lines in the reader's language (the meeting's
        own line is the one the list shows)."""
        group = await self.meetings.group_of(row)
        facilitator = await self.meetings.next_facilitator(row)
        heading = N_("Meeting added:") if added else N_("Meeting changed:")
        lang = await reader_language(interaction)
        lines = [
            await localized(interaction, heading),
            mv.meeting_line(row, group.name, facilitator, lang),
        ]
        if facilitator is None:
            lines.append(
                await localized(
                    interaction,
                    N_(
                        "Nobody facilitates yet: add peer supporters with `/group facilitator add`."
                    ),
                )
            )
        note = _event_note(result)
        if note:
            lines.append(await localized(interaction, note))
        return "\n".join(line for line in lines if line)

    @meeting_cmd.command(name="add")
    @moderator_or_facilitator()
    @app_commands.describe(
        group="Which group meets",
        name="A short name, e.g. Monday circle",
        schedule=f"When: {SCHEDULE_HELP}",
        tz="The time zone the schedule is in (e.g. Europe/London)",
        duration="How long it lasts (default 1h), e.g. 90m",
        channel="A voice or stage channel to meet in (default: the group's channel)",
        reminders="When to remind members who asked, e.g. `24h, 15m` (the default) or `none`",
        prompt="The facilitator's check-in round prompt posted at the start",
    )
    @app_commands.autocomplete(group=group_autocomplete, tz=timezone_autocomplete)
    async def meeting_add(
        self,
        interaction: discord.Interaction,
        group: str,
        name: str,
        schedule: str,
        tz: str,
        duration: str | None = None,
        channel: Venue | None = None,
        reminders: str | None = None,
        prompt: app_commands.Range[str, 1, MAX_PROMPT] | None = None,
    ) -> None:
        """Schedule a group's meeting, recurring or one-off (moderators and facilitators)."""
        assert interaction.guild_id is not None
        row = await self.meetings.add(
            guild_id=interaction.guild_id, group_name=group, name=name, schedule=schedule, tz=tz,
            duration=duration, reminders=reminders, prompt=prompt, venue=_venue(channel),
            actor_id=interaction.user.id, by_facilitator=not await is_moderator(interaction),
        )  # fmt: skip
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.sync_event(row.id)
        await send_private(interaction, await self._summary(interaction, row, result, True))

    @meeting_cmd.command(name="edit")
    @moderator_or_facilitator()
    @app_commands.describe(
        meeting="Which meeting",
        name="A new name",
        schedule=f"A new schedule: {SCHEDULE_HELP}",
        tz="A new time zone",
        duration="A new length, e.g. 90m",
        channel="A voice or stage channel to meet in",
        reminders="When to remind, e.g. `24h, 15m` or `none`",
        prompt="A new check-in round prompt (`-` for the built-in one)",
        no_channel="True: no voice or stage channel; the meeting is in the group's channel",
    )
    @app_commands.autocomplete(meeting=meeting_autocomplete, tz=timezone_autocomplete)
    async def meeting_edit(
        self,
        interaction: discord.Interaction,
        meeting: int,
        name: str | None = None,
        schedule: str | None = None,
        tz: str | None = None,
        duration: str | None = None,
        channel: Venue | None = None,
        reminders: str | None = None,
        prompt: app_commands.Range[str, 1, MAX_PROMPT] | None = None,
        no_channel: bool | None = None,
    ) -> None:
        """Change a meeting's time, length, place, reminders or prompt (moderators and
        facilitators)."""
        assert interaction.guild_id is not None
        edited = await self.meetings.edit(
            interaction.guild_id, meeting, interaction.user.id, name=name, schedule=schedule,
            tz=tz, duration=duration, reminders=reminders, prompt=prompt, venue=_venue(channel),
            no_venue=bool(no_channel), by_facilitator=not await is_moderator(interaction),
        )  # fmt: skip
        await interaction.response.defer(ephemeral=True, thinking=True)
        row = edited.meeting
        result = await self.sync_event(row.id)
        await send_private(interaction, await self._summary(interaction, row, result, False))
        await self.tell_rescheduled(edited.told)  # members reminded of the old date

    @meeting_cmd.command(name="remove")
    @moderator_or_facilitator()
    @app_commands.describe(meeting="Which meeting")
    @app_commands.autocomplete(meeting=meeting_autocomplete)
    async def meeting_remove(self, interaction: discord.Interaction, meeting: int) -> None:
        """Remove a meeting and its reminders (moderators and facilitators)."""
        assert interaction.guild_id is not None
        removed = await self.meetings.remove(
            interaction.guild_id,
            meeting,
            interaction.user.id,
            by_facilitator=not await is_moderator(interaction),
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        event = await self.delete_event(interaction.guild_id, removed.meeting.event_id)
        failed = await self.apply_lock(removed.group) if removed.relock else None
        text = await localized(
            interaction,
            N_("**{group}: {meeting}** is removed, with its reminders."),
            group=removed.group.name,
            meeting=removed.meeting.name,
        )
        left = {"stale": STALE_REMOVED, "failed": FAILED_REMOVED}.get(event)
        if left:  # its event is still in the Events list: the moderator deletes it by hand
            text += "\n" + await localized(interaction, left)
        await send_private(
            interaction, text + await _lock_failed(interaction, removed.group, failed)
        )
        await self.tell_rescheduled(removed.told)  # members reminded of its next date

    @meeting_cmd.command(name="list")
    @guild_only()
    @app_commands.describe(group="Only this group's meetings")
    @app_commands.autocomplete(group=group_autocomplete)
    async def meeting_list(
        self, interaction: discord.Interaction, group: str | None = None
    ) -> None:
        """When support groups meet, and who facilitates next."""
        assert interaction.guild_id is not None
        groups = {g.id: g for g in await self.services.groups.for_guild(interaction.guild_id)}
        if group:
            only = await self.services.groups.by_name(interaction.guild_id, group)
            rows = await self.meetings.for_group(only.id)
        else:
            rows = await self.meetings.for_guild(interaction.guild_id)
        rows = [r for r in rows if r.group_id in groups]
        if not rows:
            text = N_(
                "No meetings are scheduled yet. Facilitators add them with `/group meeting add`."
            )
            await send_private(interaction, await localized(interaction, text))
            return
        lang = await reader_language(interaction)
        lines = [
            mv.meeting_line(
                r, groups[r.group_id].name, await self.meetings.next_facilitator(r), lang
            )
            for r in rows[:MAX_LISTED]
        ]
        if len(rows) > MAX_LISTED:  # a group's own list is always whole (10 meetings at most)
            more = N_("…and {count} more: `/group meeting list group:` shows one group's meetings.")
            lines.append(await localized(interaction, more, count=len(rows) - MAX_LISTED))
        footer = N_("Members: `/group meeting remind` sends you a DM before each meeting.")
        lines.append(await localized(interaction, footer))
        # several messages when the names are long: no meeting is cut off or left out
        await send_private(interaction, "\n\n".join(lines))

    @meeting_cmd.command(name="remind")
    @guild_only()
    @app_commands.describe(group="Which group", state="on: DM me before meetings; off: stop")
    @app_commands.autocomplete(group=group_autocomplete)
    async def meeting_remind(
        self, interaction: discord.Interaction, group: str, state: Literal["on", "off"]
    ) -> None:
        """Get (or stop) a DM before a group's meetings."""
        assert interaction.guild_id is not None
        on = state == "on"
        await self.meetings.set_reminders(interaction.guild_id, group, interaction.user.id, on)
        row = await self.services.groups.by_name(interaction.guild_id, group)
        lang = await reader_language(interaction)
        await send_private(interaction, reminder_answer(row.name, on, lang))

    @meeting_cmd.command(name="options")
    @moderator_only()
    @app_commands.describe(
        group="Which group",
        lock_channel="Members post only during meetings (the channel is locked in between)",
        named_attendance="Keep who pressed “I'm here” (otherwise only the count is kept)",
    )
    @app_commands.autocomplete(group=group_autocomplete)
    async def meeting_options(
        self,
        interaction: discord.Interaction,
        group: str,
        lock_channel: bool | None = None,
        named_attendance: bool | None = None,
    ) -> None:
        """A group's meeting options: channel locking, named attendance (moderators)."""
        assert interaction.guild_id is not None
        before = await self.services.groups.active(interaction.guild_id, group)
        was_locked = await self.meetings.channel_locked(before.id)
        row, prefs, is_open = await self.meetings.set_options(
            interaction.guild_id, group, interaction.user.id, locking=lock_channel,
            named_attendance=named_attendance,
        )  # fmt: skip
        await interaction.response.defer(ephemeral=True, thinking=True)
        failed = None
        if lock_channel is not None and not is_open:
            failed = await self.apply_lock(row, was_locked=was_locked)
        text = options_summary(prefs.locking, prefs.named_attendance)
        note = await _lock_failed(interaction, row, failed)
        await send_private(interaction, await localized(interaction, text, group=row.name) + note)

    @meeting_cmd.command(name="attendance")
    @moderator_or_facilitator()
    @app_commands.describe(meeting="Which meeting")
    @app_commands.autocomplete(meeting=meeting_autocomplete)
    async def meeting_attendance(self, interaction: discord.Interaction, meeting: int) -> None:
        """How many came to a meeting's latest session (moderators and facilitators)."""
        assert interaction.guild_id is not None
        row, names = await self.meetings.named_attendance(interaction.guild_id, meeting)
        if row.last_started_at is None:
            text = await localized(
                interaction, N_("**{meeting}** hasn't met yet."), meeting=row.name
            )
            await send_private(interaction, text)
            return
        said = N_("**{meeting}** {when}: {count} said they were here.")
        if names:
            said = N_("**{meeting}** {when}: {count} said they were here. By name: {names}")
        text = await localized(
            interaction, said, meeting=row.name, when=when_text(row.last_started_at),
            count=row.attendance, names=", ".join(f"<@{u}>" for u in names),
        )  # fmt: skip
        await send_private(interaction, text)

    # -- buttons ---------------------------------------------------------------------------------
    async def on_meeting_button(
        self, interaction: discord.Interaction, action: str, meeting_id: int
    ) -> None:
        if action == "here":
            message = interaction.message
            presence = await self.meetings.here(
                interaction.guild_id, meeting_id, interaction.user.id,
                message.id if message is not None else None,
            )  # fmt: skip
            if presence.counted:
                text = await localized(
                    interaction,
                    N_("Welcome, glad you're here. ({count} so far.)"),
                    count=presence.count,
                )
            else:
                text = await localized(interaction, N_("You're already counted; welcome."))
            await send_private(interaction, text)
            return
        on = action == "remind"
        group, _ = await self.meetings.reminders_from_button(
            meeting_id, interaction.user.id, on, interaction.guild_id
        )
        # pressed on the open post or under a reminder DM: answered in the member's language
        lang = await reader_language(interaction)
        await send_private(interaction, reminder_answer(group.name, on, lang))
