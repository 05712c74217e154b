"""Time zone autocomplete for slash commands."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

import discord
from discord import app_commands


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def timezone_choices(prefix: str, limit: int = 25) -> list[str]:
    needle = prefix.strip().lower().replace(" ", "_")
    starts = [z for z in _zones() if z.lower().startswith(needle)]
    contains = [z for z in _zones() if needle in z.lower() and z not in starts]
    return (starts + contains)[:limit]


async def timezone_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]
