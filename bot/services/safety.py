"""What Kindred does when the detector notices risk: reply privately, alert peers, or nothing.

The detector (``bot.safety``) says *what* a message signals; this service decides *what to do*
from the guild's settings, the member's own choice (opt-out), exclusions and cooldowns, so a
hard conversation never turns into a wall of bot replies. It never punishes, deletes or exposes
the member, and it records only metadata (guild, channel, member, label, tier, time).

Decisions:
- crisis_self: private reply (unless the member opted out or was answered within the member
  cooldown) and an alert to on-duty peers (unless alerted within the cooldown, which a higher
  tier than the last alert breaks); tier 3 also alerts moderators.
- concern_other: private reply on helping a friend; no alert.
- distress: nothing, unless the guild turned on the gentle pointer to peer support.
- harassment: a moderator alert only, at most once per channel cooldown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository
from bot.db.repositories.safety import SafetyRepository
from bot.services.settings import GuildSettingsService, SettingsSection

OPT_OUT_KEY = "safety.optout"


class SafetySettings(SettingsSection):
    section: ClassVar[str] = "safety"
    title: ClassVar[str] = "Crisis resources"

    enabled: bool = True
    reply_mode: Literal["dm_then_channel", "dm_only"] = "dm_then_channel"
    fallback_delete_seconds: int = Field(120, ge=10, le=3600)
    member_cooldown_minutes: int = Field(30, ge=0, le=1440)
    channel_cooldown_minutes: int = Field(30, ge=0, le=1440)
    excluded_channel_ids: list[int] = Field(default_factory=list)
    excluded_role_ids: list[int] = Field(default_factory=list)
    peer_alert_channel_id: int | None = None
    mod_alert_channel_id: int | None = None
    copy_content: bool = False
    distress_pointer: bool = False


@dataclass(frozen=True)
class Decision:
    reply: Literal["crisis", "concern_other", "distress", None] = None
    channel_fallback: bool = False
    alert_peers: bool = False
    alert_moderators: bool = False
    tier: int = 0
    label: str = "none"

    @property
    def acts(self) -> bool:
        return bool(self.reply or self.alert_peers or self.alert_moderators)


NOTHING = Decision()


class SafetyService:
    def __init__(
        self,
        repo: SafetyRepository,
        prefs: MemberPrefsRepository,
        settings: GuildSettingsService,
        clock: Clock = utcnow,
    ) -> None:
        self.repo = repo
        self.prefs = prefs
        self.settings = settings
        self.clock = clock

    async def config(self, guild_id: int) -> SafetySettings:
        return await self.settings.get(guild_id, SafetySettings)

    async def opted_out(self, user_id: int) -> bool:
        return bool(await self.prefs.get(user_id, OPT_OUT_KEY))

    async def set_opt_out(self, user_id: int, value: bool) -> None:
        if value:
            await self.prefs.set(user_id, OPT_OUT_KEY, True, self.clock())
        else:
            await self.prefs.delete(user_id, OPT_OUT_KEY)

    async def assess(
        self,
        *,
        guild_id: int,
        channel_id: int,
        parent_channel_id: int | None,
        user_id: int,
        role_ids: list[int],
        label: str,
        tier: int,
    ) -> Decision:
        """Decide and record (metadata only) what to do about one detected message."""
        if label == "none":
            return NOTHING
        cfg = await self.config(guild_id)
        if not cfg.enabled:
            return NOTHING
        excluded = set(cfg.excluded_channel_ids)
        if channel_id in excluded or (
            parent_channel_id is not None and parent_channel_id in excluded
        ):
            return NOTHING
        if set(role_ids) & set(cfg.excluded_role_ids):
            return NOTHING
        now = self.clock()
        member_since = now - timedelta(minutes=cfg.member_cooldown_minutes)
        channel_since = now - timedelta(minutes=cfg.channel_cooldown_minutes)
        decision = NOTHING
        if label == "crisis_self":
            replied = await self.repo.last_for_user(guild_id, user_id, member_since, replied=True)
            alerted = await self.repo.last_for_user(guild_id, user_id, member_since, alerted=True)
            wants_reply = replied is None and not await self.opted_out(user_id)
            channel_busy = await self.repo.last_in_channel(guild_id, channel_id, channel_since)
            decision = Decision(
                reply="crisis" if wants_reply else None,
                channel_fallback=cfg.reply_mode == "dm_then_channel" and channel_busy is None,
                alert_peers=alerted is None or tier > alerted.tier,
                alert_moderators=tier >= 3 and (alerted is None or tier > alerted.tier),
                tier=tier,
                label=label,
            )
        elif label == "concern_other":
            replied = await self.repo.last_for_user(guild_id, user_id, member_since, replied=True)
            if replied is None and not await self.opted_out(user_id):
                decision = Decision(reply="concern_other", label=label)
        elif label == "distress":
            replied = await self.repo.last_for_user(guild_id, user_id, member_since, replied=True)
            if cfg.distress_pointer and replied is None and not await self.opted_out(user_id):
                decision = Decision(reply="distress", label=label)
        elif label == "harassment":
            recent = await self.repo.last_in_channel(
                guild_id, channel_id, channel_since, label="harassment"
            )
            if recent is None:
                decision = Decision(alert_moderators=True, label=label)
        await self.repo.add_event(
            guild_id,
            channel_id,
            user_id,
            label,
            tier,
            replied=decision.reply is not None,
            alerted=decision.alert_peers or decision.alert_moderators,
            now=now,
        )
        return decision

    async def record_alert(self, guild_id: int, user_id: int, tier: int) -> int:
        return await self.repo.add_alert(guild_id, user_id, tier, self.clock())

    async def reach_out(self, alert_id: int, responder_id: int) -> tuple[bool, int | None]:
        return await self.repo.take_alert(alert_id, responder_id)

    async def counts(self, guild_id: int, days: int = 30) -> dict[str, int]:
        return await self.repo.counts(guild_id, self.clock() - timedelta(days=days))

    async def purge(self, days: int) -> int:
        return await self.repo.purge_before(self.clock() - timedelta(days=days))

    async def forget(self, user_id: int) -> int:
        return await self.repo.delete_user(user_id)
