"""Handled Discord events: which process handles an event that reached two (issue #14)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import to_db
from bot.db.connection import Database


class HandledEventRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, kind: str, event_id: int, now: datetime) -> bool:
        """True for the first caller only: the event is this caller's to handle."""
        return bool(
            await self.db.execute(
                "INSERT INTO handled_events (kind, event_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (kind, event_id, to_db(now)),
            )
        )

    async def claimed(self, kind: str, event_id: int) -> bool:
        """Whether ``event_id`` (of ``kind``) was claimed (and not released or purged)."""
        return bool(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM handled_events WHERE kind = ? AND event_id = ?",
                (kind, event_id),
            )
        )

    async def release(self, kind: str, event_id: int) -> None:
        """Give a claim back (its handling failed, so it may be tried again)."""
        await self.db.execute(
            "DELETE FROM handled_events WHERE kind = ? AND event_id = ?", (kind, event_id)
        )

    async def hold(self, *key: str | int) -> Callable[[], Awaitable[None]]:
        """Wait for the cluster-wide lock ``key``; returns its release."""
        return await self.db.take_session_lock(*key)

    async def purge_before(self, cutoff: datetime) -> int:
        return await self.db.execute(
            "DELETE FROM handled_events WHERE created_at < ?", (to_db(cutoff),)
        )
