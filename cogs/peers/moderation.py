"""Moderators' view of peer support: counts, blocks, revealing an anonymous member; and a
peer's request for a moderator to check in after a hard conversation."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFoundError
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.peers.blocks import MAX_REASON
from bot.ui.checks import GuildOnlyError, moderator_only
from bot.ui.lookup import find_user
from bot.ui.replies import COLOUR, send_private
from cogs.peers import groups


class ModerationCommands:
    bot: commands.Bot
    services: Services

    @groups.peers.command(name="stats")
    @moderator_only()
    @app_commands.describe(days="How many days back (default 30)")
    async def stats(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] = 30
    ) -> None:
        """Counts for peer support: opened, claimed, closed, wait times, feedback. No content."""
        assert interaction.guild_id is not None
        s = await self.services.peers.requests.stats(interaction.guild_id, days)
        median = "—" if s.median_claim is None else f"{s.median_claim.total_seconds() / 60:.0f} min"
        busiest = ", ".join(f"{h:02d}:00 UTC ({n})" for h, n in s.busiest_hours_utc) or "—"
        embed = discord.Embed(title=f"Peer support, last {days} days", colour=COLOUR)
        embed.add_field(
            name="Requests",
            value=f"opened {s.opened} · claimed {s.claimed} · "
            f"closed {s.closed} · withdrawn {s.cancelled}",
            inline=False,
        )
        embed.add_field(name="Median time to claim", value=median)
        embed.add_field(name="Waited past the moderator alert", value=str(s.past_threshold))
        first = s.feedback_since
        since = "" if first is None else f" (counted by month, since {first.day} {first:%b %Y})"
        embed.add_field(
            name=f"Feedback{since}",
            value=f"helped {s.feedback['helped']} · somewhat "
            f"{s.feedback['somewhat']} · not really {s.feedback['not_really']}",
            inline=False,
        )
        embed.add_field(name="Busiest hours", value=busiest, inline=False)
        await send_private(interaction, embed=embed)

    @groups.peers.command(name="block")
    @moderator_only()
    async def block(
        self, interaction: discord.Interaction, member: discord.User, reason: str | None = None
    ) -> None:
        """Stop a member opening peer requests (they still get crisis resources)."""
        assert interaction.guild_id is not None
        await self.services.peers.blocks.block(
            interaction.guild_id, member.id, reason, interaction.user.id
        )
        await send_private(
            interaction,
            f"{member.mention} can no longer open peer requests "
            "here. They will still be shown crisis resources.",
        )

    @groups.peers.command(name="unblock")
    @moderator_only()
    async def unblock(self, interaction: discord.Interaction, member: discord.User) -> None:
        """Let a blocked member open peer requests again."""
        assert interaction.guild_id is not None
        if not await self.services.peers.blocks.unblock(
            interaction.guild_id, member.id, interaction.user.id
        ):
            raise NotFoundError(f"{member.mention} was not blocked.")
        await send_private(interaction, f"{member.mention} can open peer requests again.")

    @groups.peers.command(name="reveal")
    @moderator_only()
    @app_commands.describe(request_id="The anonymous request's number", reason="Why (logged)")
    async def reveal(
        self,
        interaction: discord.Interaction,
        request_id: int,
        reason: app_commands.Range[str, 1, MAX_REASON],
    ) -> None:
        """Reveal who an anonymous member is (audit-logged; the member is told)."""
        assert interaction.guild_id is not None
        request = await self.services.peers.blocks.reveal(
            interaction.guild_id, request_id, interaction.user.id, reason
        )
        try:
            user = await find_user(self.bot, request.requester_id)
            await user.send(
                f"A moderator of this server looked up who opened request "
                f"#{request_id}, which you had made anonymous. Reason given: "
                f"{reason}"
            )
        except discord.HTTPException:
            pass
        await send_private(
            interaction,
            f"Request #{request_id} was opened by "
            f"<@{request.requester_id}>. This was logged and the "
            "member was told.",
        )

    @groups.peers.command(name="debrief")
    async def debrief(
        self, interaction: discord.Interaction, need_support: bool = True, note: str | None = None
    ) -> None:
        """After a hard conversation: ask a moderator to check in with you (note stays private)."""
        if interaction.guild_id is None:
            raise GuildOnlyError()
        cfg = await self.services.settings.get(interaction.guild_id, PeerSettings)
        if need_support and cfg.mod_channel_id:
            channel = self.bot.get_channel(cfg.mod_channel_id)
            if isinstance(channel, discord.TextChannel):
                await channel.send(
                    f"<@{interaction.user.id}> asked for support after a peer "
                    "conversation. Please check in with them."
                )
        await send_private(
            interaction,
            "Thank you for what you do. "
            + ("A moderator will check in with you." if need_support else "")
            + (" Your note was not stored." if note else ""),
        )
