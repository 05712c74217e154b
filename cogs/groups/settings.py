"""``/group settings slowmode|anonymous|content-notes`` (moderators), and delivering the
stored timer that lifts a slowmode when a heavy moment has passed (or lifting it when archiving
ended it)."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFoundError
from bot.i18n import N_
from bot.services import Services
from bot.services.groups import (
    MAX_SLOWMODE,
    MAX_SLOWMODE_MINUTES,
    GroupRow,
    GroupService,
    TimerRow,
)
from bot.ui.checks import moderator_only
from bot.ui.lookup import find_channel
from bot.ui.replies import localized, send_private
from cogs.groups import discord_ops as ops
from cogs.groups.groups import group_autocomplete
from cogs.groups.groups import settings as settings_cmd

log = logging.getLogger(__name__)


class SettingsCommands:
    """Mixed into the ``Groups`` cog, which registers ``_on_slowmode_off``."""

    bot: commands.Bot
    services: Services
    service: GroupService

    @settings_cmd.command(name="slowmode")
    @moderator_only()
    @app_commands.describe(
        name="Which group",
        seconds="Seconds between one member's messages (0 turns slowmode off)",
        minutes="Lift it again after this many minutes (empty: until you turn it off)",
    )
    @app_commands.autocomplete(name=group_autocomplete)
    async def slowmode(
        self,
        interaction: discord.Interaction,
        name: str,
        seconds: app_commands.Range[int, 0, MAX_SLOWMODE],
        minutes: app_commands.Range[int, 1, MAX_SLOWMODE_MINUTES] | None = None,
    ) -> None:
        """Slow a group's channel down in a heavy moment, for a while (moderators)."""
        assert interaction.guild is not None
        guild = interaction.guild
        group = await self.service.active(guild.id, name)
        channel = guild.get_channel(group.channel_id or 0)
        if channel is None:
            raise NotFoundError(
                N_("**{group}** has no channel right now; `/group repair` makes a new one."),
                group=group.name,
            )
        try:
            await channel.edit(slowmode_delay=seconds)
        except discord.HTTPException as exc:
            raise ops.refused(
                guild, exc, N_("set slowmode in <#{channel}>"), channel=channel.id
            ) from exc
        row = await self.service.set_slowmode(
            group.id, guild.id, seconds, minutes, interaction.user.id
        )
        if not seconds:
            text = N_("**{group}**: Slowmode is off in <#{channel}>.")
        elif minutes:
            text = N_(
                "**{group}**: Slowmode in <#{channel}>: one message every {seconds} s per member "
                "for {minutes} minutes."
            )
        else:
            text = N_(
                "**{group}**: Slowmode in <#{channel}>: one message every {seconds} s per member "
                "until you turn it off."
            )
        await send_private(
            interaction,
            await localized(
                interaction,
                text,
                group=row.name,
                channel=channel.id,
                seconds=seconds,
                minutes=minutes or 0,
            ),
        )

    @settings_cmd.command(name="anonymous")
    @moderator_only()
    @app_commands.describe(name="Which group", enabled="Let members post anonymously")
    @app_commands.autocomplete(name=group_autocomplete)
    async def anonymous(self, interaction: discord.Interaction, name: str, enabled: bool) -> None:
        """Let members of a group post anonymously with `/group post` (moderators)."""
        assert interaction.guild_id is not None
        group = await self.service.by_name(interaction.guild_id, name)
        row = await self.service.set_anonymous(
            group.id, interaction.guild_id, enabled, interaction.user.id
        )
        text = (
            N_(
                "**{group}**: members can post anonymously with `/group post`, under a pseudonym "
                "that stays the same in this group. Moderators can reveal a post's author with "
                "`/group reveal` (logged, and the member is told by DM if their DMs are open)."
            )
            if enabled
            else N_("**{group}**: anonymous posts are off.")
        )
        await send_private(interaction, await localized(interaction, text, group=row.name))

    @settings_cmd.command(name="content-notes")
    @moderator_only()
    @app_commands.describe(name="Which group", enabled="Remind members to use spoiler tags")
    @app_commands.autocomplete(name=group_autocomplete)
    async def content_notes(
        self, interaction: discord.Interaction, name: str, enabled: bool
    ) -> None:
        """Privately remind members to put heavy topics behind spoiler tags (moderators)."""
        assert interaction.guild_id is not None
        group = await self.service.by_name(interaction.guild_id, name)
        row = await self.service.set_content_notes(
            group.id, interaction.guild_id, enabled, interaction.user.id
        )
        text = (
            N_(
                "**{group}**: when a message names a heavy topic without spoiler tags, I remind "
                "its author by DM. Nothing is deleted and nothing is said in the channel."
            )
            if enabled
            else N_("**{group}**: content-note reminders are off.")
        )
        await send_private(interaction, await localized(interaction, text, group=row.name))

    async def _on_slowmode_off(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        group = await self.service.on_slowmode_off(timer)
        if group is not None:
            await self._lift_slowmode(group)

    async def _slowmode_ended(self, before: GroupRow, after: GroupRow) -> None:
        """Archiving ended a timed slowmode (the service stored 0): lift it on Discord too."""
        if before.slowmode_seconds and not after.slowmode_seconds:
            try:
                await self._lift_slowmode(after)
            except discord.HTTPException as exc:
                log.warning("group %s: slowmode not lifted on archive (%s)", after.id, exc.status)

    async def _lift_slowmode(self, group: GroupRow) -> None:
        channel = await find_channel(self.bot, group.channel_id)
        if channel is None:
            log.info("group %s: slowmode ended, but its channel is gone", group.id)
            return
        try:
            await channel.edit(slowmode_delay=0)
        except (discord.Forbidden, discord.NotFound):
            log.warning("group %s: could not lift slowmode (permissions)", group.id)
