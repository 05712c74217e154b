"""The ``/goal`` and ``/plan`` command groups and the autocompletes the rooms share."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.schedules import timezone_choices
from bot.services import Services

goal = app_commands.Group(name="goal", description="Your own goals, with gentle nudges by DM.")
plan = app_commands.Group(name="plan", description="Your private wellness plan.")


def _services(interaction: discord.Interaction) -> Services:
    return interaction.client.services  # type: ignore[attr-defined]


async def topic_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    library = _services(interaction).selfhelp.library
    topics = await library.suggest(interaction.guild_id, interaction.user.id, current)
    return [app_commands.Choice(name=p.title[:100], value=p.slug) for p in topics[:25]]


async def goal_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[int]]:
    """The member's own goals (never anyone else's), open ones first."""
    needle = current.strip().lower().lstrip("#")
    out = []
    for row in await _services(interaction).selfhelp.goals.mine(interaction.user.id):
        state = {"done": " (done)", "paused": " (paused)"}.get(row.status, "")
        name = f"#{row.id} {row.text}"
        if not needle or needle in name.lower():
            label = name[: 100 - len(state)] + state
            out.append(app_commands.Choice(name=label, value=row.id))
    return out[:25]


async def zone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]
