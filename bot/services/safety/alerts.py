"""Alerts for people who can help: where they go, who is pinged, what they record.

An alert stores its sources (phrase ids, model version) so peers' "not a concern" marks
measure the detector's precision; never the message text.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services.peers import PeerSettings
from bot.services.safety.base import SafetyBase
from bot.services.safety.model import COPY_CHARS, AlertChannels, PeerAlert


class AlertsMixin(SafetyBase):
    async def alert_channels(self, guild_id: int) -> AlertChannels:
        """The safety settings' alert channels, else peer support's peer / moderator channel."""
        cfg = await self.config(guild_id)
        peers = await self.settings.get(guild_id, PeerSettings)
        return AlertChannels(
            peers=cfg.peer_alert_channel_id or peers.peer_channel_id,
            moderators=cfg.mod_alert_channel_id or peers.mod_channel_id,
        )

    async def peers_ready(self, guild_id: int) -> bool:
        """Peer support is set up here (so a reply may offer "talk to a peer")."""
        return (await self.settings.get(guild_id, PeerSettings)).configured

    async def alert_pings(self, guild_id: int, member_id: int) -> list[int]:
        """Exactly the on-duty peers: never the member the alert is about."""
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
    ) -> PeerAlert:
        """Record a peer alert and say what to post. The model is credited only when it was
        one of the detector's sources; the text is copied only if the guild turned that on."""
        cfg = await self.config(guild_id)
        alert_id = await self.record_alert(
            guild_id,
            member_id,
            tier,
            level="alert",
            phrase_ids=phrase_ids,
            model_version=model_version if "model" in sources else "",
        )
        copy = content[:COPY_CHARS].replace("\n", " ") if cfg.copy_content else ""
        return PeerAlert(
            guild_id=guild_id,
            alert_id=alert_id,
            peer_channel_id=peer_channel_id,
            member_id=member_id,
            channel_id=channel_id,
            jump_url=jump_url,
            tier=tier,
            copy=copy,
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
    ) -> tuple[bool, int | None]:
        return await self.repo.take_alert(alert_id, responder_id, guild_id)

    async def not_a_concern(self, alert_id: int, guild_id: int, peer_id: int) -> str:
        """A peer marks an alert "not a concern": counted per source, never the text."""
        return await self.repo.dismiss_alert(alert_id, guild_id, peer_id)

    async def precision(self, guild_id: int) -> list[tuple[str, int, int, float]]:
        """(source, alerts, not a concern, measured precision) for /safety status."""
        return [
            (source, alerts, dismissed, (alerts - dismissed) / alerts if alerts else 1.0)
            for source, alerts, dismissed in await self.repo.feedback(guild_id)
        ]

    async def counts(self, guild_id: int, days: int = 30) -> dict[str, int]:
        return await self.repo.counts(guild_id, self.clock() - timedelta(days=days))
