"""Anonymous support-group posts (``/group post``) get the same care as any message, without
costing their author the anonymity they chose.

The groups feature posts the words as Kindred and dispatches ``kindred_anonymous_post`` with
the real author and their ``/group post`` interaction. The detector and the safety service
decide as for any message; the author gets the private reply by DM, and when Discord refuses the
DM (their DMs closed) as a private (ephemeral) follow-up of their ``/group post`` (tried again
shortly when Discord fails it for a moment), never a note in the channel, which would name
them. Then peers and, for tier 3, moderators get an alert that
links the post, says truthfully whether the author was reached, and never names its author:
it pings every on-duty peer, the author too if they are one, so the set never depends on who
wrote it. A channel that refuses the alert is treated as for a message's: the peer channel
when that is another one, the moderators told once, else the moderators' channel (that one
refusing: the moderator channel from /peers setup, as for every moderators' report); Discord
failing for a moment stores a retry (ids and the post's link only) that posts the same words
later, the moderators told once after its last try. Peers
answer in the group; a moderator can look the author up with ``/group reveal`` (a logged
reason) if someone's safety depends on it.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from typing import Literal

import discord
from discord.ext import commands

from bot.safety.assess import Assessment
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.safety import (
    ANONYMOUS_RETRY,
    AnonymousAlert,
    Decision,
    ReplyOutcome,
    TimerRow,
)
from bot.text import pings_and_text
from bot.ui.lookup import find_channel
from cogs.safety.alert_texts import ANONYMOUS_OUTREACH
from cogs.safety.alerts import AlertsMixin, refused_channel_text, send_more_pings
from cogs.safety.listener import _category_id
from cogs.safety.replies import RepliesMixin

log = logging.getLogger("cogs.safety")


#: What the alert says of the private reply: sent (by DM or ephemeral follow-up), refused by
#: Discord, or none was due (then what the decision says: opted out, lines sent earlier).
REACHED = {
    True: " " + ANONYMOUS_OUTREACH["reply"],
    False: " Kindred could not reach its author privately (Discord refused its message).",
    None: "",
}


#: The author's private follow-up Discord failed for a moment (after discord.py's own tries) is
#: tried again after these waits, in seconds: well within the 15 minutes an interaction's token
#: lasts (a try that could not start before :data:`FOLLOWUP_WINDOW` ends is not made).
FOLLOWUP_RETRY_WAITS = (1.0, 3.0)
FOLLOWUP_WINDOW = timedelta(minutes=14)

#: What became of the private reply: sent, refused (False), or "unknown" (Discord failed every
#: try: it can't tell whether it arrived).
Reached = bool | Literal["unknown"]
#: The reply's outcome recorded on the post's event.
_REPLY_OUTCOME: dict[Reached, ReplyOutcome] = {
    True: "sent",
    False: "dms_closed",
    "unknown": "unknown",
}


class _TryAgain(Exception):
    """Discord failed an anonymous post's stored alert for a moment: the scheduler backs off
    and tries again."""


def anonymous_alert_text(alert: AnonymousAlert, on_duty: list[int]) -> list[str]:
    """The alert whole under the pings; pings that do not fit follow in their own messages."""
    said = REACHED[alert.reached]
    if alert.reached is None and alert.outreach != "reply":
        said = " " + ANONYMOUS_OUTREACH[alert.outreach]
    text = (
        f"An **anonymous** post in <#{alert.post_channel_id}> may need support "
        f"(tier {alert.tier}) ([jump]({alert.jump_url})).{said} They chose to stay "
        "anonymous: answer them in the group. If someone's safety "
        "depends on it, a moderator can look them up with `/group reveal` (the reason is logged "
        "and they are told)."
    )
    return pings_and_text([f"<@{p}>" for p in on_duty], text)


class AnonymousPostsMixin(AlertsMixin, RepliesMixin):
    """The ``kindred_anonymous_post`` listener (part of the Safety cog)."""

    bot: discord.Client
    services: Services
    worker: AssessWorker | None

    @commands.Cog.listener()
    async def on_kindred_anonymous_post(
        self,
        message: discord.Message,
        author: discord.abc.User,
        text: str,
        interaction: discord.Interaction | None = None,
    ) -> None:
        if self.worker is None or message.guild is None or not text:
            return
        safety = self.services.safety
        result = await self.worker.assess(text)
        decision = await safety.notice(
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            # an excluded channel, thread's channel or category covers the group's channel too
            parent_channel_id=getattr(message.channel, "parent_id", None),
            user_id=author.id,
            category_id=_category_id(message.channel),
            role_ids=[r.id for r in getattr(author, "roles", [])],
            label=str(result.label),
            tier=result.tier,
            possible_concern=result.possible_concern,
            needs=result.needs,
            risk=result.risk,
        )
        if decision is None or not decision.acts:
            return
        log.info(
            "safety guild=%s channel=%s anonymous post label=%s tier=%s acts=%s",
            message.guild.id,
            message.channel.id,
            result.label,
            result.tier,
            decision.acts,
        )
        # the reply first, so the alert can say truthfully whether the author was reached
        replied: Reached | None = None
        if decision.reply:
            replied = await self._reply_to_author(
                message.guild.id, author, decision, result, interaction
            )
        alerted = await self._alert_anonymously(message, result, decision, replied)
        await safety.record_outcome(
            decision,
            replied=replied is True,
            alerted=alerted,
            noted=False,
            reply=None if replied is None else _REPLY_OUTCOME[replied],
        )

    async def _alert_anonymously(
        self,
        message: discord.Message,
        result: Assessment,
        decision: Decision,
        reached: Reached | None,
    ) -> bool:
        """Peers (pinged when it is an alert) and, for tier 3, moderators. A peer channel that
        refuses Kindred (403, 404, gone or hidden) falls back as a message's alert does."""
        assert message.guild is not None
        guild_id = message.guild.id
        if not (decision.alert_peers or decision.quiet_item or decision.alert_moderators):
            return False
        targets = await self.services.safety.alert_channels(guild_id)
        sent = False
        to_moderators = decision.alert_moderators
        outreach = decision.outreach
        if reached == "unknown":  # tried, and Discord failed every try: said as such
            reached, outreach = None, "unknown"
        alert = AnonymousAlert(
            guild_id=guild_id,
            target_channel_id=targets.peers or 0,
            post_channel_id=message.channel.id,
            jump_url=message.jump_url,
            tier=result.tier,
            reached=reached,
            outreach=outreach,
            pings=decision.alert_peers,  # a quiet item pings nobody
        )
        if (decision.alert_peers or decision.quiet_item) and targets.peers is not None:
            on_duty: list[int] = []
            if decision.alert_peers:  # None: nobody left out
                on_duty = await self.services.safety.alert_pings(guild_id, None)
            posted = await self._deliver_anonymous(alert, on_duty)
            if posted is False:  # Discord failed for a moment: a stored retry
                await self.services.safety.retry_anonymous_later(alert)
                posted = True
            sent |= bool(posted)
            to_moderators |= posted is None  # nowhere for peers: the moderators read it
        if to_moderators and targets.moderators is not None:
            copy = replace(alert, target_channel_id=targets.moderators, pings=False)
            posted = await self._anonymous_to_moderators(copy)
            if posted is False:
                await self.services.safety.retry_anonymous_later(copy)
            sent |= posted is not None
        return sent

    async def _anonymous_to_moderators(self, copy: AnonymousAlert) -> bool | None:
        """The moderators' copy (no pings) in their alert channel; one that refuses Kindred
        (403, 404, gone or hidden) is treated as for every moderators' report: the copy goes
        to the moderator channel from /peers setup, the moderators told there once per while.
        True: posted; False: Discord failed for a moment in the moderators' alert channel (the
        caller retries); None: no channel took it."""
        (text,) = anonymous_alert_text(copy, [])
        posted = await self._post_anonymous(copy.target_channel_id, [text], [])
        if posted is not None:
            return posted
        moved = await self._moderators_refused(copy.guild_id, copy.target_channel_id, text)
        return None if moved is None else True

    async def _deliver_anonymous(self, alert: AnonymousAlert, pings: list[int]) -> bool | None:
        """Post the alert in its channel; a channel that refuses Kindred falls back to the peer
        channel when that is another one (a failure for a moment there stores a retry there).
        True: posted (or a retry stored for the fallback); False: Discord failed for a moment
        in the alert's own channel; None: refused with nowhere else for peers."""
        guild_id, refused = alert.guild_id, alert.target_channel_id
        texts = anonymous_alert_text(alert, pings)
        posted = await self._post_anonymous(refused, texts, pings)
        if posted is not None:
            return posted
        log.warning("safety guild=%s: channel %s refuses anonymous-post alerts", guild_id, refused)
        refusal = await self.services.safety.alert_refused(guild_id, refused)
        if refusal.tell_moderators:
            await self._tell_moderators(guild_id, refused_channel_text(refused, refusal))
        if refusal.fallback_channel_id is None:
            return None
        moved = replace(alert, target_channel_id=refusal.fallback_channel_id)
        posted = await self._post_anonymous(moved.target_channel_id, texts, pings)
        if posted is False:
            await self.services.safety.retry_anonymous_later(moved)
            return True
        return posted

    def _register_anonymous_timers(self) -> None:
        self.services.scheduler.register(ANONYMOUS_RETRY, self._on_anonymous_retry)

    async def _on_anonymous_retry(self, timer: TimerRow) -> None:
        """An anonymous post's alert Discord failed for a moment: post it now with the same
        words (every on-duty peer pinged); a refusal falls back as the first time did. After
        the scheduler's last try the moderators are told once (naming nobody)."""
        await self.bot.wait_until_ready()
        retry = await self.services.safety.on_anonymous_retry(timer)
        alert = retry.alert
        targets = await self.services.safety.alert_channels(alert.guild_id)
        if alert.target_channel_id == targets.moderators:  # the moderators' own copy
            posted = await self._anonymous_to_moderators(alert)
        else:
            posted = await self._deliver_anonymous(alert, retry.pings)
            if posted is None and targets.moderators is not None:
                copy = replace(alert, target_channel_id=targets.moderators, pings=False)
                posted = await self._anonymous_to_moderators(copy)
        if posted is not False:
            return
        if not retry.final:
            raise _TryAgain("anonymous-post alert failed; tried again later")
        log.error("safety guild=%s: anonymous-post alert undeliverable", alert.guild_id)
        if alert.target_channel_id != targets.moderators:
            (text,) = anonymous_alert_text(replace(alert, pings=False), [])
            await self._tell_moderators(
                alert.guild_id,
                "⚠️ Kindred could not deliver this alert to the peer channel "
                f"<#{alert.target_channel_id}>, please make sure a peer answers: {text}",
            )

    async def _post_anonymous(
        self, channel_id: int, texts: list[str], pings: list[int]
    ) -> bool | None:
        """True: posted; False: Discord failed for a moment (logged); None: the channel
        refuses Kindred (403, 404, gone or hidden)."""
        users = [discord.Object(p) for p in pings]
        mentions = discord.AllowedMentions(users=users, everyone=False, roles=False)
        first, *more_pings = texts
        try:
            channel = await find_channel(self.bot, channel_id, strict=True)
            if channel is None:
                return None
            await channel.send(first, allowed_mentions=mentions)
        except (discord.Forbidden, discord.NotFound):
            return None
        except discord.HTTPException as exc:
            log.warning("safety: anonymous-post alert failed (%s)", exc.status)
            return False
        await send_more_pings(channel, more_pings, mentions)
        return True

    async def _reply_to_author(
        self,
        guild_id: int,
        author: discord.abc.User,
        decision: Decision,
        result: Assessment,
        interaction: discord.Interaction | None,
    ) -> Reached:
        """By DM (it stays with them); when Discord refuses it, as a private follow-up of their
        ``/group post`` (only they see it, and it names nobody in the channel). A follow-up
        Discord failed for a moment is tried again shortly (``FOLLOWUP_RETRY_WAITS``) while
        the interaction's token lasts; "unknown" when every try failed that way."""
        lang = await self.services.safety.language_for(author.id, result.lang)
        kind, needs = str(decision.reply), decision.needs
        try:
            await self._send_reply(author, guild_id, kind, needs, lang)
            return True
        except discord.HTTPException as exc:
            log.info("safety guild=%s: anonymous author's DM failed (%s)", guild_id, exc.status)
        if interaction is None:
            return False
        embeds, view = await self._reply_parts(author, guild_id, kind, needs, lang)
        extra = {} if view is None else {"view": view}
        for wait in (0.0, *FOLLOWUP_RETRY_WAITS):
            if wait:
                ends = interaction.created_at + FOLLOWUP_WINDOW
                if discord.utils.utcnow() + timedelta(seconds=wait) >= ends:
                    break
                await asyncio.sleep(wait)
            try:
                await interaction.followup.send(embeds=embeds, ephemeral=True, **extra)
                return True
            except discord.HTTPException as exc:
                if exc.status < 500 and exc.status != 429:  # refused, or the token expired
                    log.info(
                        "safety guild=%s: anonymous author's follow-up refused (%s)",
                        guild_id,
                        exc.status,
                    )
                    return False
                log.warning(
                    "safety guild=%s: anonymous author's follow-up failed (%s)",
                    guild_id,
                    exc.status,
                )
        return "unknown"
