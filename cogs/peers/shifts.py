"""Peers keep a weekly rota; its timers put them on and off duty and remind them first."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.services import Services
from bot.services.peers.shifts import WEEKDAYS, ShiftRow, TimerRow
from bot.ui.lookup import gone_as_peer
from bot.ui.replies import send_private
from bot.ui.timezones import timezone_autocomplete
from cogs.peers import groups
from cogs.peers.views import dm_peer, tell_duty_ended


def shift_text(shift: ShiftRow) -> str:
    return (
        f"#{shift.id} {WEEKDAYS[shift.weekday].title()} {shift.start_time}–{shift.end_time} "
        f"({shift.tz})"
    )


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
        await send_private(
            interaction,
            f"Shift added: {shift_text(added.shift)}. Next: "
            f"{discord.utils.format_dt(added.next_start, 'F')}.",
        )

    @groups.shift.command(name="list")
    @groups.peer_only()
    async def shift_list(self, interaction: discord.Interaction) -> None:
        """Your weekly shifts."""
        assert interaction.guild_id is not None
        shifts = await self.services.peers.shifts.shifts(interaction.guild_id, interaction.user.id)
        await send_private(
            interaction,
            "\n".join(shift_text(s) for s in shifts)
            or "You have no shifts. `/duty shift add` adds one.",
        )

    @groups.shift.command(name="remove")
    @groups.peer_only()
    async def shift_remove(self, interaction: discord.Interaction, shift_id: int) -> None:
        """Remove one of your weekly shifts by its number."""
        assert interaction.guild_id is not None
        await self.services.peers.shifts.remove_shift(
            interaction.guild_id, interaction.user.id, shift_id
        )
        await send_private(interaction, f"Shift #{shift_id} removed.")

    # -- timers: the service changes the state and re-arms; here the peer is told -----------
    async def _on_shift_start(self, timer: TimerRow) -> None:
        started = await self.services.peers.shifts.on_shift_start(timer)
        # a peer whose role was removed since (unseen: no members intent) goes off duty again
        if started is None or await gone_as_peer(self.bot, started.guild_id, started.user_id):
            return
        await dm_peer(
            self.bot,
            started.user_id,
            "Your shift has started: you're on duty until "
            f"{discord.utils.format_dt(started.until, 't')}.",
        )

    async def _on_shift_remind(self, timer: TimerRow) -> None:
        reminder = await self.services.peers.shifts.on_shift_remind(timer)
        if reminder is not None:
            await dm_peer(
                self.bot, reminder.user_id, "Your peer-support shift starts in 10 minutes."
            )

    async def _on_shift_end(self, timer: TimerRow) -> None:
        ended = await self.services.peers.shifts.on_shift_end(timer)
        if ended is not None:
            await self.bot.wait_until_ready()
            await tell_duty_ended(self.bot, ended, "Your shift has ended. Thank you.")
