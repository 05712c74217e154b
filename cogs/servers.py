"""A server that removes Kindred (GUILD_DELETE without ``unavailable``), one that invites it
back, and one found gone at start-up. Thin Discord layer over ``bot.services.servers``: DMs
the member and the peer of each conversation that closed (in their language, with the
member's support resources), posts the one notice in the moderators' channel of a server
that is back. A server merely unavailable (a Discord outage) is not a departure."""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.servers import (
    Departure,
    Return,
    Told,
    member_text,
    moderators_back_text,
    peer_text,
)
from bot.text import prefixed_messages
from bot.ui.lookup import find_channel, find_user
from bot.ui.requests import refresh_card
from bot.ui.resources import nobody_on_duty_text

log = logging.getLogger(__name__)


class Servers(commands.Cog):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.services: Services = bot.services  # type: ignore[attr-defined]

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        await self._gone(await self.services.servers.departed(guild.id))

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._back(await self.services.servers.returned(guild.id))

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Servers Kindred holds data for but READY didn't list (unavailable ones are listed)
        were removed while it was offline; departed ones READY lists are back."""
        present = {g.id for g in self.bot.guilds}
        gone, back = await self.services.servers.at_start(present, self._owned)
        for departure in gone:
            await self._gone(departure)
        for returned in back:
            await self._back(returned)

    def _owned(self, guild_id: int) -> bool:
        """Whether this process's shards hold the server (all of them when unsharded)."""
        count = self.bot.shard_count
        ids = getattr(self.bot, "shard_ids", None)
        if not count or ids is None:
            return True
        return (guild_id >> 22) % count in ids

    async def _gone(self, departure: Departure | None) -> None:
        if departure is None:
            return
        for told in departure.told:
            await self._tell(departure.guild_id, told)

    async def _tell(self, guild_id: int, told: Told) -> None:
        if told.member:
            safety = self.services.safety
            region = await safety.region_for(guild_id, told.user_id)
            extras = await safety.guild_resources(guild_id)
            resources = nobody_on_duty_text(
                region, self.services.clock(), extras, intro=False, waiting=False, lang=told.lang
            )
            text = member_text(told.request.id, told.lang) + "\n\n" + resources
        else:
            text = peer_text(told.request.id, told.lang)
        try:
            user = await find_user(self.bot, told.user_id)
            for piece in prefixed_messages("", text):
                await user.send(piece)
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.info("request %s: could not DM that its server left (%s)", told.request.id, exc)

    async def _back(self, returned: Return | None) -> None:
        if returned is None:
            return
        for request in returned.stale_cards:  # closed when it left: no Claim on them now
            await refresh_card(self.bot, self.services, request)
        channel = await find_channel(self.bot, returned.moderator_channel_id)
        if channel is None:
            log.info("guild %s is back; no moderator channel to tell", returned.guild_id)
            return
        try:
            await channel.send(moderators_back_text(returned.departed_at, returned.waited))
        except discord.HTTPException as exc:
            log.warning("guild %s is back; telling the moderators failed: %s", returned.guild_id,
                        exc.status)  # fmt: skip


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Servers(bot))
