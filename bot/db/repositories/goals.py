"""Members' goals and the peers a member lets see them.

A share or unshare is written with its ``audit_log`` entry (ids only) in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database
from bot.db.repositories.plans import PeerShares, ShareRow, forget_audit

GOAL_FIELDS = {"schedule", "tz", "status", "pause_reason", "done_at", "last_nudge_at"}


@dataclass(frozen=True)
class GoalRow:
    id: int
    user_id: int
    guild_id: int | None
    text: str
    schedule: str | None
    tz: str | None
    status: str
    pause_reason: str | None
    created_at: datetime
    done_at: datetime | None
    last_nudge_at: datetime | None
    #: nudges set without ``tz``: ``tz`` moves with the member's ``/timezone set``
    tz_follows: bool = False


def _goal(r: Any) -> GoalRow:
    return GoalRow(
        id=r["id"],
        user_id=r["user_id"],
        guild_id=r["guild_id"],
        text=r["text"],
        schedule=r["schedule"],
        tz=r["tz"],
        status=r["status"],
        pause_reason=r["pause_reason"],
        created_at=from_db(r["created_at"]),
        done_at=from_db_or_none(r["done_at"]),
        last_nudge_at=from_db_or_none(r["last_nudge_at"]),
        tz_follows=bool(r["tz_follows"]),
    )


class GoalRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._shares = PeerShares(db, "goal_shares", "goals")

    async def create(
        self,
        *,
        user_id: int,
        guild_id: int | None,
        text: str,
        schedule: str | None,
        tz: str | None,
        now: datetime,
        check: Callable[[list[GoalRow]], None] | None = None,
        tz_follows: bool = False,
    ) -> GoalRow:
        """Store a goal. ``check`` is given the member's goals read in the same transaction
        and may raise to store nothing: two goals set at once are checked one after the other
        (SQLite: BEGIN IMMEDIATE; PostgreSQL: this lock)."""
        async with self.db.transaction() as tx:
            await tx.lock("goals", user_id)
            if check is not None:
                rows = await tx.fetchall(
                    "SELECT * FROM goals WHERE user_id = ? ORDER BY id", (user_id,)
                )
                check([_goal(r) for r in rows])
            goal_id = await tx.insert(
                "INSERT INTO goals (user_id, guild_id, text, schedule, tz, tz_follows,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (user_id, guild_id, text, schedule, tz, int(tz_follows), to_db(now)),
            )
        row = await self.get(goal_id)
        assert row is not None
        return row

    async def get(self, goal_id: int) -> GoalRow | None:
        r = await self.db.fetchone("SELECT * FROM goals WHERE id = ?", (goal_id,))
        return None if r is None else _goal(r)

    async def for_user(self, user_id: int) -> list[GoalRow]:
        """Open goals first (oldest first), then finished ones (newest first)."""
        rows = await self.db.fetchall(
            "SELECT * FROM goals WHERE user_id = ?"
            " ORDER BY CASE WHEN status = 'done' THEN 1 ELSE 0 END, "
            " CASE WHEN status = 'done' THEN done_at END DESC, id",
            (user_id,),
        )
        return [_goal(r) for r in rows]

    async def follow_zone(self, user_id: int, tz: str) -> list[GoalRow]:
        """Move the member's goals whose nudges follow their zone to ``tz``; those moved. A
        finished goal never nudges again: it stays; a paused one moves (resumed, it nudges in
        the member's zone)."""
        rows = await self.db.fetchall(
            "SELECT id FROM goals WHERE user_id = ? AND tz_follows = 1 AND tz IS NOT NULL"
            " AND tz <> ? AND status <> 'done' ORDER BY id",
            (user_id, tz),
        )
        ids = [r["id"] for r in rows]
        await self.db.executemany(
            "UPDATE goals SET tz = ? WHERE id = ? AND tz_follows = 1", [(tz, i) for i in ids]
        )
        moved = [await self.get(i) for i in ids]
        return [g for g in moved if g is not None]

    async def following(
        self, *, user_id: int | None = None, guild_id: int | None = None
    ) -> list[GoalRow]:
        """The goals (not finished) whose nudges follow their member's zone: one member's, or
        those set in one server."""
        column, value = ("user_id", user_id) if user_id is not None else ("guild_id", guild_id)
        rows = await self.db.fetchall(
            f"SELECT * FROM goals WHERE {column} = ? AND tz_follows = 1 AND tz IS NOT NULL"
            " AND status <> 'done' ORDER BY id",
            (value,),
        )
        return [_goal(r) for r in rows]

    async def move_zone(self, goal_id: int, tz: str) -> GoalRow | None:
        """Move one goal whose nudges follow their member's zone to ``tz``; the goal if it
        moved (None: gone, finished, with a zone of its own, or already in ``tz``)."""
        moved = await self.db.execute(
            "UPDATE goals SET tz = ? WHERE id = ? AND tz_follows = 1 AND tz <> ?"
            " AND status <> 'done'",
            (tz, goal_id, tz),
        )
        return await self.get(goal_id) if moved else None

    async def count_open(self, user_id: int) -> int:
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM goals WHERE user_id = ? AND status != 'done'", (user_id,)
            )
        )

    async def update(self, goal_id: int, **fields: Any) -> None:
        if not fields or set(fields) - GOAL_FIELDS:
            raise ValueError(f"cannot update {set(fields) - GOAL_FIELDS}")
        values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        await self.db.execute(f"UPDATE goals SET {sets} WHERE id = ?", (*values, goal_id))

    async def update_unless_done(self, goal_id: int, **fields: Any) -> bool:
        """``update``, only while the goal is not done (one statement: a Done pressed at the
        same moment wins or loses whole); False when it was done already."""
        if not fields or set(fields) - GOAL_FIELDS:
            raise ValueError(f"cannot update {set(fields) - GOAL_FIELDS}")
        values = [to_db(v) if isinstance(v, datetime) else v for v in fields.values()]
        sets = ", ".join(f"{k} = ?" for k in fields)
        changed = await self.db.execute(
            f"UPDATE goals SET {sets} WHERE id = ? AND status <> 'done'", (*values, goal_id)
        )
        return changed > 0

    async def delete(self, goal_id: int) -> bool:
        return bool(await self.db.execute("DELETE FROM goals WHERE id = ?", (goal_id,)))

    async def prune_done(self, user_id: int, keep: int) -> list[int]:
        """Delete the member's oldest finished goals beyond the newest ``keep``."""
        rows = await self.db.fetchall(
            "SELECT id FROM goals WHERE user_id = ? AND status = 'done'"
            " ORDER BY done_at DESC, id DESC",
            (user_id,),
        )
        old = [r["id"] for r in rows[keep:]]
        await self.db.executemany("DELETE FROM goals WHERE id = ?", [(i,) for i in old])
        return old

    # -- sharing (audited as goals.share / goals.unshare) ---------------------------------------
    async def shares(self, user_id: int) -> list[ShareRow]:
        return await self._shares.list(user_id)

    async def is_shared(self, user_id: int, peer_id: int) -> bool:
        return await self._shares.is_shared(user_id, peer_id)

    async def share(
        self, user_id: int, peer_id: int, now: datetime, limit: int | None = None
    ) -> bool | None:
        """See :meth:`bot.db.repositories.plans.PeerShares.share`."""
        return await self._shares.share(user_id, peer_id, now, limit)

    async def unshare(self, user_id: int, peer_id: int, now: datetime) -> bool:
        return await self._shares.unshare(user_id, peer_id, now)

    async def forget(self, user_id: int) -> int:
        """The member's goals, every share naming them, and the sharing records about them."""
        async with self.db.transaction() as tx:
            n = await tx.execute("DELETE FROM goals WHERE user_id = ?", (user_id,))
            n += await tx.execute(
                "DELETE FROM goal_shares WHERE user_id = ? OR peer_id = ?", (user_id, user_id)
            )
            n += await forget_audit(tx, user_id)
        return n
