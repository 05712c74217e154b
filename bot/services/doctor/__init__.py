"""``/kindred setup``: checks a server's set-up and words each problem with its exact fix.

Each feature registers a source of ``Needs`` (the channels it uses and what Kindred needs
there, the roles it refers to or manages, findings from settings alone). The cog asks for the
needs, looks every id up in Discord, and hands back plain ``GuildFacts``; ``examine`` applies
the rules (``rules.py``). Nothing here imports discord.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.services.doctor.model import (
    Audience,
    ChannelFacts,
    Checkup,
    Exposure,
    Finding,
    GuildFacts,
    Listing,
    Needs,
    Place,
    RoleFacts,
    RoleUse,
    Text,
    Watch,
)
from bot.services.doctor.rules import examine, examine_places

NeedsSource = Callable[[int], Awaitable[Needs]]

__all__ = [
    "Audience",
    "ChannelFacts",
    "Checkup",
    "DoctorService",
    "Exposure",
    "Finding",
    "GuildFacts",
    "Listing",
    "Needs",
    "Place",
    "RoleFacts",
    "RoleUse",
    "Text",
    "Watch",
]


class DoctorService:
    def __init__(self) -> None:
        self.sources: dict[str, NeedsSource] = {}

    def register(self, feature: str, source: NeedsSource) -> None:
        """A feature says what it uses in a server (called once per check)."""
        self.sources[feature] = source

    async def needs(self, guild_id: int) -> Needs:
        total = Needs()
        for source in self.sources.values():
            total = total + await source(guild_id)
        return total

    def examine(self, needs: Needs, facts: GuildFacts) -> Checkup:
        return examine(needs, facts)

    def examine_places(self, needs: Needs, facts: GuildFacts) -> list[Finding]:
        """Only the channels in ``needs`` (a moderator has just chosen them): their problems."""
        return examine_places(needs, facts)
