"""Peers go on and off duty, see who else is on, and choose their tags."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.services.peers.shifts import TimerRow
from bot.services.requests import notices as say
from bot.ui.replies import reader_language, send_private
from cogs.peers import groups
from cogs.peers.views import tell_peer


class DutyCommands:
    bot: commands.Bot
    services: Services

    @groups.duty.command(name="on")
    @groups.peer_only()
    @app_commands.describe(until="Optional: when you'll go off, e.g. 17:00, 2h or tomorrow 9am")
    async def duty_on(self, interaction: discord.Interaction, until: str | None = None) -> None:
        """Go on duty: new requests will reach you."""
        assert interaction.guild_id is not None
        started = await self.services.peers.shifts.go_on(
            interaction.guild_id, interaction.user.id, until
        )
        until = discord.utils.format_dt(started.until, "t") if started.until else None
        lang = await reader_language(interaction)
        await send_private(interaction, say.duty_on_text(until, started.waiting, lang))

    @groups.duty.command(name="off")
    @groups.peer_only()
    async def duty_off(self, interaction: discord.Interaction) -> None:
        """Go off duty. Requests you hold stay with you until you close or hand them on."""
        assert interaction.guild_id is not None
        stopped = await self.services.peers.shifts.go_off(interaction.guild_id, interaction.user.id)
        lang = await reader_language(interaction)
        text = say.duty_off_text(stopped.was_on, list(stopped.held), lang)
        await send_private(interaction, text)

    @groups.duty.command(name="status")
    @groups.peer_only()
    async def duty_status(self, interaction: discord.Interaction) -> None:
        """Who is on duty now and what is waiting (only you see this)."""
        assert interaction.guild_id is not None
        rows = await self.services.peers.duty.on_duty(interaction.guild_id)
        queue = await self.services.peers.requests.queue(interaction.guild_id)
        lang = await reader_language(interaction)
        people = [
            say.on_duty_until_text(f"<@{r.user_id}>", discord.utils.format_dt(r.until, "t"), lang)
            if r.until
            else f"<@{r.user_id}>"
            for r in rows
        ]
        nxt = await self.services.peers.duty.next_shift_start(interaction.guild_id)
        after = (nxt[1], discord.utils.format_dt(nxt[0], "F")) if nxt else None
        await send_private(interaction, say.duty_status_text(people, len(queue), after, lang))

    @groups.duty.command(name="tags")
    @groups.peer_only()
    @app_commands.describe(tags="Comma-separated tags you share, e.g. grief, veterans")
    async def duty_tags(self, interaction: discord.Interaction, tags: str) -> None:
        """Choose the topics or lived experience you'd like requests for."""
        assert interaction.guild_id is not None
        chosen = await self.services.peers.tags.choose(
            interaction.guild_id, interaction.user.id, tags
        )
        lang = await reader_language(interaction)
        await send_private(interaction, say.your_tags_text(list(chosen), lang))

    # -- timers ---------------------------------------------------------------------------
    async def _on_duty_expire(self, timer: TimerRow) -> None:
        ended = await self.services.peers.shifts.on_duty_expire(timer)
        if ended is None:  # off duty by hand meanwhile, or on duty for longer now
            return
        await self.bot.wait_until_ready()
        await tell_peer(self.bot, ended, shift=False)
