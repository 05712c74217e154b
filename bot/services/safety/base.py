"""What every part of the safety service shares: its stores, collaborators and clock."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.clock import Clock, utcnow
from bot.db.repositories.core import MemberPrefsRepository
from bot.db.repositories.requests import RequestRow
from bot.db.repositories.safety import SafetyRepository
from bot.services.notices import ModeratorNotices
from bot.services.once import OnceService
from bot.services.peers.duty import DutyService
from bot.services.safety.model import SafetySettings
from bot.services.settings import GuildSettingsService
from bot.timers import Scheduler


class Conversations(Protocol):
    """What safety asks of the support requests (``RequestService`` answers it): whether a
    message is said inside a support conversation. A protocol, so the safety service never
    imports the requests service (``tests/unit/test_layers.py``)."""

    async def live_anywhere(self, requester_id: int) -> list[RequestRow]: ...

    async def by_thread(self, thread_id: int) -> RequestRow | None: ...

    async def may_ask(self, guild_id: int, requester_id: int) -> bool: ...


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
        requests: Conversations,
        once: OnceService | None = None,
        notices: ModeratorNotices | None = None,
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
        # when the moderators were told a channel refuses peer alerts: stored, so a restart
        # doesn't tell them again (in memory when no table is given)
        self.notices = notices or ModeratorNotices(clock=clock)
        # has the server removed Kindred? (``ServerPresence.is_departed``, set when wired)
        self.server_away: Callable[[int], Awaitable[bool]] | None = None
        # whether the Safety cog's listener reads DMs (set at its load, unset at its unload)
        self.reading_dms = False

    async def config(self, guild_id: int) -> SafetySettings:
        return await self.settings.get(guild_id, SafetySettings)
