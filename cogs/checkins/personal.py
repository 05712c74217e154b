"""Members' own check-ins by DM: ``/checkin me every``, ``status``, ``pause``, ``resume``,
``stop``, ``history`` and ``share``, and ``/checkin shared`` for the peer they chose."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.errors import InvalidInputError
from bot.services.checkins import MOODS, CheckinService, sparkline
from bot.ui.replies import send_private
from cogs.checkins.groups import checkin, me, zone_autocomplete
from cogs.checkins.text import personal_text, run_lines


class PersonalCommands:
    """Mixed into the ``Checkins`` cog."""

    service: CheckinService

    @me.command(name="every")
    @app_commands.describe(
        schedule="e.g. `daily 20:00` or `weekdays 08:30`",
        tz="Your IANA time zone, e.g. America/Chicago (default: the one from /timezone set)",
        quiet_hours="e.g. `22:00-08:00`: a check-in due then waits until they end",
    )
    @app_commands.autocomplete(tz=zone_autocomplete)
    async def me_every(
        self,
        interaction: discord.Interaction,
        schedule: str,
        tz: str | None = None,
        quiet_hours: str | None = None,
    ) -> None:
        """Get a private check-in by DM on your own schedule."""
        row, runs = await self.service.set_personal(
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id if interaction.guild_id else None,
            schedule=schedule,
            tz=tz,
            quiet=quiet_hours,
        )
        quiet = f" Quiet hours {row.quiet_start}–{row.quiet_end}." if row.quiet_start else ""
        await send_private(
            interaction,
            f"Your check-in is set: `{row.schedule}` ({row.tz}).{quiet} I'll DM you; your answers "
            "are yours alone. Next:\n"
            + run_lines(runs, row.tz)
            + "\n`/checkin me pause`, `stop` or `history` at any time.",
        )

    @me.command(name="status")
    async def me_status(self, interaction: discord.Interaction) -> None:
        """Your personal check-in: schedule, next times, who you share it with."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.personal_next(interaction.user.id, 3)
        await send_private(interaction, personal_text(row, runs))

    @me.command(name="pause")
    async def me_pause(self, interaction: discord.Interaction) -> None:
        """Pause your personal check-in."""
        await self.service.pause_personal(interaction.user.id)
        await send_private(interaction, "Paused. `/checkin me resume` starts it again.")

    @me.command(name="resume")
    async def me_resume(self, interaction: discord.Interaction) -> None:
        """Resume your personal check-in."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.resume_personal(interaction.user.id)
        await send_private(interaction, "Resumed. Next:\n" + run_lines(runs, row.tz))

    @me.command(name="stop")
    async def me_stop(self, interaction: discord.Interaction) -> None:
        """Stop your personal check-in (your history stays until `/forgetme`)."""
        await self.service.stop_personal(interaction.user.id)
        await send_private(
            interaction,
            "Stopped. Your past answers stay visible to you in `/checkin me history`; "
            "`/forgetme` deletes them.",
        )

    @me.command(name="history")
    async def me_history(self, interaction: discord.Interaction) -> None:
        """Your own mood trend over the last 30 days (only you see it)."""
        moods = await self.service.history(interaction.user.id)
        if not moods:
            await send_private(interaction, "No answers in the last 30 days yet.")
            return
        counts = {m: sum(1 for _, v in moods if v == m) for m in MOODS}
        await send_private(
            interaction,
            f"Your last 30 days, oldest first (▁ {MOODS[1]} … █ {MOODS[5]}):\n"
            f"`{sparkline(moods)}`\n"
            + " · ".join(f"{MOODS[m]}: {counts[m]}" for m in sorted(MOODS)),
        )

    @me.command(name="share")
    @app_commands.describe(peer="Someone who may see your trend; leave empty to stop sharing")
    async def me_share(
        self, interaction: discord.Interaction, peer: discord.User | None = None
    ) -> None:
        """Choose a peer who may see your check-in trend, or stop sharing."""
        if peer is not None and (peer.bot or peer.id == interaction.user.id):
            raise InvalidInputError("Choose another member (not yourself or a bot).")
        await self.service.share_with(interaction.user.id, peer.id if peer else None)
        if peer is None:
            await send_private(interaction, "You share your check-ins with nobody.")
        else:
            await send_private(
                interaction,
                f"{peer.mention} may now see your check-in trend (never your words). "
                "`/checkin me share` with no peer takes that back at any time.",
            )

    @checkin.command(name="shared")
    @app_commands.describe(member="A member who chose to share their check-in trend with you")
    async def shared(self, interaction: discord.Interaction, member: discord.User) -> None:
        """See the mood trend a member chose to share with you (only you see it)."""
        moods = await self.service.shared_history(member.id, interaction.user.id)
        if not moods:
            await send_private(interaction, f"{member.mention} has no answers in 30 days.")
            return
        await send_private(
            interaction,
            f"{member.mention}'s last 30 days, shared with you by their choice "
            f"(▁ {MOODS[1]} … █ {MOODS[5]}):\n`{sparkline(moods)}`",
        )
