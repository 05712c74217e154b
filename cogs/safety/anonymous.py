"""Anonymous support-group posts (``/group post``) get the same care as any message, without
costing their author the anonymity they chose.

The groups feature posts the words as Kindred and dispatches ``kindred_anonymous_post`` with
the real author. The detector and the safety service decide as for any message; the author gets
the private reply by DM (never a note in the channel, which would name them); peers and, for
tier 3, moderators get an alert that links the post but never names or pings its author. Peers
answer in the group; a moderator can look the author up with ``/group reveal`` (a logged
reason) if someone's safety depends on it.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot.safety.assess import Assessment
from bot.safety.worker import AssessWorker
from bot.services import Services
from bot.services.safety import Decision, Outreach
from bot.text import pings_and_text
from bot.ui.lookup import find_channel
from cogs.safety.alert_texts import ANONYMOUS_OUTREACH
from cogs.safety.alerts import AlertsMixin, send_more_pings
from cogs.safety.replies import RepliesMixin

log = logging.getLogger("cogs.safety")


def anonymous_alert_text(
    message: discord.Message, tier: int, on_duty: list[int], outreach: Outreach = "reply"
) -> list[str]:
    """The alert whole under the pings; pings that do not fit follow in their own messages."""
    text = (
        f"An **anonymous** post in <#{message.channel.id}> may need support "
        f"(tier {tier}) ([jump]({message.jump_url})). {ANONYMOUS_OUTREACH[outreach]} "
        "They chose to stay anonymous: answer them in the group. If someone's safety "
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
        self, message: discord.Message, author: discord.abc.User, text: str
    ) -> None:
        if self.worker is None or message.guild is None or not text:
            return
        safety = self.services.safety
        result = await self.worker.assess(text)
        decision = await safety.notice(
            guild_id=message.guild.id,
            channel_id=message.channel.id,
            parent_channel_id=None,
            user_id=author.id,
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
        posted: list[discord.Message] = []
        alerted = await self._alert_anonymously(message, author.id, result, decision, posted)
        replied = False
        if decision.reply:
            replied = await self._reply_to_author(
                message.guild.id, author, decision, result, posted
            )
        await safety.record_outcome(decision, replied=replied, alerted=alerted, noted=False)

    async def _alert_anonymously(
        self,
        message: discord.Message,
        author_id: int,
        result: Assessment,
        decision: Decision,
        posted: list[discord.Message],
    ) -> bool:
        assert message.guild is not None
        guild_id = message.guild.id
        if not (decision.alert_peers or decision.quiet_item or decision.alert_moderators):
            return False
        targets = await self.services.safety.alert_channels(guild_id)
        sent = False
        if decision.alert_peers or decision.quiet_item:
            channel = await find_channel(self.bot, targets.peers)
            on_duty: list[int] = []
            if decision.alert_peers:  # a quiet item pings nobody
                on_duty = await self.services.safety.alert_pings(guild_id, author_id)
            sent |= await self._post(channel, message, result.tier, on_duty, decision, posted)
        if decision.alert_moderators:
            channel = await find_channel(self.bot, targets.moderators)
            sent |= await self._post(channel, message, result.tier, [], decision, posted)
        return sent

    async def _post(
        self,
        channel,
        message: discord.Message,
        tier: int,
        pings: list[int],
        decision: Decision,
        posted: list[discord.Message],
    ) -> bool:
        if channel is None:
            return False
        users = [discord.Object(p) for p in pings]
        mentions = discord.AllowedMentions(users=users, everyone=False, roles=False)
        first, *more_pings = anonymous_alert_text(message, tier, pings, decision.outreach)
        try:
            posted.append(await channel.send(first, allowed_mentions=mentions))
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
        posted: list[discord.Message],
    ) -> bool:
        """DM the author; their DMs closed, the alerts just posted say Kindred couldn't."""
        lang = await self.services.safety.language_for(author.id, result.lang)
        try:
            await self._send_reply(author, guild_id, str(decision.reply), decision.needs, lang)
        except discord.Forbidden:
            log.info("safety guild=%s: anonymous author's DMs closed", guild_id)
            await self._say_dms_closed(posted)
            return False
        except discord.HTTPException as exc:
            log.info("safety guild=%s: anonymous author's DM failed (%s)", guild_id, exc.status)
            return False
        return True
