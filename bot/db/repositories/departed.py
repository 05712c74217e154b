"""Servers that removed Kindred: when, when their data goes, and the purge itself (ids and
times only). While a server is listed here the timer queue skips its rows
(``bot.db.repositories.core.PRESENT``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.db.connection import Database, Row

# Rows that are a member's own (kept, as /forgetme alone deletes them): only the server they
# were set in is forgotten, with its channel.
DETACHED = {"goals": ("guild_id",), "personal_checkins": ("guild_id", "channel_id")}
# Tables read to know which servers Kindred has data for (a start-up's absent servers).
KNOWN = ("guild_settings", "support_requests", "checkins", "support_groups", "duty")


@dataclass(frozen=True)
class DepartedRow:
    guild_id: int
    departed_at: datetime
    purge_at: datetime


def _row(row: Row) -> DepartedRow:
    return DepartedRow(int(row["guild_id"]), from_db(row["departed_at"]), from_db(row["purge_at"]))


class DepartedRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def mark(self, guild_id: int, departed_at: datetime, purge_at: datetime) -> bool:
        """Record the departure; False when it was recorded already (nothing more to do)."""
        return (
            await self.db.execute(
                "INSERT INTO departed_guilds (guild_id, departed_at, purge_at) VALUES (?, ?, ?)"
                " ON CONFLICT (guild_id) DO NOTHING",
                (guild_id, to_db(departed_at), to_db(purge_at)),
            )
            > 0
        )

    async def get(self, guild_id: int) -> DepartedRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM departed_guilds WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _row(row)

    async def all(self) -> list[DepartedRow]:
        rows = await self.db.fetchall("SELECT * FROM departed_guilds ORDER BY guild_id")
        return [_row(r) for r in rows]

    async def back(self, guild_id: int) -> DepartedRow | None:
        """The server came back: its departure, now forgotten (None: it had none)."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM departed_guilds WHERE guild_id = ?", (guild_id,))
            if row is None:
                return None
            await tx.execute("DELETE FROM departed_guilds WHERE guild_id = ?", (guild_id,))
        return _row(row)

    async def waiting_timers(self, guild_id: int, now: datetime) -> int:
        """How many of the server's timers came due while it was away."""
        return int(
            await self.db.fetchval(
                "SELECT COUNT(*) FROM timers WHERE guild_id = ? AND due_at <= ?",
                (guild_id, to_db(now)),
            )
        )

    async def known_guilds(self) -> set[int]:
        """The servers Kindred holds settings, requests, check-ins, groups or duty for."""
        union = " UNION ".join(f"SELECT DISTINCT guild_id FROM {t}" for t in KNOWN)
        return {int(r[0]) for r in await self.db.fetchall(union) if r[0]}

    async def drop_late(self, guild_id: int, kinds: frozenset[str], before: datetime) -> int:
        """On return: delete the server's timers of ``kinds`` due before ``before``."""
        if not kinds:
            return 0
        marks = ", ".join("?" for _ in kinds)
        return await self.db.execute(
            f"DELETE FROM timers WHERE guild_id = ? AND kind IN ({marks}) AND due_at < ?",
            (guild_id, *sorted(kinds), to_db(before)),
        )

    async def purge(
        self, guild_id: int, keep_kinds: frozenset[str] = frozenset()
    ) -> dict[str, int]:
        """Delete every row of the server, in one transaction: each table with a ``guild_id``
        (their dependants go by their foreign keys), the timers whose payload names it, its
        departure; a member's own goals and personal check-ins stay theirs, without the
        server, and so do the timers of ``keep_kinds`` (a DM to a person still to send), no
        longer tied to the server. How many rows each table lost."""
        tables = {t: await self.db.columns(t) for t in await self.db.tables()}
        deleted: dict[str, int] = {}
        async with self.db.transaction() as tx:
            for table, columns in sorted(tables.items()):
                if "guild_id" not in columns or table in ("timers", "departed_guilds"):
                    continue
                if table in DETACHED:
                    sets = ", ".join(f"{c} = NULL" for c in DETACHED[table])
                    sql = f"UPDATE {table} SET {sets} WHERE guild_id = ?"
                else:
                    sql = f"DELETE FROM {table} WHERE guild_id = ?"
                deleted[table] = await tx.execute(sql, (guild_id,))
            kept = sorted(keep_kinds)
            marks = ", ".join("?" for _ in kept)
            if kept:  # a DM still to send: kept, no longer the server's
                await tx.execute(
                    f"UPDATE timers SET guild_id = NULL WHERE guild_id = ? AND kind IN ({marks})",
                    (guild_id, *kept),
                )
            not_kept = f" AND kind NOT IN ({marks})" if kept else ""
            deleted["timers"] = await tx.execute(
                "DELETE FROM timers WHERE (guild_id = ? OR CAST(payload AS TEXT) LIKE ?)"
                + not_kept,
                (guild_id, f"%{guild_id}%", *kept),
            )
            await tx.execute("DELETE FROM departed_guilds WHERE guild_id = ?", (guild_id,))
        return {t: n for t, n in deleted.items() if n > 0}
