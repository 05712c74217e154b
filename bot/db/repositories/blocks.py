"""Members a moderator has stopped from opening peer requests."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.db.connection import Database


class BlockRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def block(
        self, guild_id: int, user_id: int, reason: str | None, by: int, now: datetime
    ) -> None:
        await self.db.execute(
            "INSERT INTO support_blocks (guild_id, user_id, reason, blocked_by, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
            " reason = excluded.reason, blocked_by = excluded.blocked_by",
            (guild_id, user_id, reason, by, to_db(now)),
        )

    async def unblock(self, guild_id: int, user_id: int) -> bool:
        return bool(
            await self.db.execute(
                "DELETE FROM support_blocks WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        )

    async def is_blocked(self, guild_id: int, user_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM support_blocks WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        )
