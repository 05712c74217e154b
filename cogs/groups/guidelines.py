"""``/group guidelines set`` (a modal, moderators) and ``/group guidelines show``.

A new version never removes anyone: each group it applies to gets one notice in its channel
with a button to read it, and anyone who joins (or rejoins) accepts it first. No DMs."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.services.groups import MAX_GUIDELINES, GroupService, Guidelines
from bot.ui.checks import moderator_only
from bot.ui.replies import COLOUR, send_private
from bot.ui.views import KindredModal
from cogs.groups.groups import group_autocomplete
from cogs.groups.groups import guidelines as guidelines_cmd
from cogs.groups.views import guidelines_embed, guidelines_notice

log = logging.getLogger(__name__)


class GuidelinesModal(KindredModal, title="Group guidelines"):
    text: discord.ui.TextInput = discord.ui.TextInput(
        label="Guidelines (empty: use the default)",
        style=discord.TextStyle.paragraph,
        max_length=MAX_GUIDELINES,
        required=False,
        custom_id="text",
    )

    def __init__(self, cog: GuidelinesCommands, group_id: int | None, current: Guidelines) -> None:
        super().__init__(custom_id="kindred:grp:guidelines")
        self.cog = cog
        self.group_id = group_id
        self.text.default = current.text[:MAX_GUIDELINES]

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.save_guidelines(interaction, self.group_id, self.text.value)


class GuidelinesCommands:
    """Mixed into the ``Groups`` cog."""

    bot: commands.Bot
    services: Services
    service: GroupService

    @guidelines_cmd.command(name="set")
    @moderator_only()
    @app_commands.describe(name="A group (leave empty for the server's default guidelines)")
    @app_commands.autocomplete(name=group_autocomplete)
    async def set_(self, interaction: discord.Interaction, name: str | None = None) -> None:
        """Write a group's guidelines, or the server's default ones (moderators)."""
        assert interaction.guild_id is not None
        if name:
            group = await self.service.by_name(interaction.guild_id, name)
            current = await self.service.guidelines_for(group)
            modal = GuidelinesModal(self, group.id, current)
        else:
            current = await self.service.server_guidelines(interaction.guild_id)
            modal = GuidelinesModal(self, None, current)
        await interaction.response.send_modal(modal)

    async def save_guidelines(
        self, interaction: discord.Interaction, group_id: int | None, text: str
    ) -> None:
        assert interaction.guild_id is not None
        change = await self.service.set_guidelines(
            interaction.guild_id, group_id, text, interaction.user.id
        )
        await interaction.response.defer(ephemeral=True, thinking=True)
        posted = 0
        for group in change.groups:
            channel = interaction.guild.get_channel(group.channel_id or 0)  # type: ignore[union-attr]
            if channel is None:
                continue
            notice, view = guidelines_notice(group, change.guidelines)
            try:
                await channel.send(notice, view=view)
                posted += 1
            except discord.HTTPException:
                log.warning("guidelines notice: could not post in channel %s", channel.id)
        where = "this group" if group_id else "the server's groups that use the default"
        await send_private(
            interaction,
            f"Saved: {change.guidelines.label} for {where}. Everyone keeps their place; anyone "
            f"who joins accepts this version first. A notice went to {posted} group "
            f"channel{'s' if posted != 1 else ''}.",
        )

    @guidelines_cmd.command(name="show")
    @app_commands.describe(name="A group (leave empty for the server's default guidelines)")
    @app_commands.autocomplete(name=group_autocomplete)
    async def show(self, interaction: discord.Interaction, name: str | None = None) -> None:
        """Read a group's guidelines (or the server's default ones)."""
        if interaction.guild_id is None:
            await send_private(interaction, "Groups live in a server; run this there.")
            return
        if not name:
            current = await self.service.server_guidelines(interaction.guild_id)
            embed = discord.Embed(
                title="Group guidelines (server default)",
                description=current.text[:4000],
                colour=COLOUR,
            )
            embed.set_footer(text=f"{current.label[0].upper()}{current.label[1:]}.")
            await send_private(interaction, embed=embed)
            return
        group = await self.service.by_name(interaction.guild_id, name)
        guidelines = await self.service.guidelines_for(group)
        accepted = await self.service.has_accepted(group, interaction.user.id, guidelines)
        note = "You've accepted this version." if accepted else None
        await send_private(
            interaction, note, embed=guidelines_embed(group, guidelines, to_join=False)
        )
