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
- possible concern (the soft level: the classifier or a low-confidence signal, printed as
  ``distress`` by ``python -m bot detect``): a gentle private check-in and a quiet item in the
  peer channel (no pings, no moderators) that a peer can take or mark "not a concern".
- plain distress: nothing, unless the guild turned on the gentle pointer to peer support.
- harassment: a moderator alert only, at most once per channel cooldown.
- needs (respite, warmline, peer) ride along with any reply; on their own they get a private
  answer with those resources, without crisis lines.

The member's recent risk in a channel (scores only, never text, in memory for
``CONTEXT_MINUTES``) lets a farewell after earlier distress reach the alert level.
"""

from __future__ import annotations

import asyncio
from collections import deque
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
LANG_KEY = "lang"
LANGUAGES = ("en", "es", "fr", "de", "pt")
CONTEXT_MINUTES = 10
CONTEXT_KEEP = 5
NEEDS = ("respite", "warmline", "peer")


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
    soft_replies: bool = True
    peer_items: bool = True
    needs_replies: bool = True


ReplyKind = Literal["crisis", "concern_other", "possible_concern", "distress", "needs", None]


@dataclass(frozen=True)
class Decision:
    reply: ReplyKind = None
    channel_fallback: bool = False
    alert_peers: bool = False
    alert_moderators: bool = False
    quiet_item: bool = False  # a "possible concern" item for peers: no pings
    tier: int = 0
    label: str = "none"
    needs: tuple[str, ...] = ()
    event_id: int | None = None

    @property
    def acts(self) -> bool:
        return bool(self.reply or self.alert_peers or self.alert_moderators or self.quiet_item)


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
        self._recent: dict[tuple[int, int, int], deque] = {}

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
        possible_concern: bool = False,
        needs: tuple[str, ...] | list[str] = (),
    ) -> Decision:
        """Decide and record (metadata only) what to do about one detected message.

        ``possible_concern`` marks a ``distress`` label that is really a low-confidence crisis
        or concern signal (the soft level); ``needs`` are resources the member asked for.
        """
        needs = tuple(n for n in needs if n in NEEDS)
        if label == "none" and not needs:
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
            return await self._decide(
                cfg, guild_id, channel_id, user_id, label, tier, possible_concern, needs
            )

    # -- context: recent risk per member and channel, in memory, scores only ---------------
    def context_risk(self, guild_id: int, channel_id: int, user_id: int) -> float:
        """The highest risk score of the member's recent messages in this channel."""
        recent = self._recent.get((guild_id, channel_id, user_id))
        if not recent:
            return 0.0
        since = self.clock() - timedelta(minutes=CONTEXT_MINUTES)
        return max((risk for at, risk in recent if at >= since), default=0.0)

    def remember_risk(self, guild_id: int, channel_id: int, user_id: int, risk: float) -> None:
        key = (guild_id, channel_id, user_id)
        if risk <= 0.0 and key not in self._recent:
            return
        if len(self._recent) > 20_000:  # bounded: keep only the last few minutes' keys
            since = self.clock() - timedelta(minutes=CONTEXT_MINUTES)
            self._recent = {k: v for k, v in self._recent.items() if v and v[-1][0] >= since}
        self._recent.setdefault(key, deque(maxlen=CONTEXT_KEEP)).append((self.clock(), risk))

    def forget_context(self, user_id: int) -> None:
        self._recent = {k: v for k, v in self._recent.items() if k[2] != user_id}

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
        possible_concern: bool = False,
        needs: tuple[str, ...] = (),
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
        elif label == "distress" and possible_concern:
            replied = await self.repo.last_for_user(guild_id, user_id, member_since, replied=True)
            alerted = await self.repo.last_for_user(guild_id, user_id, member_since, alerted=True)
            wants_reply = cfg.soft_replies and replied is None and not await self.opted_out(user_id)
            decision = Decision(
                reply="possible_concern" if wants_reply else None,
                quiet_item=cfg.peer_items and alerted is None,
                label=label,
            )
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
        if needs and cfg.needs_replies:
            if decision.reply is not None:
                decision = replace(decision, needs=needs)
            elif label != "harassment":
                asked = await self.repo.last_for_user(
                    guild_id, user_id, member_since, replied=True, labels=("needs",)
                )
                if asked is None:
                    decision = replace(decision, reply="needs", needs=needs)
                    label = "needs" if label == "none" else label
        if label == "none":
            return NOTHING
        event_id = await self.repo.add_event(
            guild_id,
            channel_id,
            user_id,
            label,
            tier,
            replied=decision.reply is not None,
            alerted=decision.alert_peers or decision.alert_moderators or decision.quiet_item,
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

    async def purge(self, days: int) -> int:
        return await self.repo.purge_before(self.clock() - timedelta(days=days))

    async def forget(self, user_id: int) -> int:
        self.forget_context(user_id)
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

    # -- language ----------------------------------------------------------------------------
    async def language_for(self, user_id: int, detected: str | None = None) -> str:
        """The member's chosen language, else the detected one, else English."""
        mine = await self.prefs.get(user_id, LANG_KEY)
        if mine in LANGUAGES:
            return str(mine)
        return detected if detected in LANGUAGES else "en"

    async def set_language(self, user_id: int, code: str) -> str:
        code = code.strip().lower()[:5].split("-")[0]
        if code not in LANGUAGES:
            raise InvalidInputError("Languages: " + ", ".join(LANGUAGES) + ".")
        await self.prefs.set(user_id, LANG_KEY, code, self.clock())
        return code

    async def clear_language(self, user_id: int) -> None:
        await self.prefs.delete(user_id, LANG_KEY)

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
