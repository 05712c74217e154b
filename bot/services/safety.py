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

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository
from bot.db.repositories.safety import GuildResource, SafetyRepository
from bot.errors import InvalidInputError, NotFoundError
from bot.services.resources import Kind, ResourceEntry, normalize_region
from bot.services.settings import CoreSettings, GuildSettingsService, SettingsSection

OPT_OUT_KEY = "safety.optout"
REGION_KEY = "region"
MAX_GUILD_RESOURCES = 25
GUILD_RESOURCE_KINDS = ("crisis_line", "warmline", "respite", "referral", "directory")


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
    event_id: int | None = None

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
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}

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
        # One member's burst of messages arrives as concurrent tasks: decide them one at a
        # time, so the second sees the first and the cooldown holds.
        async with self._lock_for(guild_id, user_id):
            return await self._decide(cfg, guild_id, channel_id, user_id, label, tier)

    def _lock_for(self, guild_id: int, user_id: int) -> asyncio.Lock:
        key = (guild_id, user_id)
        if key not in self._locks:
            if len(self._locks) > 10_000:  # bounded: drop idle locks
                self._locks = {k: v for k, v in self._locks.items() if v.locked()}
            self._locks[key] = asyncio.Lock()
        return self._locks[key]

    async def _decide(
        self,
        cfg: SafetySettings,
        guild_id: int,
        channel_id: int,
        user_id: int,
        label: str,
        tier: int,
    ) -> Decision:
        now = self.clock()
        member_since = now - timedelta(minutes=cfg.member_cooldown_minutes)
        channel_since = now - timedelta(minutes=cfg.channel_cooldown_minutes)
        decision = NOTHING
        if label == "crisis_self":
            # Only an earlier crisis reply holds back the crisis lines: a gentle pointer or
            # a how-to-help-a-friend reply must never silence them.
            replied = await self.repo.last_for_user(
                guild_id, user_id, member_since, replied=True, labels=("crisis_self",)
            )
            alerted = await self.repo.last_for_user(guild_id, user_id, member_since, alerted=True)
            wants_reply = replied is None and not await self.opted_out(user_id)
            noted = await self.repo.last_in_channel(guild_id, channel_id, channel_since, noted=True)
            decision = Decision(
                reply="crisis" if wants_reply else None,
                channel_fallback=cfg.reply_mode == "dm_then_channel" and noted is None,
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
        event_id = await self.repo.add_event(
            guild_id,
            channel_id,
            user_id,
            label,
            tier,
            replied=decision.reply is not None,
            alerted=decision.alert_peers or decision.alert_moderators,
            now=now,
        )
        return replace(decision, event_id=event_id)

    async def record_outcome(
        self, decision: Decision, *, replied: bool, alerted: bool, noted: bool
    ) -> None:
        """What really reached people: a DM that bounced must not hold back the next one."""
        if decision.event_id is not None:
            await self.repo.set_outcome(
                decision.event_id, replied=replied, alerted=alerted, noted=noted
            )

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

    # -- regions -------------------------------------------------------------------------
    async def region_for(self, guild_id: int | None, user_id: int) -> str | None:
        """The member's own region, else the guild's default, else unknown."""
        mine = await self.prefs.get(user_id, REGION_KEY)
        if mine:
            return str(mine)
        if guild_id is None:
            return None
        return (await self.settings.get(guild_id, CoreSettings)).default_region

    async def set_region(self, user_id: int, text: str) -> str:
        region = normalize_region(text)
        await self.prefs.set(user_id, REGION_KEY, region, self.clock())
        return region

    async def clear_region(self, user_id: int) -> None:
        await self.prefs.delete(user_id, REGION_KEY)

    # -- guild-local resources -----------------------------------------------------------------
    async def add_resource(
        self,
        guild_id: int,
        *,
        name: str,
        kind: str,
        contact: str,
        region: str,
        hours: str,
        source_url: str | None,
        actor_id: int,
    ) -> ResourceEntry:
        if kind not in GUILD_RESOURCE_KINDS:
            raise InvalidInputError("Kind must be one of: " + ", ".join(GUILD_RESOURCE_KINDS))
        name, contact = name.strip()[:100], contact.strip()[:200]
        if not name or not contact:
            raise InvalidInputError("A resource needs a name and a way to reach it.")
        if source_url and not source_url.startswith(("https://", "http://")):
            raise InvalidInputError("The source must be a web address (https://…).")
        if len(await self.repo.resources(guild_id)) >= MAX_GUILD_RESOURCES:
            raise InvalidInputError(
                f"This server has {MAX_GUILD_RESOURCES} local resources; remove one first."
            )
        code = "*" if region.strip() in ("", "*") else normalize_region(region)
        row_id = await self.repo.add_resource(
            guild_id,
            name,
            kind,
            contact,
            code,
            hours.strip()[:100],
            source_url,
            actor_id,
            self.clock(),
        )
        return _entry(
            GuildResource(
                row_id, guild_id, name, kind, contact, code, hours, source_url, self.clock()
            )
        )

    async def remove_resource(self, guild_id: int, resource_id: int) -> None:
        if not await self.repo.remove_resource(guild_id, resource_id):
            raise NotFoundError(f"There is no local resource #{resource_id} here.")

    async def guild_resources(self, guild_id: int | None) -> list[ResourceEntry]:
        if guild_id is None:
            return []
        return [_entry(row) for row in await self.repo.resources(guild_id)]


def _entry(row: GuildResource) -> ResourceEntry:
    return ResourceEntry.guild_local_entry(
        row_id=row.id,
        name=row.name,
        kind=Kind(row.kind),
        contact=row.contact,
        region=row.region,
        hours=row.hours,
        source_url=row.source_url,
        added_on=row.created_at.date(),
    )
