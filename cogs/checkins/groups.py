"""The ``/checkin`` command groups and their autocompletes, shared by the cog's rooms."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.schedules import timezone_choices
from bot.services import Services
from bot.ui.checks import is_moderator

checkin = app_commands.Group(name="checkin", description="Scheduled check-ins.")
settings_group = app_commands.Group(
    name="settings", description="Check-in settings for this server.", parent=checkin
)
me = app_commands.Group(
    name="me", description="Your own check-in, sent to you by DM.", parent=checkin
)


async def checkin_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    if interaction.guild_id is None or not await is_moderator(interaction):
        return []
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    needle = current.strip().lower().lstrip("#")
    out = []
    for row in await services.checkins.for_guild(interaction.guild_id):
        name = f"#{row.id} {row.title} ({row.schedule}, {row.tz})"
        if not needle or needle in name.lower():
            out.append(app_commands.Choice(name=name[:100], value=row.id))
    return out[:25]


async def zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]
