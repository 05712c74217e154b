"""Settings, audit log, timers and member preferences."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, to_db
from bot.db.connection import Database


@dataclass(frozen=True)
class AuditEntry:
    id: int
    guild_id: int | None
    actor_id: int | None
    action: str
    detail: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class TimerRow:
    id: int
    kind: str
    key: str | None
    due_at: datetime
    payload: dict[str, Any]
    guild_id: int | None
    attempts: int


class GuildSettingsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_all(self, guild_id: int) -> dict[str, Any]:
        rows = await self.db.fetchall(
            "SELECT key, value FROM guild_settings WHERE guild_id = ?", (guild_id,)
        )
        return {row["key"]: json.loads(row["value"]) for row in rows}

    async def set_many(
        self, guild_id: int, values: dict[str, Any], actor_id: int | None, now: datetime
    ) -> None:
        """Write settings and their audit entry atomically."""
        async with self.db.transaction() as tx:
            for key, value in values.items():
                await tx.execute(
                    "INSERT INTO guild_settings (guild_id, key, value, updated_at, updated_by)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, key) DO UPDATE SET"
                    " value = excluded.value, updated_at = excluded.updated_at,"
                    " updated_by = excluded.updated_by",
                    (guild_id, key, json.dumps(value), to_db(now), actor_id),
                )
            await tx.execute(
                "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at)"
                " VALUES (?, ?, 'settings.update', ?, ?)",
                (guild_id, actor_id, json.dumps(values, sort_keys=True), to_db(now)),
            )

    async def guilds_with(self, key: str) -> list[int]:
        """Guilds where ``key`` is set to something other than null."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM guild_settings WHERE key = ? AND value != 'null'"
            " ORDER BY guild_id",
            (key,),
        )
        return [row["guild_id"] for row in rows]

    async def delete_guild(self, guild_id: int) -> None:
        await self.db.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        guild_id: int | None,
        actor_id: int | None,
        action: str,
        detail: dict[str, Any],
        now: datetime,
    ) -> int:
        return await self.db.insert(
            "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (guild_id, actor_id, action, json.dumps(detail, sort_keys=True), to_db(now)),
        )

    async def recent(self, guild_id: int, limit: int = 20) -> list[AuditEntry]:
        rows = await self.db.fetchall(
            "SELECT * FROM audit_log WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
            (guild_id, limit),
        )
        return [
            AuditEntry(
                id=row["id"],
                guild_id=row["guild_id"],
                actor_id=row["actor_id"],
                action=row["action"],
                detail=json.loads(row["detail"]),
                created_at=from_db(row["created_at"]),
            )
            for row in rows
        ]


def _timer(row: Any) -> TimerRow:
    return TimerRow(
        id=row["id"],
        kind=row["kind"],
        key=row["key"],
        due_at=from_db(row["due_at"]),
        payload=json.loads(row["payload"]),
        guild_id=row["guild_id"],
        attempts=row["attempts"],
    )


class TimerRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any],
        *,
        guild_id: int | None,
        key: str | None,
        now: datetime,
    ) -> TimerRow:
        """Insert a timer; a timer with the same key is replaced (its old job must be dropped)."""
        async with self.db.transaction() as tx:
            if key is not None:
                await tx.lock("timer", key)  # two replacements at once: the last one wins
                await tx.execute("DELETE FROM timers WHERE key = ?", (key,))
            timer_id = await tx.insert(
                "INSERT INTO timers (kind, key, due_at, payload, guild_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, key, to_db(due_at), json.dumps(payload), guild_id, to_db(now)),
            )
        return TimerRow(timer_id, kind, key, due_at, payload, guild_id, 0)

    async def get(self, timer_id: int) -> TimerRow | None:
        row = await self.db.fetchone("SELECT * FROM timers WHERE id = ?", (timer_id,))
        return None if row is None else _timer(row)

    async def by_key(self, key: str) -> TimerRow | None:
        row = await self.db.fetchone("SELECT * FROM timers WHERE key = ?", (key,))
        return None if row is None else _timer(row)

    async def all(self) -> list[TimerRow]:
        rows = await self.db.fetchall("SELECT * FROM timers ORDER BY due_at, id")
        return [_timer(row) for row in rows]

    async def due(self, now: datetime, limit: int) -> list[TimerRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM timers WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_timer(row) for row in rows]

    async def next_due(self, exclude: set[int]) -> datetime | None:
        """The earliest due time among timers not already running."""
        if exclude:
            marks = ",".join("?" for _ in exclude)
            value = await self.db.fetchval(
                f"SELECT MIN(due_at) FROM timers WHERE id NOT IN ({marks})", tuple(exclude)
            )
        else:
            value = await self.db.fetchval("SELECT MIN(due_at) FROM timers")
        return None if value is None else from_db(value)

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT COUNT(*) FROM timers"))

    async def delete(self, timer_id: int) -> bool:
        return await self.db.execute("DELETE FROM timers WHERE id = ?", (timer_id,)) > 0

    async def delete_for_user(self, user_id: int, kinds: tuple[str, ...]) -> int:
        """Timers of these kinds whose payload names the user (as user_id or member_id)."""
        if not kinds:
            return 0
        marks = ", ".join("?" for _ in kinds)
        rows = await self.db.fetchall(
            f"SELECT id, payload FROM timers WHERE kind IN ({marks})", tuple(kinds)
        )
        ids = []
        for row in rows:
            payload = json.loads(row["payload"] or "{}")
            if user_id in (payload.get("user_id"), payload.get("member_id")):
                ids.append(row["id"])
        await self.db.executemany("DELETE FROM timers WHERE id = ?", [(i,) for i in ids])
        return len(ids)

    async def delete_by_key_prefix(self, prefix: str) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT id FROM timers WHERE key LIKE ? ESCAPE '\\'",
            (prefix.replace("%", "\\%").replace("_", "\\_") + "%",),
        )
        ids = [row["id"] for row in rows]
        await self.db.executemany("DELETE FROM timers WHERE id = ?", [(i,) for i in ids])
        return ids

    async def reschedule(self, timer_id: int, due_at: datetime) -> None:
        await self.db.execute(
            "UPDATE timers SET due_at = ?, attempts = attempts + 1 WHERE id = ?",
            (to_db(due_at), timer_id),
        )


class MemberPrefsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int, key: str, guild_id: int = 0) -> Any:
        value = await self.db.fetchval(
            "SELECT value FROM member_prefs WHERE user_id = ? AND guild_id = ? AND key = ?",
            (user_id, guild_id, key),
        )
        return None if value is None else json.loads(value)

    async def set(
        self, user_id: int, key: str, value: Any, now: datetime, guild_id: int = 0
    ) -> None:
        await self.db.execute(
            "INSERT INTO member_prefs (user_id, guild_id, key, value, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_id, guild_id, key) DO UPDATE SET"
            " value = excluded.value, updated_at = excluded.updated_at",
            (user_id, guild_id, key, json.dumps(value), to_db(now)),
        )

    async def delete(self, user_id: int, key: str, guild_id: int = 0) -> None:
        await self.db.execute(
            "DELETE FROM member_prefs WHERE user_id = ? AND guild_id = ? AND key = ?",
            (user_id, guild_id, key),
        )

    async def all_for(self, user_id: int) -> dict[tuple[int, str], Any]:
        rows = await self.db.fetchall(
            "SELECT guild_id, key, value FROM member_prefs WHERE user_id = ?", (user_id,)
        )
        return {(row["guild_id"], row["key"]): json.loads(row["value"]) for row in rows}

    async def delete_user(self, user_id: int) -> int:
        return await self.db.execute("DELETE FROM member_prefs WHERE user_id = ?", (user_id,))
