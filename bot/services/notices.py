"""Telling moderators of a channel refusing Kindred once per while, remembered in the database
(so a restart doesn't repeat a report), or in memory when no table is given (a bare service in
a test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.notices import ModeratorNoticeRepository


@dataclass
class ModeratorNotices:
    repo: ModeratorNoticeRepository | None = None
    clock: Clock = utcnow
    _memory: dict[tuple[str, int, int], datetime] = field(default_factory=dict)

    async def first_in(self, kind: str, guild_id: int, channel_id: int, every: timedelta) -> bool:
        """Whether to tell the moderators of ``kind`` in this channel now: not when they were
        told less than ``every`` ago; a yes is remembered."""
        now = self.clock()
        if self.repo is not None:
            return await self.repo.tell_once(kind, guild_id, channel_id, now, every)
        told = self._memory.get((kind, guild_id, channel_id))
        if told is not None and now - told < every:
            return False
        self._memory[(kind, guild_id, channel_id)] = now
        return True
