"""When the moderators were last told of a channel refusing Kindred (ids and a time only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import to_db
from bot.db.connection import Database


class ModeratorNoticeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def tell_once(
        self, kind: str, guild_id: int, channel_id: int, now: datetime, every: timedelta
    ) -> bool:
        """True (and ``now`` stored) unless the moderators were told of ``kind`` for this
        channel less than ``every`` ago; one statement, so two callers can't both be told."""
        return bool(
            await self.db.execute(
                "INSERT INTO moderator_notices (kind, guild_id, channel_id, told_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (kind, guild_id, channel_id)"
                " DO UPDATE SET told_at = excluded.told_at"
                " WHERE moderator_notices.told_at <= ?",
                (kind, guild_id, channel_id, to_db(now), to_db(now - every)),
            )
        )
