"""Answering a mood press, on a channel post (anonymous counts) or a personal DM (the member's
own history): a thank-you, a peer button, and crisis lines for the lowest mood."""

from __future__ import annotations

import discord

from bot.safety.messages import format_entry
from bot.services import Services
from bot.services.checkins import LOW, MOODS, CheckinService
from bot.ui.replies import send_private
from bot.ui.requests import TalkToPeerButton
from bot.ui.resources import context as crisis_context


class MoodReplies:
    """Mixed into the ``Checkins`` cog; the mood buttons call ``on_mood`` and
    ``on_personal_mood``."""

    services: Services
    service: CheckinService

    async def _crisis_lines(self, guild_id: int | None, user_id: int) -> list[str]:
        """Crisis lines for the member's region (theirs, else the server's), from the dated
        resource directory; the worldwide directory when the region is unknown."""
        region = await self.services.safety.region_for(guild_id, user_id)
        ctx = crisis_context(region, self.services.clock())
        lines = []
        if ctx.lines:
            lines.append("**In crisis?** " + " · ".join(format_entry(e) for e in ctx.lines[:3]))
        lines.append(f"Worldwide helplines: {format_entry(ctx.directory, with_hours=False)}")
        danger = ctx.emergency.contacts[0].value if ctx.emergency else "your local emergency number"
        lines.append(f"In immediate danger? Call {danger}.")
        return lines

    async def _mood_reply(
        self,
        interaction: discord.Interaction,
        level: int,
        lowest: bool,
        guild_id: int | None,
        head: str,
    ) -> None:
        lines = [head]
        if lowest:
            lines.append(
                "I'm sorry it's hard right now. You don't have to carry it alone: a peer can "
                "listen, and you choose what to share."
            )
            lines.extend(await self._crisis_lines(guild_id, interaction.user.id))
        elif level <= LOW:
            lines.append("If you'd like someone to listen, a peer is a button away.")
        view = None
        if guild_id is not None:
            view = discord.ui.View(timeout=None)
            view.add_item(TalkToPeerButton(guild_id))
        await send_private(interaction, "\n".join(lines), view=view)

    async def on_mood(self, interaction: discord.Interaction, post_id: int, level: int) -> None:
        # channel posts live in a server: a press anywhere else is a forged id
        lowest = await self.service.vote(
            post_id, interaction.user.id, level, guild_id=interaction.guild_id or 0
        )
        await self._mood_reply(
            interaction,
            level,
            lowest,
            interaction.guild_id,
            f"Thank you. “{MOODS[level]}” is counted anonymously: only totals are kept, and you "
            "can change it by tapping again.",
        )

    async def on_personal_mood(self, interaction: discord.Interaction, level: int) -> None:
        lowest = await self.service.personal_mood(interaction.user.id, level)
        guild_id = await self.service.personal_guild(interaction.user.id, interaction.guild_id)
        await self._mood_reply(
            interaction,
            level,
            lowest,
            guild_id,
            f"Noted: “{MOODS[level]}”. Only you see it (`/checkin me history`).",
        )
