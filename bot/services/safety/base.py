"""What every part of the safety service shares: its stores, collaborators and clock."""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository
from bot.db.repositories.safety import SafetyRepository
from bot.services.once import OnceService
from bot.services.peers.duty import DutyService
from bot.services.safety.model import SafetySettings
from bot.services.settings import GuildSettingsService
from bot.timers import Scheduler

if TYPE_CHECKING:
    from bot.services.requests import RequestService


class SafetyBase:
    def __init__(
        self,
        repo: SafetyRepository,
        prefs: MemberPrefsRepository,
        settings: GuildSettingsService,
        clock: Clock = utcnow,
        *,
        scheduler: Scheduler,
        duty: DutyService,
        requests: RequestService,
        once: OnceService | None = None,
    ) -> None:
        self.repo = repo
        self.prefs = prefs
        self.settings = settings
        self.clock = clock
        self.scheduler = scheduler
        self.duty = duty
        self.requests = requests
        self.once = once
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._recent: dict[tuple[int, int, int], deque] = {}
        # (guild, channel) -> when the moderators were told it refuses peer alerts: in this
        # process only (a guild's alerts are posted by the process owning its shard)
        self._refusals_told: dict[tuple[int, int], datetime] = {}

    async def config(self, guild_id: int) -> SafetySettings:
        return await self.settings.get(guild_id, SafetySettings)
