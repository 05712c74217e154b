"""Delivering the safety service's timers through Discord: a refused private reply, a peer
alert or a possible-concern item that failed (the moderators are told after the last try), a
channel note to delete (an anonymous post's alert: ``anonymous.py``).

The service arms the timers and reads them (``on_<kind>``); this room only delivers.
"""

from __future__ import annotations

import contextlib
import logging

import discord
from discord.ext import commands

from bot.services import Services
from bot.services.safety import (
    ALERT_REOPENED,
    ALERT_RETRY,
    DELETE_FALLBACK,
    QUIET_RETRY,
    REPLY_RETRY,
    AlertReopened,
    Outreach,
    TimerRow,
)
from bot.ui.lookup import find_channel, find_user
from cogs.safety.alert_texts import (
    outreach_now_text,
    reopened_card,
    reopened_ping,
    undeliverable_text,
)
from cogs.safety.alerts import AlertsMixin, alert_view
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
        self.services.scheduler.register(QUIET_RETRY, self._on_quiet_retry)
        self.services.scheduler.register(ALERT_REOPENED, self._on_alert_reopened)

    async def _on_reply_retry(self, timer: TimerRow) -> None:
        """A private reply that Discord refused for a while: send it now (the scheduler backs
        off and retries on failure; a member whose DMs are closed is not retried). When it is
        not sent after all (DMs closed, the member opted out meanwhile, or Discord failed every
        try), the alerts and reports already posted say so."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_reply_retry(timer)
        if retry is None:
            # the member opted out of automatic messages since (the service logged it)
            await self._reply_not_sent(timer, "opted_out")
            return
        user = await find_user(self.bot, retry.user_id)
        if user is None:
            return
        try:
            await self._send_reply(user, retry.guild_id, retry.kind, retry.needs, retry.lang)
            await self.services.safety.reply_sent(timer)
        except discord.Forbidden:
            log.info("safety guild=%s: member DMs closed; reply retry dropped", timer.guild_id)
            await self._reply_not_sent(timer, "dms_closed")
        except discord.HTTPException as exc:
            if not retry.final:
                raise
            log.error(
                "safety guild=%s: reply retry failed (%s); given up", timer.guild_id, exc.status
            )
            await self._reply_not_sent(timer, "unknown")

    async def _reply_not_sent(self, timer: TimerRow, outreach: Outreach) -> None:
        """Recorded on the reply's event (an alert still waiting for its own retry reads it);
        each alert or report already posted saying Kindred is reaching out says what is true
        (read afresh, so a peer's line stays). A failure to edit is logged: the card is out."""
        cards = await self.services.safety.reply_not_sent(timer, outreach)
        for channel_id, message_id in cards:
            try:
                channel = await find_channel(self.bot, channel_id, strict=True)
                if channel is None:
                    continue
                card = await channel.fetch_message(message_id)
                content = outreach_now_text(card.content, outreach)
                if content != card.content:
                    await card.edit(content=content)
            except discord.HTTPException as exc:
                log.warning(
                    "safety guild=%s: an alert could not say the reply's outcome (%s)",
                    timer.guild_id,
                    exc.status,
                )

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
        """Deliver a peer alert that failed for a moment (a refusal falls back at once, see
        ``_deliver_alert``); after the last try, tell the moderators."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_alert_retry(timer)
        alert = retry.alert
        try:
            await self._deliver_alert(alert)
            return
        except discord.HTTPException:
            if not retry.final:
                raise
        log.error("safety guild=%s: peer alert undeliverable; telling moderators", alert.guild_id)
        await self._tell_moderators(alert.guild_id, undeliverable_text(alert))

    async def _on_quiet_retry(self, timer: TimerRow) -> None:
        """Post a possible-concern item that failed for a moment (a refusal falls back at
        once, see ``_deliver_quiet``), saying what is true now of the check-in; after the last
        try the item, with its buttons, goes to the moderators."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_quiet_retry(timer)
        if retry is None:
            return  # the member asked to be forgotten meanwhile (the service logged it)
        try:
            await self._deliver_quiet(retry.item)
            return
        except discord.HTTPException:
            if not retry.final:
                raise
        log.error("safety guild=%s: possible-concern item undeliverable", timer.guild_id)
        await self._quiet_to_moderators(retry.item)

    async def _on_alert_reopened(self, timer: TimerRow) -> None:
        """An alert whose peer lost the peer role: its card offers "I'll reach out" again and
        the on-duty peers are pinged once (channel posts stay English). A card gone, or one
        posted before Kindred kept where, is offered anew in the peer alert channel. Discord
        failing for a moment raises: the scheduler tries again."""
        await self.bot.wait_until_ready()
        reopened = await self.services.safety.on_alert_reopened(timer)
        if reopened is None:
            return  # someone took or marked it meanwhile
        card = await self._reoffer_on_card(reopened)
        mentions = discord.AllowedMentions(
            users=[discord.Object(p) for p in reopened.pings], everyone=False, roles=False
        )
        if card is not None:
            if reopened.pings:
                await card.channel.send(
                    reopened_ping(reopened.pings, card.jump_url), allowed_mentions=mentions
                )
            return
        targets = await self.services.safety.alert_channels(reopened.guild_id)
        channel = await find_channel(self.bot, targets.peers)
        if channel is None:
            log.warning("safety guild=%s: no channel to offer alert again", reopened.guild_id)
            return
        sent = await channel.send(
            reopened_ping(reopened.pings, None),
            view=alert_view(reopened.alert_id),
            allowed_mentions=mentions,
        )
        await self._remember_card(reopened.alert_id, sent)

    async def _reoffer_on_card(self, reopened: AlertReopened) -> discord.Message | None:
        """The alert's own card with its buttons back; None when it is gone or unknown."""
        if reopened.channel_id is None or reopened.message_id is None:
            return None
        channel = await find_channel(self.bot, reopened.channel_id, strict=True)
        if channel is None:
            return None
        try:
            card = await channel.fetch_message(reopened.message_id)
            return await card.edit(
                content=reopened_card(card.content), view=alert_view(reopened.alert_id)
            )
        except (discord.NotFound, discord.Forbidden):
            return None
