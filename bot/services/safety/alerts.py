"""Alerts for people who can help: where they go, who is pinged, what they record.

An alert stores its sources (phrase ids, model version) so peers' "not a concern" marks
measure the detector's precision; never the message text.
"""

from __future__ import annotations

from datetime import timedelta

from bot.db.repositories.safety import AlertRow
from bot.errors import ConflictError, KindredError, NotFoundError, PermissionDeniedError
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.safety.base import SafetyBase
from bot.services.safety.model import (
    COPY_CHARS,
    REFUSAL_TOLD_EVERY,
    AlertChannels,
    AlertRefusal,
    Outreach,
    PeerAlert,
    SourcePrecision,
)
from bot.text import shorten

ALERT_REFUSED = "safety.alert_refused"
MODERATOR_CHANNEL_REFUSED = "safety.moderator_channel_refused"


def alert_missing() -> NotFoundError:
    return NotFoundError(N_("This alert isn't from this server, or its record has expired."))


class AlertsMixin(SafetyBase):
    async def alert_channels(self, guild_id: int) -> AlertChannels:
        """The safety settings' alert channels, else peer support's peer / moderator channel."""
        cfg = await self.config(guild_id)
        peers = await self.settings.get(guild_id, PeerSettings)
        return AlertChannels(
            peers=cfg.peer_alert_channel_id or peers.peer_channel_id,
            moderators=cfg.mod_alert_channel_id or peers.mod_channel_id,
        )

    async def alert_refused(self, guild_id: int, channel_id: int) -> AlertRefusal:
        """A channel refused a peer alert: no retry will change that, so it goes at once to the
        peer channel from /peers setup when that is another channel, and the moderators are
        told how to fix it (once per channel per :data:`REFUSAL_TOLD_EVERY`, not per alert)."""
        cfg = await self.config(guild_id)
        peer_channel = (await self.settings.get(guild_id, PeerSettings)).peer_channel_id
        tell = await self.notices.first_in(ALERT_REFUSED, guild_id, channel_id, REFUSAL_TOLD_EVERY)
        return AlertRefusal(
            fallback_channel_id=peer_channel if peer_channel != channel_id else None,
            chosen=cfg.peer_alert_channel_id == channel_id,
            tell_moderators=tell,
        )

    async def moderator_channel_refused(self, guild_id: int, channel_id: int) -> AlertRefusal:
        """A channel refused a moderators' report (a tier 3, harassment, a refusal notice):
        as for a peer alert, it goes at once to the moderator channel from /peers setup when
        that is another channel, and the moderators are told there how to fix it (once per
        channel per :data:`REFUSAL_TOLD_EVERY`, not per report)."""
        cfg = await self.config(guild_id)
        mod_channel = (await self.settings.get(guild_id, PeerSettings)).mod_channel_id
        fallback = mod_channel if mod_channel != channel_id else None
        tell = fallback is not None and await self.notices.first_in(
            MODERATOR_CHANNEL_REFUSED, guild_id, channel_id, REFUSAL_TOLD_EVERY
        )
        return AlertRefusal(
            fallback_channel_id=fallback,
            chosen=cfg.mod_alert_channel_id == channel_id,
            tell_moderators=tell,
        )

    async def peers_ready(self, guild_id: int, member_id: int | None = None) -> bool:
        """Peer support is set up here (so a reply may offer "talk to a peer"); with
        ``member_id``, and that member may ask here: one the moderators blocked from peer
        requests is offered no button whose form could only be refused once they had
        written what is going on (they keep the lines)."""
        if not (await self.settings.get(guild_id, PeerSettings)).configured:
            return False
        return member_id is None or await self.requests.may_ask(guild_id, member_id)

    async def alert_pings(self, guild_id: int, member_id: int | None) -> list[int]:
        """Exactly the on-duty peers: never the member the alert is about. ``member_id`` None
        (an anonymous post): every on-duty peer, its author too if they are on duty, so that
        who is pinged never depends on who wrote it (one name missing would give them away)."""
        return [r.user_id for r in await self.duty.on_duty(guild_id) if r.user_id != member_id]

    async def open_peer_alert(
        self,
        guild_id: int,
        *,
        peer_channel_id: int,
        member_id: int,
        channel_id: int,
        jump_url: str,
        tier: int,
        content: str,
        phrase_ids: tuple[str, ...] = (),
        model_version: str = "",
        sources: tuple[str, ...] = (),
        outreach: Outreach = "reply",
        event_id: int | None = None,
    ) -> PeerAlert:
        """Record a peer alert and say what to post. The model is credited only when it was
        one of the detector's sources; the text is copied only if the guild turned that on.
        ``outreach`` (the decision's) is what the alert says of Kindred's private reply."""
        cfg = await self.config(guild_id)
        alert_id = await self.record_alert(
            guild_id,
            member_id,
            tier,
            level="alert",
            phrase_ids=phrase_ids,
            model_version=model_version if "model" in sources else "",
        )
        # A long message is shortened visibly ("…") after a word; the alert's jump link has it all.
        copy = shorten(content.replace("\n", " "), COPY_CHARS) if cfg.copy_content else ""
        return PeerAlert(
            guild_id=guild_id,
            alert_id=alert_id,
            peer_channel_id=peer_channel_id,
            member_id=member_id,
            channel_id=channel_id,
            jump_url=jump_url,
            tier=tier,
            copy=copy,
            outreach=outreach,
            event_id=event_id,
        )

    async def record_quiet_item(
        self,
        guild_id: int,
        member_id: int,
        *,
        phrase_ids: tuple[str, ...] = (),
        model_version: str = "",
    ) -> int:
        """A "possible concern" item for peers (the soft level, no tier): its alert id."""
        return await self.record_alert(
            guild_id,
            member_id,
            0,
            level="soft",
            phrase_ids=phrase_ids,
            model_version=model_version,
        )

    async def record_alert(
        self,
        guild_id: int,
        user_id: int,
        tier: int,
        *,
        level: str = "alert",
        phrase_ids: tuple[str, ...] = (),
        model_version: str = "",
    ) -> int:
        """Store an alert with the sources that raised it (phrase ids, model version)."""
        sources = tuple(f"phrase:{p}" for p in dict.fromkeys(phrase_ids))
        if model_version:
            sources += (f"model:{model_version}",)
        return await self.repo.add_alert(
            guild_id, user_id, tier, self.clock(), level=level, sources=sources
        )

    async def reach_out(
        self, alert_id: int, responder_id: int, guild_id: int | None = None
    ) -> None:
        """A peer presses "I'll reach out" on an open alert and is recorded as its responder.
        With ``guild_id``, another guild's alert is treated as missing. Refused (typed errors)
        for the person the alert is about, and once someone took it or marked it."""
        alert = await self._alert_to_act_on(alert_id, guild_id, responder_id)
        if not await self.repo.take_alert(alert.id, alert.guild_id, responder_id):
            raise await self._acted_already(alert.id, responder_id, taking=True)

    async def not_a_concern(self, alert_id: int, guild_id: int, peer_id: int) -> None:
        """A peer marks an open alert "not a concern": counted per source, never the text.
        Refused like ``reach_out``: never by the person it is about, never once taken."""
        alert = await self._alert_to_act_on(alert_id, guild_id, peer_id)
        if not await self.repo.dismiss_alert(alert.id, alert.guild_id, peer_id):
            raise await self._acted_already(alert.id, peer_id, taking=False)

    async def _alert_to_act_on(self, alert_id: int, guild_id: int | None, peer_id: int) -> AlertRow:
        alert = await self.repo.get_alert(alert_id)
        if alert is None or (guild_id is not None and alert.guild_id != guild_id):
            raise alert_missing()
        if alert.user_id == peer_id:
            # Their own alert stays open for the others: someone else reaches out to them, and
            # their own "not a concern" would not be a peer's judgement of the detector.
            raise PermissionDeniedError(
                N_(
                    "This alert is about you, so it stays open for another peer. Be gentle with "
                    "yourself; /support is there whenever you'd like to talk."
                )
            )
        return alert

    async def _acted_already(self, alert_id: int, peer_id: int, *, taking: bool) -> KindredError:
        """Why a take or a mark changed nothing: someone acted first (perhaps a moment ago)."""
        alert = await self.repo.get_alert(alert_id)
        if alert is None:
            return alert_missing()
        if alert.responder_id is not None:
            if alert.responder_id == peer_id:
                return ConflictError(N_("You're already reaching out on this one. Thank you."))
            if taking:
                return ConflictError(
                    N_("<@{peer}> is already reaching out. Thank you."), peer=alert.responder_id
                )
            return ConflictError(
                N_("<@{peer}> is already reaching out, so this one stays with them. Thank you."),
                peer=alert.responder_id,
            )
        if alert.dismissed_by is not None:
            if alert.dismissed_by == peer_id:
                return ConflictError(N_("You already marked this one not a concern."))
            if taking:
                return ConflictError(
                    N_(
                        "<@{peer}> already marked this one not a concern. If you're still "
                        "worried about them, tell the team here."
                    ),
                    peer=alert.dismissed_by,
                )
            return ConflictError(
                N_("<@{peer}> already marked this one not a concern."), peer=alert.dismissed_by
            )
        # Someone acted and later used /forgetme: who is gone, that they acted is not.
        if alert.state == "taken":
            if taking:
                return ConflictError(N_("A peer already took this one. Thank you."))
            return ConflictError(
                N_("A peer already took this one, so it stays with them. Thank you.")
            )
        if alert.state == "dismissed":
            if taking:
                return ConflictError(
                    N_(
                        "A peer already marked this one not a concern. If you're still worried "
                        "about them, tell the team here."
                    )
                )
            return ConflictError(N_("A peer already marked this one not a concern."))
        return alert_missing()

    async def precision(self, guild_id: int) -> list[SourcePrecision]:
        """Per source, for /safety status: alerts raised, taken and marked not a concern.
        Measured precision is over the reviewed ones only (``SourcePrecision.precision``):
        an alert nobody looked at is not counted as right."""
        return [SourcePrecision(*row) for row in await self.repo.feedback(guild_id)]

    async def counts(self, guild_id: int, days: int = 30) -> dict[str, int]:
        return await self.repo.counts(guild_id, self.clock() - timedelta(days=days))
