"""Time zone autocomplete for slash commands, and what a member is told moved with their zone
(``/timezone set`` and ``clear``)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

import discord
from discord import app_commands

from bot.i18n import N_, Joined
from bot.services.zones import MemberZones
from bot.ui.replies import localized

#: What moved with a new `/timezone set` (set without `tz:`), one whole sentence per case.
ZONE_FOLLOWED = {
    frozenset({"checkin"}): N_("Your personal check-in now comes at its times in **{zone}**."),
    frozenset({"goals"}): N_("Your goals' nudges now come at their times in **{zone}**."),
    frozenset({"checkin", "goals"}): N_(
        "Your personal check-in and your goals' nudges now come at their times in **{zone}**."
    ),
}


async def followed_after_clear(
    interaction: discord.Interaction, zones: MemberZones, moved: list[str]
) -> str:
    """Where what moved at `/timezone clear` comes now (empty: nothing moved): each to the
    zone used for it, its own server's home zone wherever the member cleared it, named as it
    is stored; in two zones or more, each said apart."""
    where = await zones.zones_of(interaction.user.id, moved) if moved else {}
    every = sorted({zone for found in where.values() for zone in found})
    if len(every) == 1:
        return await localized(interaction, ZONE_FOLLOWED[frozenset(moved)], zone=every[0])
    lines = [
        await localized(
            interaction, ZONE_FOLLOWED[frozenset({name})], zone=Joined(where[name], english=", ")
        )
        for name in moved
        if where.get(name)
    ]
    return "\n".join(lines)


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
