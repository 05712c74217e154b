"""Peers keep a weekly rota; its timers put them on and off duty and remind them first."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.services.peers import messages as say
from bot.services.peers.shifts import ShiftRow, ShiftStarted, TimerRow
from bot.ui.lookup import gone_as_peer
from bot.ui.replies import reader_language, send_private
from bot.ui.timezones import timezone_autocomplete
from cogs.peers import groups
from cogs.peers.views import tell_peer


def shift_text(shift: ShiftRow, lang: str = "en") -> str:
    return say.shift_line(shift.id, shift.weekday, shift.start_time, shift.end_time, shift.tz, lang)


class ShiftCommands:
    bot: commands.Bot
    services: Services

    @groups.shift.command(name="add")
    @groups.peer_only()
    @app_commands.describe(
        weekday="e.g. monday",
        start="e.g. 18:00",
        end="e.g. 22:00",
        tz="Your IANA time zone, e.g. Europe/London",
    )
    @app_commands.autocomplete(tz=timezone_autocomplete)
    async def shift_add(
        self, interaction: discord.Interaction, weekday: str, start: str, end: str, tz: str
    ) -> None:
        """Add a weekly shift; you go on and off duty by yourself, with a reminder first."""
        assert interaction.guild_id is not None
        added = await self.services.peers.shifts.add_shift(
            interaction.guild_id, interaction.user.id, weekday, start, end, tz
        )
        lang = await reader_language(interaction)
        next_start = discord.utils.format_dt(added.next_start, "F")
        await send_private(
            interaction, say.shift_added_text(shift_text(added.shift, lang), next_start, lang)
        )

    @groups.shift.command(name="list")
    @groups.peer_only()
    async def shift_list(self, interaction: discord.Interaction) -> None:
        """Your weekly shifts."""
        assert interaction.guild_id is not None
        shifts = await self.services.peers.shifts.shifts(interaction.guild_id, interaction.user.id)
        lang = await reader_language(interaction)
        await send_private(
            interaction,
            "\n".join(shift_text(s, lang) for s in shifts) or say.no_shifts_text(lang),
        )

    @groups.shift.command(name="remove")
    @groups.peer_only()
    async def shift_remove(self, interaction: discord.Interaction, shift_id: int) -> None:
        """Remove one of your weekly shifts by its number."""
        assert interaction.guild_id is not None
        await self.services.peers.shifts.remove_shift(
            interaction.guild_id, interaction.user.id, shift_id
        )
        lang = await reader_language(interaction)
        await send_private(interaction, say.shift_removed_text(shift_id, lang))

    # -- timers: the service changes the state and re-arms; here the peer is told -----------
    async def _on_shift_start(self, timer: TimerRow) -> None:
        started = await self.services.peers.shifts.on_shift_start(timer)
        # a peer whose role was removed since (unseen: no members intent) goes off duty again
        if started is None or await gone_as_peer(self.bot, started.guild_id, started.user_id):
            return
        await tell_peer(self.bot, started)

    async def _on_shift_remind(self, timer: TimerRow) -> None:
        reminder = await self.services.peers.shifts.on_shift_remind(timer)
        if reminder is not None:
            await tell_peer(self.bot, reminder)

    async def _on_shift_end(self, timer: TimerRow) -> None:
        ended = await self.services.peers.shifts.on_shift_end(timer)
        if ended is not None:
            await self.bot.wait_until_ready()
            await tell_peer(self.bot, ended, shift=True)

    async def _on_duty_dm_retry(self, timer: TimerRow) -> None:
        """A duty DM Discord failed for a moment, as it stands now; failing again raises."""
        await self.bot.wait_until_ready()
        told = await self.services.peers.shifts.on_dm_retry(timer)
        if told is None:
            return
        if isinstance(told, ShiftStarted) and await gone_as_peer(
            self.bot, told.guild_id, told.user_id
        ):
            return
        await tell_peer(self.bot, told, shift=bool(timer.payload.get("shift", True)), retry=True)
