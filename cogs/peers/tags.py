"""Moderators keep the list of topic and lived-experience tags peers can choose from."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.services.peers import messages as say
from bot.services.peers.tags import MAX_TAG
from bot.ui.checks import guild_only, moderator_only
from bot.ui.replies import reader_language, send_private
from cogs.peers import groups


async def tag_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    if interaction.guild_id is None:
        return []
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    tags = await services.peers.tags.guild_tags(interaction.guild_id)
    return [app_commands.Choice(name=t, value=t) for t in tags if current.lower() in t.lower()][:25]


class TagCommands:
    bot: commands.Bot
    services: Services

    @groups.tags.command(name="add")
    @moderator_only()
    async def tags_add(
        self, interaction: discord.Interaction, tag: app_commands.Range[str, 1, MAX_TAG]
    ) -> None:
        """Add a topic or lived-experience tag peers can choose (e.g. grief, veterans)."""
        assert interaction.guild_id is not None
        clean = await self.services.peers.tags.add(interaction.guild_id, tag)
        lang = await reader_language(interaction)
        await send_private(interaction, say.tag_added_text(clean, lang))

    @groups.tags.command(name="remove")
    @moderator_only()
    @app_commands.autocomplete(tag=tag_autocomplete)
    async def tags_remove(self, interaction: discord.Interaction, tag: str) -> None:
        """Remove a tag."""
        assert interaction.guild_id is not None
        removed = await self.services.peers.tags.remove(interaction.guild_id, tag)
        lang = await reader_language(interaction)
        await send_private(interaction, say.tag_removed_text(removed.tag, lang, removed.peers))

    @groups.tags.command(name="list")
    @guild_only()
    async def tags_list(self, interaction: discord.Interaction) -> None:
        """Show the tags members can ask for."""
        assert interaction.guild_id is not None
        tags = await self.services.peers.tags.guild_tags(interaction.guild_id)
        lang = await reader_language(interaction)
        await send_private(interaction, say.tags_list_text(tags, lang))
