"""Members a moderator has stopped from opening peer requests.

A block or unblock and its audit entry are written in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db.connection import Database
from bot.db.repositories.core import write_audit


@dataclass(frozen=True)
class BlockRow:
    user_id: int
    reason: str | None
    blocked_by: int | None
    created_at: datetime


class BlockRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def block(
        self, guild_id: int, user_id: int, reason: str | None, by: int, now: datetime
    ) -> None:
        """Block (or re-block with a new reason), audited as ``peers.block`` by ``by`` with the
        member and the reason (when one was given)."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO support_blocks (guild_id, user_id, reason, blocked_by, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, user_id) DO UPDATE SET"
                " reason = excluded.reason, blocked_by = excluded.blocked_by",
                (guild_id, user_id, reason, by, to_db(now)),
            )
            detail: dict[str, object] = {"member": user_id}
            if reason:
                detail["reason"] = reason
            await write_audit(tx, guild_id, by, "peers.block", detail, now)

    async def unblock(self, guild_id: int, user_id: int, by: int, now: datetime) -> bool:
        """Lift a block, audited as ``peers.unblock``; False (and no entry) if there was none."""
        async with self.db.transaction() as tx:
            removed = await tx.execute(
                "DELETE FROM support_blocks WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
            if removed:
                await write_audit(tx, guild_id, by, "peers.unblock", {"member": user_id}, now)
        return bool(removed)

    async def is_blocked(self, guild_id: int, user_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT 1 FROM support_blocks WHERE guild_id = ? AND user_id = ?",
                (guild_id, user_id),
            )
        )

    async def in_guild(self, guild_id: int) -> list[BlockRow]:
        """The server's blocks, the latest first."""
        rows = await self.db.fetchall(
            "SELECT user_id, reason, blocked_by, created_at FROM support_blocks"
            " WHERE guild_id = ? ORDER BY created_at DESC, user_id",
            (guild_id,),
        )
        return [
            BlockRow(r["user_id"], r["reason"], r["blocked_by"], from_db(r["created_at"]))
            for r in rows
        ]
