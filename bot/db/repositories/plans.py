"""Wellness plans, the peers a member shares theirs with, and the audit of that sharing.

A share, an unshare and a peer's reading are each written with an ``audit_log`` entry (ids
only, never the plan's words) in the same transaction. These entries have no server
(``guild_id`` NULL): they are the member's own record, not a moderation log.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database, Transaction
from bot.db.repositories.core import write_audit

#: Audit actions about members' own self-help data (deleted with it by /forgetme).
SHARE_ACTIONS = ("plan.share", "plan.unshare", "plan.view", "goals.share", "goals.unshare")


@dataclass(frozen=True)
class PlanRow:
    user_id: int
    answers: dict[str, str]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ShareRow:
    user_id: int
    peer_id: int
    created_at: datetime


async def add_audit(
    tx: Transaction, actor_id: int, action: str, detail: dict[str, Any], now: datetime
) -> None:
    """Sharing records carry no server: they stay out of any server's moderation view."""
    await write_audit(tx, None, actor_id, action, detail, now)


async def forget_audit(tx: Transaction, user_id: int) -> int:
    """Sharing records that name the member, as the actor or as the other side."""
    marks = ", ".join("?" for _ in SHARE_ACTIONS)
    return await tx.execute(
        f"DELETE FROM audit_log WHERE action IN ({marks})"
        " AND (actor_id = ? OR detail = ? OR detail = ?)",
        (
            *SHARE_ACTIONS,
            user_id,
            json.dumps({"peer": user_id}),
            json.dumps({"member": user_id}),
        ),
    )


def _plan(r: Any) -> PlanRow:
    return PlanRow(
        user_id=r["user_id"],
        answers=dict(json.loads(r["answers"] or "{}")),
        created_at=from_db(r["created_at"]),
        updated_at=from_db(r["updated_at"]),
    )


def _share(r: Any) -> ShareRow:
    return ShareRow(r["user_id"], r["peer_id"], from_db(r["created_at"]))


class PeerShares:
    """The peers a member shares one kind of self-help data with: rows of ``table``
    (``user_id, peer_id, created_at``), each change audited as ``<audit>.share`` or
    ``<audit>.unshare`` in its own transaction. ``table`` and ``audit`` are the repository's
    constants, never input."""

    def __init__(self, db: Database, table: str, audit: str) -> None:
        self.db = db
        self.table = table
        self.audit = audit

    async def list(self, user_id: int) -> list[ShareRow]:
        rows = await self.db.fetchall(
            f"SELECT * FROM {self.table} WHERE user_id = ? ORDER BY created_at, peer_id",
            (user_id,),
        )
        return [_share(r) for r in rows]

    async def is_shared(self, user_id: int, peer_id: int) -> bool:
        return bool(
            await self.db.fetchval(
                f"SELECT 1 FROM {self.table} WHERE user_id = ? AND peer_id = ?",
                (user_id, peer_id),
            )
        )

    async def share(
        self, user_id: int, peer_id: int, now: datetime, limit: int | None = None
    ) -> bool | None:
        """Share with a peer; False if it already was; None (nothing stored) when the member
        shares with ``limit`` people already: counted and added in one transaction under the
        member's lock, so two shares at once never pass it."""
        async with self.db.transaction() as tx:
            await tx.lock(self.table, user_id)
            if limit is not None:
                rows = await tx.fetchall(
                    f"SELECT peer_id FROM {self.table} WHERE user_id = ?", (user_id,)
                )
                peers = {int(r["peer_id"]) for r in rows}
                if peer_id in peers:
                    return False
                if len(peers) >= limit:
                    return None
            added = await tx.execute(
                f"INSERT INTO {self.table} (user_id, peer_id, created_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, peer_id) DO NOTHING",
                (user_id, peer_id, to_db(now)),
            )
            if added:
                await add_audit(tx, user_id, f"{self.audit}.share", {"peer": peer_id}, now)
        return bool(added)

    async def unshare(self, user_id: int, peer_id: int, now: datetime) -> bool:
        """Stop sharing; False if it was not shared."""
        async with self.db.transaction() as tx:
            removed = await tx.execute(
                f"DELETE FROM {self.table} WHERE user_id = ? AND peer_id = ?", (user_id, peer_id)
            )
            if removed:
                await add_audit(tx, user_id, f"{self.audit}.unshare", {"peer": peer_id}, now)
        return bool(removed)


class PlanRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._shares = PeerShares(db, "plan_shares", "plan")

    async def get(self, user_id: int) -> PlanRow | None:
        r = await self.db.fetchone("SELECT * FROM wellness_plans WHERE user_id = ?", (user_id,))
        return None if r is None else _plan(r)

    async def save(
        self, user_id: int, answers: dict[str, str], now: datetime, remove: Iterable[str] = ()
    ) -> PlanRow:
        """Merge ``answers`` into the stored ones and drop the ``remove`` keys, read and
        written in one transaction: two parts saved at once each keep their answers (SQLite:
        BEGIN IMMEDIATE; PostgreSQL: this lock)."""
        async with self.db.transaction() as tx:
            await tx.lock("plan", user_id)
            stored = await tx.fetchval(
                "SELECT answers FROM wellness_plans WHERE user_id = ?", (user_id,)
            )
            merged = dict(json.loads(stored or "{}"))
            for key in remove:
                merged.pop(key, None)
            merged.update(answers)
            await tx.execute(
                "INSERT INTO wellness_plans (user_id, answers, created_at, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET"
                " answers = excluded.answers, updated_at = excluded.updated_at",
                (user_id, json.dumps(merged, sort_keys=True), to_db(now), to_db(now)),
            )
        row = await self.get(user_id)
        assert row is not None
        return row

    async def delete(self, user_id: int) -> int:
        """The plan and the member's shares of it (a deleted plan is shared with nobody)."""
        async with self.db.transaction() as tx:
            n = await tx.execute("DELETE FROM wellness_plans WHERE user_id = ?", (user_id,))
            n += await tx.execute("DELETE FROM plan_shares WHERE user_id = ?", (user_id,))
        return n

    # -- sharing (audited as plan.share / plan.unshare) ----------------------------------------
    async def shares(self, user_id: int) -> list[ShareRow]:
        return await self._shares.list(user_id)

    async def is_shared(self, user_id: int, peer_id: int) -> bool:
        return await self._shares.is_shared(user_id, peer_id)

    async def share(
        self, user_id: int, peer_id: int, now: datetime, limit: int | None = None
    ) -> bool | None:
        """See :meth:`PeerShares.share`."""
        return await self._shares.share(user_id, peer_id, now, limit)

    async def unshare(self, user_id: int, peer_id: int, now: datetime) -> bool:
        return await self._shares.unshare(user_id, peer_id, now)

    async def read_shared(self, user_id: int, peer_id: int, now: datetime) -> PlanRow | None:
        """The plan, for a peer it is shared with (the reading is audited as ``plan.view``);
        None when it is not shared with them or there is no plan."""
        async with self.db.transaction() as tx:
            r = await tx.fetchone(
                "SELECT p.* FROM wellness_plans p JOIN plan_shares s ON s.user_id = p.user_id"
                " WHERE p.user_id = ? AND s.peer_id = ?",
                (user_id, peer_id),
            )
            if r is None:
                return None
            await add_audit(tx, peer_id, "plan.view", {"member": user_id}, now)
        return _plan(r)

    async def last_read(self, user_id: int, peer_id: int) -> datetime | None:
        """When the peer last read the plan under its current share: a reading before the
        member shared it again belongs to an earlier share. Audit ids order the share and the
        readings (times are stored to the second); None when not read since."""
        value = await self.db.fetchval(
            "SELECT MAX(created_at) FROM audit_log WHERE action = 'plan.view'"
            " AND actor_id = ? AND detail = ? AND id > COALESCE((SELECT MAX(id) FROM audit_log"
            " WHERE action = 'plan.share' AND actor_id = ? AND detail = ?), 0)",
            (peer_id, json.dumps({"member": user_id}), user_id, json.dumps({"peer": peer_id})),
        )
        return from_db_or_none(value)

    async def forget(self, user_id: int) -> int:
        """Everything about the member: their plan, every share naming them (theirs, and
        others' shares with them), and the sharing records that name them."""
        async with self.db.transaction() as tx:
            n = await tx.execute("DELETE FROM wellness_plans WHERE user_id = ?", (user_id,))
            n += await tx.execute(
                "DELETE FROM plan_shares WHERE user_id = ? OR peer_id = ?", (user_id, user_id)
            )
            n += await forget_audit(tx, user_id)
        return n
