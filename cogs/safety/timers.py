"""Delivering the safety service's timers through Discord: a refused private reply, a peer
alert that failed (the moderators are told after the last try), a channel note to delete.

The service arms the timers and reads them (``on_<kind>``); this room only delivers.
"""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.safety import ALERT_RETRY, DELETE_FALLBACK, REPLY_RETRY, TimerRow
from bot.ui.lookup import find_channel, find_user
from cogs.safety.alerts import AlertsMixin, undeliverable_text
from cogs.safety.replies import RepliesMixin

log = logging.getLogger("cogs.safety")


class TimersMixin(AlertsMixin, RepliesMixin):
    """Timer handlers (part of the Safety cog)."""

    bot: commands.Bot
    services: Services

    def _register_timers(self) -> None:
        self.services.scheduler.register(DELETE_FALLBACK, self._on_delete_fallback)
        self.services.scheduler.register(ALERT_RETRY, self._on_alert_retry)
        self.services.scheduler.register(REPLY_RETRY, self._on_reply_retry)

    async def _on_reply_retry(self, timer: TimerRow) -> None:
        """A private reply that Discord refused for a while: send it now (the scheduler backs
        off and retries on failure; a member whose DMs are closed is not retried)."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_reply_retry(timer)
        user = await find_user(self.bot, retry.user_id)
        if user is None:
            return
        try:
            await self._send_reply(user, retry.guild_id, retry.kind, retry.needs, retry.lang)
        except discord.Forbidden:
            log.info("safety guild=%s: member DMs closed; reply retry dropped", timer.guild_id)

    async def _on_delete_fallback(self, timer: TimerRow) -> None:
        await self.bot.wait_until_ready()
        note = await self.services.safety.on_delete_fallback(timer)
        with contextlib.suppress(discord.NotFound):  # already gone is fine
            await self.bot.http.delete_message(
                note.channel_id,
                note.message_id,
                reason="Kindred: brief crisis pointer expired",
            )

    async def _on_alert_retry(self, timer: TimerRow) -> None:
        """Deliver a peer alert that failed; after the last try, tell the moderators."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_alert_retry(timer)
        alert = retry.alert
        channel = await find_channel(self.bot, alert.peer_channel_id)
        try:
            if channel is None:
                raise LookupError("peer channel gone")
            await self._send_alert(channel, alert)
            return
        except (discord.HTTPException, LookupError):
            if not retry.final:
                raise
        log.error("safety guild=%s: peer alert undeliverable; telling moderators", alert.guild_id)
        targets = await self.services.safety.alert_channels(alert.guild_id)
        mods = await find_channel(self.bot, targets.moderators)
        if mods is not None:
            with contextlib.suppress(discord.HTTPException):
                await mods.send(
                    undeliverable_text(alert),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
