"""Who is on duty, and the weekly shifts of the rota."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database


@dataclass(frozen=True)
class DutyRow:
    guild_id: int
    user_id: int
    since: datetime
    until: datetime | None  # the end that counts; None: until they go off duty
    source: str  # manual: they went on duty by hand (an end of theirs counts); shift: only a shift
    shift_until: datetime | None = None  # the end of the shift in progress, if any


@dataclass(frozen=True)
class ShiftRow:
    id: int
    guild_id: int
    user_id: int
    weekday: int
    start_time: str
    end_time: str
    tz: str


class DutyRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def set_on(
        self,
        guild_id: int,
        user_id: int,
        since: datetime,
        until: datetime | None,
        source: str,
        shift_until: datetime | None = None,
    ) -> None:
        """On duty (``since`` kept when they already were)."""
        await self.db.execute(
            "INSERT INTO duty (guild_id, user_id, since, until, source, shift_until)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (guild_id, user_id) DO UPDATE SET until = excluded.until,"
            " source = excluded.source, shift_until = excluded.shift_until",
            (
                guild_id,
                user_id,
                to_db(since),
                None if until is None else to_db(until),
                source,
                None if shift_until is None else to_db(shift_until),
            ),
        )

    async def set_off(self, guild_id: int, user_id: int) -> bool:
        return bool(
            await self.db.execute(
                "DELETE FROM duty WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
            )
        )

    async def on_duty(self, guild_id: int) -> list[DutyRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM duty WHERE guild_id = ? ORDER BY since", (guild_id,)
        )
        return [_duty(r) for r in rows]

    async def get(self, guild_id: int, user_id: int) -> DutyRow | None:
        r = await self.db.fetchone(
            "SELECT * FROM duty WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        )
        return None if r is None else _duty(r)

    async def add_shift(
        self,
        guild_id: int,
        user_id: int,
        weekday: int,
        start: str,
        end: str,
        tz: str,
        now: datetime,
        check: Callable[[list[ShiftRow]], None] | None = None,
    ) -> ShiftRow:
        """Store a shift. ``check`` is given the peer's shifts in this server read in the same
        transaction and may raise to store nothing: two shifts added at once are checked one
        after the other (SQLite: BEGIN IMMEDIATE; PostgreSQL: this lock)."""
        async with self.db.transaction() as tx:
            await tx.lock("duty_shifts", guild_id, user_id)
            if check is not None:
                rows = await tx.fetchall(
                    "SELECT * FROM duty_shifts WHERE guild_id = ? AND user_id = ?"
                    " ORDER BY weekday, start_time",
                    (guild_id, user_id),
                )
                check([_shift(r) for r in rows])
            shift_id = await tx.insert(
                "INSERT INTO duty_shifts (guild_id, user_id, weekday, start_time, end_time, tz,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guild_id, user_id, weekday, start, end, tz, to_db(now)),
            )
        return ShiftRow(shift_id, guild_id, user_id, weekday, start, end, tz)

    async def shifts(self, guild_id: int, user_id: int | None = None) -> list[ShiftRow]:
        if user_id is None:
            rows = await self.db.fetchall(
                "SELECT * FROM duty_shifts WHERE guild_id = ? ORDER BY weekday, start_time",
                (guild_id,),
            )
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM duty_shifts WHERE guild_id = ? AND user_id = ?"
                " ORDER BY weekday, start_time",
                (guild_id, user_id),
            )
        return [_shift(r) for r in rows]

    async def all_shifts(self) -> list[ShiftRow]:
        rows = await self.db.fetchall("SELECT * FROM duty_shifts ORDER BY id")
        return [_shift(r) for r in rows]

    async def get_shift(self, shift_id: int) -> ShiftRow | None:
        r = await self.db.fetchone("SELECT * FROM duty_shifts WHERE id = ?", (shift_id,))
        return None if r is None else _shift(r)

    async def remove_shift(self, guild_id: int, user_id: int, shift_id: int) -> bool:
        return bool(
            await self.db.execute(
                "DELETE FROM duty_shifts WHERE id = ? AND guild_id = ? AND user_id = ?",
                (shift_id, guild_id, user_id),
            )
        )

    async def delete_member(self, user_id: int) -> int:
        async with self.db.transaction() as tx:
            n = await tx.execute("DELETE FROM duty WHERE user_id = ?", (user_id,))
            n += await tx.execute("DELETE FROM duty_shifts WHERE user_id = ?", (user_id,))
            n += await tx.execute("DELETE FROM peer_tags WHERE user_id = ?", (user_id,))
        return n


def _duty(r: Any) -> DutyRow:
    return DutyRow(
        r["guild_id"],
        r["user_id"],
        from_db(r["since"]),
        from_db_or_none(r["until"]),
        r["source"],
        from_db_or_none(r["shift_until"]),
    )


def _shift(r: Any) -> ShiftRow:
    return ShiftRow(
        r["id"], r["guild_id"], r["user_id"], r["weekday"], r["start_time"], r["end_time"], r["tz"]
    )
