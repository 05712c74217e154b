"""Alerts in the peer and moderator channels, and the buttons under them.

The safety service decides whether to alert, where, and whom to ping; this room posts (the
texts are in ``alert_texts``).
"""

from __future__ import annotations

import logging
from dataclasses import replace

import discord

from bot.i18n import N_
from bot.logs import EveryWhile
from bot.safety.assess import Assessment
from bot.services import Services
from bot.services.peers import PeerSettings
from bot.services.safety import Outreach, PeerAlert, QuietItem
from bot.text import DISCORD_LIMIT, shorten
from bot.ui.checks import HELD_REQUEUED, is_peer_or_moderator, requests_list
from bot.ui.lookup import find_channel
from bot.ui.replies import localized
from bot.ui.views import GuardedCallback
from cogs.safety.alert_texts import (
    alert_text,
    dms_closed_text,
    moderator_text,
    quiet_item_text,
    quiet_undeliverable_text,
    refused_channel_text,
    refused_moderator_channel_text,
    undeliverable_text,
)

log = logging.getLogger("cogs.safety")
_NO_MODERATORS_LOGGED = EveryWhile(600.0)  # per server


class _AlertAction(GuardedCallback):
    """What both buttons under a peer alert share: one server's peers and moderators only,
    and a line appended to the alert once someone acted (buttons removed). The refusal is
    marked ``N_()`` and read in the language of the one who pressed."""

    refusal = ""

    @staticmethod
    def _button(label: str, style: discord.ButtonStyle, custom_id: str) -> discord.ui.Button:
        return discord.ui.Button(label=label, style=style, custom_id=custom_id)

    async def _allowed(self, interaction: discord.Interaction) -> bool:
        guild_id = interaction.guild_id
        if guild_id is not None and await is_peer_or_moderator(interaction):
            return True
        requeued = await _no_longer_a_peer(interaction, guild_id) if guild_id is not None else []
        if requeued:  # as a peer command tells them: which of their requests went back
            services: Services = interaction.client.services  # type: ignore[attr-defined]
            role = (await services.settings.get(guild_id, PeerSettings)).peer_role_id
            text = await localized(
                interaction, HELD_REQUEUED, role=role, requests=requests_list(requeued)
            )
        else:
            text = await localized(interaction, self.refusal)
        await interaction.response.send_message(text, ephemeral=True)
        if requeued:  # after the answer: the Support cog tells those members and the peers
            interaction.client.dispatch("kindred_requests_requeued", requeued, interaction.user.id)
        return False

    @staticmethod
    async def _mark(interaction: discord.Interaction, line: str) -> None:
        """The alert keeps its words and gains the line (it left room for it, MARK_ROOM)."""
        message = interaction.message
        alert = message.content if message else ""
        room = DISCORD_LIMIT - len(line) - 1
        content = (alert if len(alert) <= room else shorten(alert, room)) + "\n" + line
        await interaction.response.edit_message(content=content, view=None)


async def _no_longer_a_peer(interaction: discord.Interaction, guild_id: int) -> list:
    """Refused for lacking the peer role: as at a request button or a peer command,
    whoever pressed is no peer here (any more): off duty, the requests they held back in
    the queue (returned: the caller has the Support cog tell their members and ping the peers
    on duty) and the alerts they were reaching out on offered again. For someone who never
    was a peer, nothing changes."""
    services: Services = interaction.client.services  # type: ignore[attr-defined]
    return list(await services.peers.shifts.lost_role(guild_id, interaction.user.id))


class ReachOutButton(
    _AlertAction,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:alert:(?P<id>\d+)",
):
    """On a peer alert: the first peer to press it is recorded; others see who has it. Never
    the person the alert is about, never once someone marked it "not a concern"."""

    refusal = N_("Only this server's peer supporters and moderators can take alerts.")

    def __init__(self, alert_id: int) -> None:
        super().__init__(
            self._button("I'll reach out", discord.ButtonStyle.success, f"kindred:alert:{alert_id}")
        )
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if not await self._allowed(interaction):
            return
        # Refusals (their own alert, someone acted first) are typed errors: a private answer.
        await services.safety.reach_out(self.alert_id, interaction.user.id, interaction.guild_id)
        await self._mark(interaction, f"✅ <@{interaction.user.id}> is reaching out.")


class NotAConcernButton(
    _AlertAction,
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"kindred:notconcern:(?P<id>\d+)",
):
    """A peer marks an alert "not a concern": counted per phrase and model version. Never the
    person the alert is about, never once someone is reaching out."""

    refusal = N_("Only this server's peer supporters and moderators can mark alerts.")

    def __init__(self, alert_id: int) -> None:
        super().__init__(
            self._button(
                "Not a concern", discord.ButtonStyle.secondary, f"kindred:notconcern:{alert_id}"
            )
        )
        self.alert_id = alert_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(int(match["id"]))

    async def run(self, interaction: discord.Interaction) -> None:
        services: Services = interaction.client.services  # type: ignore[attr-defined]
        if not await self._allowed(interaction):
            return
        assert interaction.guild_id is not None
        await services.safety.not_a_concern(
            self.alert_id, interaction.guild_id, interaction.user.id
        )
        await self._mark(
            interaction,
            f"➖ Marked not a concern by <@{interaction.user.id}> (counted for the "
            "detector's measured precision; nothing of the message is kept).",
        )


DYNAMIC_ITEMS = (ReachOutButton, NotAConcernButton)


def alert_view(alert_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ReachOutButton(alert_id))
    view.add_item(NotAConcernButton(alert_id))
    return view


async def send_more_pings(channel, messages: list[str], mentions: discord.AllowedMentions) -> None:
    """The pings that did not fit in an alert, after it. The alert is out already: a failure
    here is logged, never retried as a whole alert (that would post it twice)."""
    for text in messages:
        try:
            await channel.send(text, allowed_mentions=mentions)
        except discord.HTTPException as exc:
            log.warning("safety: the rest of an alert's pings failed (%s)", exc.status)
            return


class AlertsMixin:
    """Posting alerts (part of the Safety cog)."""

    bot: discord.Client
    services: Services

    async def _alert_peers(
        self,
        message: discord.Message,
        result: Assessment,
        outreach: Outreach = "reply",
        posted: list[discord.Message] | None = None,
        event_id: int | None = None,
        alert_ids: list[int] | None = None,
    ) -> bool:
        """Post a peer alert (it says ``outreach``); the card posted now goes in ``posted``
        (to edit if the member's DMs turn out closed), its id in ``alert_ids``. ``event_id``:
        the decision's event, where a stored retry reads what became of the private reply."""
        assert message.guild is not None
        guild_id = message.guild.id
        targets = await self.services.safety.alert_channels(guild_id)
        if targets.peers is None:
            log.info("safety guild=%s: no peer alert channel configured", guild_id)
            return False
        alert = await self.services.safety.open_peer_alert(
            guild_id,
            peer_channel_id=targets.peers,
            member_id=message.author.id,
            channel_id=message.channel.id,
            jump_url=message.jump_url,
            tier=result.tier,
            content=message.content,
            phrase_ids=result.phrase_ids,
            model_version=result.model_version,
            sources=result.sources,
            outreach=outreach,
            event_id=event_id,
        )
        if alert_ids is not None:
            alert_ids.append(alert.alert_id)
        try:
            card = await self._deliver_alert(alert)
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: peer alert failed (%s); will retry", guild_id, exc.status)
            await self.services.safety.retry_alert_later(alert)
            return True
        if card is not None and posted is not None:
            posted.append(card)
        return True

    async def _deliver_alert(self, alert: PeerAlert) -> discord.Message | None:
        """Post the alert in its channel. A refusal (403, 404, the channel gone or hidden) is
        no passing failure: the alert goes at once to the peer channel when that is another
        one, and the moderators are told. Discord failing for a moment (5xx, 429) raises, for
        the caller to try again later. The card posted (None: only the moderators were told,
        or a retry is stored)."""
        try:
            channel = await find_channel(self.bot, alert.peer_channel_id, strict=True)
            if channel is None:
                raise LookupError("alert channel gone or hidden")
            return await self._send_alert(channel, alert)
        except (discord.Forbidden, discord.NotFound, LookupError):
            return await self._alert_refused(alert)

    async def _alert_refused(self, alert: PeerAlert) -> discord.Message | None:
        guild_id = alert.guild_id
        refused = alert.peer_channel_id
        log.warning("safety guild=%s: channel %s refuses peer alerts", guild_id, refused)
        refusal = await self.services.safety.alert_refused(guild_id, refused)
        if refusal.tell_moderators:
            await self._tell_moderators(guild_id, refused_channel_text(refused, refusal))
        if refusal.fallback_channel_id is None:
            return await self._tell_moderators(guild_id, undeliverable_text(alert))
        moved = replace(alert, peer_channel_id=refusal.fallback_channel_id)
        try:
            channel = await find_channel(self.bot, moved.peer_channel_id, strict=True)
            if channel is None:
                raise LookupError("peer channel gone or hidden")
            return await self._send_alert(channel, moved)
        except (discord.Forbidden, discord.NotFound, LookupError):
            return await self._tell_moderators(guild_id, undeliverable_text(alert))
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: peer alert failed (%s); will retry", guild_id, exc.status)
            await self.services.safety.retry_alert_later(moved)
            return None

    async def _tell_moderators(
        self, guild_id: int, text: str, view: discord.ui.View | None = None
    ) -> discord.Message | None:
        """A report (English, no mentions) in the moderators' alert channel. One that refuses
        Kindred (403, 404, gone or hidden) is treated as a peer alert channel is: the text goes
        at once to the moderator channel from /peers setup when that is another one, and the
        moderators are told there which channel refuses and the fix (once per channel per
        while). Discord failing for a moment is logged (None), as a report always was."""
        targets = await self.services.safety.alert_channels(guild_id)
        if targets.moderators is None:
            left_out = _NO_MODERATORS_LOGGED.due(guild_id)
            if left_out is not None:
                log.error(
                    "safety guild=%s: no moderator channel to tell (%d more reports since"
                    " the last line; one line a server every ten minutes)",
                    guild_id,
                    left_out,
                )
            return None
        try:
            return await self._post_plain(targets.moderators, text, view)
        except (discord.Forbidden, discord.NotFound, LookupError):
            pass
        except discord.HTTPException as exc:
            log.error("safety guild=%s: moderators could not be told (%s)", guild_id, exc.status)
            return None
        return await self._moderators_refused(guild_id, targets.moderators, text, view)

    async def _moderators_refused(
        self, guild_id: int, refused: int, text: str, view: discord.ui.View | None = None
    ) -> discord.Message | None:
        """The moderators' alert channel ``refused`` Kindred: ``text`` goes to the moderator
        channel from /peers setup when that is another one, the moderators told there which
        channel refuses and the fix (once per channel per while). None: nowhere took it
        (logged)."""
        log.warning("safety guild=%s: channel %s refuses moderator reports", guild_id, refused)
        refusal = await self.services.safety.moderator_channel_refused(guild_id, refused)
        if refusal.fallback_channel_id is None:
            log.error("safety guild=%s: no moderator channel takes reports", guild_id)
            return None
        try:
            sent = await self._post_plain(refusal.fallback_channel_id, text, view)
            if refusal.tell_moderators:
                await self._post_plain(
                    refusal.fallback_channel_id, refused_moderator_channel_text(refused, refusal)
                )
            return sent
        except (discord.HTTPException, LookupError) as exc:
            status = getattr(exc, "status", "gone")
            log.error("safety guild=%s: moderators could not be told (%s)", guild_id, status)
            return None

    async def _post_plain(
        self, channel_id: int, text: str, view: discord.ui.View | None = None
    ) -> discord.Message:
        """Post with no mentions (and ``view``, if any); a channel gone or hidden raises
        LookupError, Discord's refusals and failures their HTTPException."""
        channel = await find_channel(self.bot, channel_id, strict=True)
        if channel is None:
            raise LookupError("channel gone or hidden")
        if view is None:
            return await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        return await channel.send(text, view=view, allowed_mentions=discord.AllowedMentions.none())

    async def _send_alert(self, channel, alert: PeerAlert) -> discord.Message:
        on_duty = await self.services.safety.alert_pings(alert.guild_id, alert.member_id)
        # Ping exactly the on-duty peers: never the member the alert is about, nor anyone
        # named in copied text.
        mentions = discord.AllowedMentions(
            users=[discord.Object(p) for p in on_duty], everyone=False, roles=False
        )
        first, *more_pings = alert_text(alert, on_duty)
        sent = await channel.send(first, view=alert_view(alert.alert_id), allowed_mentions=mentions)
        await self._remember_card(alert.alert_id, sent)
        await send_more_pings(channel, more_pings, mentions)
        return sent

    async def _remember_card(self, alert_id: int, message: discord.Message) -> None:
        """Where the alert's card is (to offer it again there if its peer can't continue). The
        alert is out already: a failure here is logged, never retried as a whole alert."""
        try:
            await self.services.safety.alert_posted(alert_id, message.channel.id, message.id)
        except Exception:
            log.exception("safety: could not store where alert %s was posted", alert_id)

    async def _quiet_item(
        self,
        message: discord.Message,
        result: Assessment,
        outreach: Outreach = "reply",
        posted: list[discord.Message] | None = None,
        event_id: int | None = None,
        alert_ids: list[int] | None = None,
    ) -> bool:
        """A "possible concern" item for peers: no pings, take or dismiss. Discord failing for
        a moment (5xx, 429) stores a retry (ids only), as for alerts. Its id goes in
        ``alert_ids``."""
        assert message.guild is not None
        guild_id = message.guild.id
        targets = await self.services.safety.alert_channels(guild_id)
        if targets.peers is None:
            return False
        alert_id = await self.services.safety.record_quiet_item(
            guild_id,
            message.author.id,
            phrase_ids=result.phrase_ids,
            model_version=result.model_version,
        )
        if alert_ids is not None:
            alert_ids.append(alert_id)
        item = QuietItem(
            guild_id=guild_id,
            alert_id=alert_id,
            peer_channel_id=targets.peers,
            member_id=message.author.id,
            channel_id=message.channel.id,
            jump_url=message.jump_url,
            outreach=outreach,
            event_id=event_id,
        )
        try:
            return await self._deliver_quiet(item, posted)
        except discord.HTTPException as exc:
            log.warning("safety guild=%s: peer item failed (%s); will retry", guild_id, exc.status)
            await self.services.safety.retry_quiet_later(item)
            return True

    async def _deliver_quiet(
        self, item: QuietItem, posted: list[discord.Message] | None = None
    ) -> bool:
        """Post a possible-concern item in its channel. A channel that refuses Kindred (403,
        404, gone or hidden) is treated as for alerts: the item goes to the peer channel when
        that is another one, the moderators are told of the refusal (once per channel per
        while), and with nowhere else to go the item (with its buttons) goes to the moderators'
        channel, never dropped silently. Never pings anyone. Discord failing for a moment in
        the item's own channel raises, for the caller to try again later."""
        guild_id = item.guild_id
        try:
            return await self._post_quiet_item(
                item.peer_channel_id, quiet_item_text(item), item.alert_id, posted
            )
        except (discord.Forbidden, discord.NotFound, LookupError):
            pass
        refused = item.peer_channel_id
        log.warning("safety guild=%s: channel %s refuses possible-concern items", guild_id, refused)
        refusal = await self.services.safety.alert_refused(guild_id, refused)
        if refusal.tell_moderators:
            await self._tell_moderators(guild_id, refused_channel_text(refused, refusal))
        if refusal.fallback_channel_id is not None:
            moved = replace(item, peer_channel_id=refusal.fallback_channel_id)
            try:
                return await self._post_quiet_item(
                    moved.peer_channel_id, quiet_item_text(moved), item.alert_id, posted
                )
            except (discord.Forbidden, discord.NotFound, LookupError):
                pass
            except discord.HTTPException as exc:
                log.warning(
                    "safety guild=%s: peer item failed (%s); will retry", guild_id, exc.status
                )
                await self.services.safety.retry_quiet_later(moved)
                return True
        return await self._quiet_to_moderators(item, posted)

    async def _quiet_to_moderators(
        self, item: QuietItem, posted: list[discord.Message] | None = None
    ) -> bool:
        """The item, with its buttons, in the moderators' channel (no mentions; that channel
        refusing: the one from /peers setup): no peer channel took it. A failure is logged."""
        sent = await self._tell_moderators(
            item.guild_id, quiet_undeliverable_text(item), alert_view(item.alert_id)
        )
        if sent is None:
            return False
        await self._remember_card(item.alert_id, sent)
        if posted is not None:
            posted.append(sent)
        return True

    async def _post_quiet_item(
        self,
        channel_id: int,
        text: str,
        alert_id: int,
        posted: list[discord.Message] | None = None,
    ) -> bool:
        """Post a possible-concern item with its buttons (no pings); a refusal raises."""
        channel = await find_channel(self.bot, channel_id, strict=True)
        if channel is None:
            raise LookupError("channel gone or hidden")
        sent = await channel.send(
            text, view=alert_view(alert_id), allowed_mentions=discord.AllowedMentions.none()
        )
        await self._remember_card(alert_id, sent)
        if posted is not None:
            posted.append(sent)
        return True

    async def _alert_moderators(
        self,
        message: discord.Message,
        result: Assessment,
        outreach: Outreach = "reply",
        posted: list[discord.Message] | None = None,
        *,
        nobody_on_duty: bool = False,
    ) -> bool:
        """The moderators' report (a tier 3, harassment, or a crisis no one on duty can act
        on); no mentions."""
        assert message.guild is not None
        sent = await self._tell_moderators(
            message.guild.id,
            moderator_text(
                message,
                result.label,
                outreach,
                tier=result.tier,
                nobody_on_duty=nobody_on_duty,
            ),
        )
        if sent is None:
            return False
        if posted is not None:
            posted.append(sent)
        return True

    async def _say_dms_closed(self, posted: list[discord.Message]) -> None:
        """The alerts and reports just posted said Kindred was messaging the member, whose DMs
        turned out closed: each now says Kindred couldn't reach them (read afresh, so a peer's
        "I'll reach out" line stays). A failure here is logged: the alert is out already."""
        for sent in posted:
            try:
                card = await sent.channel.fetch_message(sent.id)
                content = dms_closed_text(card.content)
                if content != card.content:
                    await card.edit(content=content)
            except discord.HTTPException as exc:
                log.warning("safety: an alert could not say the DMs are closed (%s)", exc.status)
