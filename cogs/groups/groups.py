"""The ``/group`` command groups and their autocompletes, shared by the cog's rooms."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.services import Services
from bot.ui.checks import is_moderator

group = app_commands.Group(
    name="group", description="Support groups: join, leave, post; moderators create and run them."
)
guidelines = app_commands.Group(
    name="guidelines",
    description="Group guidelines: read them; moderators edit them.",
    parent=group,
)
settings = app_commands.Group(
    name="settings", description="A group's settings (moderators).", parent=group
)


def _services(interaction: discord.Interaction) -> Services:
    return interaction.client.services  # type: ignore[attr-defined]


def _choices(names: list[str], current: str) -> list[app_commands.Choice[str]]:
    needle = " ".join(current.split()).casefold()
    return [
        app_commands.Choice(name=n[:100], value=n[:100])
        for n in names
        if not needle or needle in n.casefold()
    ][:25]


async def group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """This server's active groups (and, for moderators, archived ones)."""
    if interaction.guild_id is None:
        return []
    archived = await is_moderator(interaction)
    rows = await _services(interaction).groups.for_guild(
        interaction.guild_id, include_archived=archived
    )
    return _choices([r.name for r in rows], current)


async def my_group_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """The groups the member is in."""
    if interaction.guild_id is None:
        return []
    rows = await _services(interaction).groups.groups_of(interaction.guild_id, interaction.user.id)
    return _choices([r.name for r in rows], current)
