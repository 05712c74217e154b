"""Members' own check-ins by DM: ``/checkin me every``, ``status``, ``pause``, ``resume``,
``stop``, ``history`` and ``share``, and ``/checkin shared`` for the peer they chose."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import InvalidInputError
from bot.i18n import N_
from bot.services import Services
from bot.services.checkins import CheckinService, by_day, quiet_of, sparkline
from bot.services.checkins.messages import (
    dms_closed_text,
    history_empty_text,
    history_text,
    personal_paused_text,
    personal_resumed_text,
    personal_set_text,
    personal_status_text,
    personal_stopped_text,
    share_none_text,
    share_peer_text,
    shared_empty_text,
    shared_history_text,
)
from bot.ui.replies import reader_language, send_private
from bot.ui.sharing import require_together
from cogs.checkins.groups import checkin, me, zone_autocomplete
from cogs.checkins.text import run_time_lines

TREND_GONE = N_(
    "You no longer share a server with {member}, so I can't show you their check-in trend."
)
#: ``/checkin me share`` with someone who shares no server with the member where Kindred is:
#: they could never see the trend (``/checkin shared`` would refuse), so the share is unchanged.
TREND_APART = N_(
    "You don't share a server with {member} where Kindred is, so they couldn't see your check-in "
    "trend. Nothing changed: choose someone from your community."
)


class PersonalCommands:
    """Mixed into the ``Checkins`` cog."""

    bot: commands.Bot
    service: CheckinService
    services: Services

    async def _told_if_paused(self, user_id: int, text: str, lang: str) -> str:
        """``text``, after why their check-in is paused when a DM to them was refused: they
        learn it here, privately, never in a channel."""
        if await self.service.paused_for_closed_dms(user_id):
            return f"{dms_closed_text(lang)}\n\n{text}"
        return text

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
        lang = await reader_language(interaction)
        text = personal_set_text(
            row.schedule, row.tz, quiet_of(row), run_time_lines(runs, row.tz, lang), lang,
            f"<@{row.share_with}>" if row.share_with else None,
        )  # fmt: skip
        await send_private(interaction, text)

    @me.command(name="status")
    async def me_status(self, interaction: discord.Interaction) -> None:
        """Your personal check-in: schedule, next times, who you share it with."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.personal_next(interaction.user.id, 3)
        lang = await reader_language(interaction)
        text = personal_status_text(
            row.schedule,
            row.tz,
            paused=row.paused,
            pause_reason=row.pause_reason,
            quiet=quiet_of(row),
            shared_with=f"<@{row.share_with}>" if row.share_with else None,
            runs=run_time_lines(runs, row.tz, lang),
            lang=lang,
        )
        await send_private(interaction, await self._told_if_paused(row.user_id, text, lang))

    @me.command(name="pause")
    async def me_pause(self, interaction: discord.Interaction) -> None:
        """Pause your personal check-in."""
        await self.service.pause_personal(interaction.user.id)
        await send_private(interaction, personal_paused_text(await reader_language(interaction)))

    @me.command(name="resume")
    async def me_resume(self, interaction: discord.Interaction) -> None:
        """Resume your personal check-in."""
        row = await self.service.personal_status(interaction.user.id)
        runs = await self.service.resume_personal(interaction.user.id)
        lang = await reader_language(interaction)
        lines = run_time_lines(runs, row.tz, lang)
        await send_private(interaction, personal_resumed_text(lines, lang))

    @me.command(name="stop")
    async def me_stop(self, interaction: discord.Interaction) -> None:
        """Stop your personal check-in (your history stays until `/forgetme`)."""
        await self.service.stop_personal(interaction.user.id)
        await send_private(interaction, personal_stopped_text(await reader_language(interaction)))

    @me.command(name="history")
    async def me_history(self, interaction: discord.Interaction) -> None:
        """Your own mood trend over the last 30 days (private unless you share it with a peer)."""
        moods = await self.service.history(interaction.user.id)
        lang = await reader_language(interaction)
        if not moods:
            text = history_empty_text(lang)
        else:
            counts: dict[int, int] = {}
            for _, level in moods:
                counts[level] = counts.get(level, 0) + 1
            zone = await self.service.history_zone(interaction.user.id)
            text = history_text(sparkline(moods, zone), counts, lang, daily=by_day(moods))
        await send_private(interaction, await self._told_if_paused(interaction.user.id, text, lang))

    @me.command(name="share")
    @app_commands.describe(peer="Someone who may see your trend; leave empty to stop sharing")
    async def me_share(
        self, interaction: discord.Interaction, peer: discord.User | None = None
    ) -> None:
        """Choose a peer who may see your check-in trend, or stop sharing."""
        if peer is not None and (peer.bot or peer.id == interaction.user.id):
            raise InvalidInputError(N_("Choose another member (not yourself or a bot)."))
        if peer is not None:
            # shared in a community: someone who shares no server with the member could never
            # see it (`/checkin shared` would refuse), so nothing changes
            await require_together(self.bot, interaction, peer, TREND_APART)
        await self.service.share_with(interaction.user.id, peer.id if peer else None)
        lang = await reader_language(interaction)
        text = share_none_text(lang) if peer is None else share_peer_text(peer.mention, lang)
        await send_private(interaction, await self._told_if_paused(interaction.user.id, text, lang))

    @checkin.command(name="shared")
    @app_commands.describe(member="A member who chose to share their check-in trend with you")
    async def shared(self, interaction: discord.Interaction, member: discord.User) -> None:
        """See the mood trend a member chose to share with you (shown privately to you)."""
        lang = await reader_language(interaction)  # the reader's language: the peer's
        moods = await self.service.shared_history(member.id, interaction.user.id)
        # shared in a community: not read by someone no longer in one with the member
        await require_together(self.bot, interaction, member, TREND_GONE)
        if not moods:
            await send_private(interaction, shared_empty_text(member.mention, lang))
            return
        spark = sparkline(moods, await self.service.history_zone(member.id))
        text = shared_history_text(member.mention, spark, lang, daily=by_day(moods))
        await send_private(interaction, text)
