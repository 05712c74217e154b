"""Settings, audit log, timers and member preferences."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import from_db, from_db_or_none, to_db
from bot.db.connection import Database, Executor, Transaction


@dataclass(frozen=True)
class AuditEntry:
    id: int
    guild_id: int | None
    actor_id: int | None
    action: str
    detail: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ShardSet:
    """The shards a process owns: a guild's shard is ``(guild_id >> 22) % count``; timers
    without a guild (and DMs) belong to shard 0."""

    count: int
    shards: tuple[int, ...]

    def where(self) -> tuple[str, tuple[int, ...]]:
        marks = ", ".join("?" for _ in self.shards)
        return f"((COALESCE(guild_id, 0) >> 22) % ?) IN ({marks})", (self.count, *self.shards)

    def owns(self, guild_id: int | None) -> bool:
        return ((guild_id or 0) >> 22) % self.count in self.shards


TIMERS_CHANNEL = "kindred_timers"
SETTINGS_CHANNEL = "kindred_settings"


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
            await write_audit(tx, guild_id, actor_id, "settings.update", values, now)
            await tx.notify(SETTINGS_CHANNEL, str(guild_id))  # other processes' caches

    async def listen_changes(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(channel, guild_id)`` after any process changed a guild's settings."""
        await self.db.listen(SETTINGS_CHANNEL, callback)

    async def distinct_values(self, key: str) -> list[Any]:
        """Every value ``key`` is set to in some server (each once)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT value FROM guild_settings WHERE key = ?", (key,)
        )
        return [json.loads(row["value"]) for row in rows]

    async def guilds_with(self, key: str) -> list[int]:
        """Guilds where ``key`` is set to something other than null."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM guild_settings WHERE key = ? AND value != 'null'"
            " ORDER BY guild_id",
            (key,),
        )
        return [row["guild_id"] for row in rows]

    async def delete_guild(self, guild_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM guild_settings WHERE guild_id = ?", (guild_id,))
            await tx.notify(SETTINGS_CHANNEL, str(guild_id))


def encode_value(value: Any) -> Any:
    """A Python value as a column holds it: times as UTC text, lists as JSON, flags as 0/1."""
    if isinstance(value, datetime):
        return to_db(value)
    if isinstance(value, list | tuple):
        return json.dumps(list(value))
    if isinstance(value, bool):
        return int(value)
    return value


async def update_columns(
    db: Executor, table: str, key_column: str, key: int, changes: dict[str, Any]
) -> None:
    """``UPDATE table SET col = ?, … WHERE key_column = ?`` with each value encoded as
    :func:`encode_value` does; nothing when there are no changes. The column names come from
    the caller's checked field list, never from input."""
    if not changes:
        return
    sets = ", ".join(f"{column} = ?" for column in changes)
    values = [encode_value(v) for v in changes.values()]
    await db.execute(f"UPDATE {table} SET {sets} WHERE {key_column} = ?", (*values, key))


async def write_audit(
    db: Executor,
    guild_id: int | None,
    actor_id: int | None,
    action: str,
    detail: dict[str, Any],
    now: datetime,
) -> int:
    """One ``audit_log`` row; pass the transaction of the change it records."""
    return await db.insert(
        "INSERT INTO audit_log (guild_id, actor_id, action, detail, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (guild_id, actor_id, action, json.dumps(detail, sort_keys=True), to_db(now)),
    )


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
        return await write_audit(self.db, guild_id, actor_id, action, detail, now)

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


async def add_timer(
    tx: Transaction,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any],
    *,
    guild_id: int | None,
    key: str | None,
    now: datetime,
) -> int:
    """Store a timer inside the caller's transaction (so it is armed with the change it
    follows, or not at all); a timer with the same key is replaced. The scheduler's alarm is
    the caller's to re-arm after the commit (``Scheduler.wakeup``)."""
    if key is not None:
        await tx.lock("timer", key)  # two replacements at once: the last one wins
        await tx.execute("DELETE FROM timers WHERE key = ?", (key,))
    timer_id = await tx.insert(
        "INSERT INTO timers (kind, key, due_at, payload, guild_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (kind, key, to_db(due_at), json.dumps(payload), guild_id, to_db(now)),
    )
    # Wakes the process owning the guild's shard (clustered); nobody listens otherwise.
    await tx.notify(TIMERS_CHANNEL, str(guild_id or 0))
    return timer_id


@dataclass(frozen=True)
class CardClearing:
    """How a deletion arms the clearing of the cards Discord still shows of what it deleted:
    the timer ``kind`` (the privacy service's) and the time (due at once)."""

    kind: str
    now: datetime


async def arm_card_clear(
    tx: Transaction,
    clearing: CardClearing,
    guild_id: int,
    channel_id: int,
    message_id: int,
    card: str,
    **ids: int | bool,
) -> None:
    """In the deletion's transaction: a card (``card``: its kind) to take off Discord. The
    payload holds ids only, never a word of it."""
    payload = {"channel_id": channel_id, "message_id": message_id, "card": card, **ids}
    key = f"privacy:card:{channel_id}:{message_id}"
    await add_timer(
        tx, clearing.kind, clearing.now, payload, guild_id=guild_id, key=key, now=clearing.now
    )


_KIND = re.compile(r"^[a-z_.]+$")


def present(runs_while_away: frozenset[str] = frozenset()) -> str:
    """The timer queue runs only the work of servers Kindred is in: a departed server's timers
    wait (``bot/services/servers.py``) until it comes back or its data is purged, except the
    kinds in ``runs_while_away`` (a DM to a person that needs nothing of the server:
    ``bot.services.away.RUNS``). The kinds are the code's own constants, checked."""
    assert all(_KIND.match(kind) for kind in runs_while_away), runs_while_away
    kinds = ", ".join(f"'{kind}'" for kind in sorted(runs_while_away))
    runs = f" OR kind IN ({kinds})" if kinds else ""
    away = " OR guild_id NOT IN (SELECT guild_id FROM departed_guilds))"
    return " AND (guild_id IS NULL" + runs + away


class TimerRepository:
    def __init__(self, db: Database, runs_while_away: frozenset[str] = frozenset()) -> None:
        self.db = db
        self.present = present(runs_while_away)

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
            timer_id = await add_timer(
                tx, kind, due_at, payload, guild_id=guild_id, key=key, now=now
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
            "SELECT * FROM timers WHERE due_at <= ?"
            + self.present
            + " ORDER BY due_at, id LIMIT ?",
            (to_db(now), limit),
        )
        return [_timer(row) for row in rows]

    async def next_due(self, exclude: set[int]) -> datetime | None:
        """The earliest due time among timers not already running."""
        if exclude:
            marks = ",".join("?" for _ in exclude)
            value = await self.db.fetchval(
                f"SELECT MIN(due_at) FROM timers WHERE id NOT IN ({marks})" + self.present,
                tuple(exclude),
            )
        else:
            value = await self.db.fetchval(
                "SELECT MIN(due_at) FROM timers WHERE 1 = 1" + self.present
            )
        return from_db_or_none(value)

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
            "UPDATE timers SET due_at = ?, attempts = attempts + 1,"
            " leased_until = NULL, leased_by = NULL WHERE id = ?",
            (to_db(due_at), timer_id),
        )

    # -- clustered (several processes on PostgreSQL): each claims only its shards' timers ----
    async def claim(
        self, now: datetime, limit: int, shards: ShardSet, owner: str, until: datetime
    ) -> list[TimerRow]:
        """Lease up to ``limit`` due, unleased (or lease-expired) timers of ``shards`` to
        ``owner`` until ``until``; rows another process is claiming right now are skipped."""
        where, params = shards.where()
        skip = " FOR UPDATE SKIP LOCKED" if self.db.dialect == "postgres" else ""
        async with self.db.transaction() as tx:
            rows = await tx.fetchall(
                "UPDATE timers SET leased_until = ?, leased_by = ? WHERE id IN ("
                " SELECT id FROM timers WHERE due_at <= ?"
                " AND (leased_until IS NULL OR leased_until <= ?) AND " + where + self.present + ""
                " ORDER BY due_at, id LIMIT ?" + skip + ") RETURNING *",
                (to_db(until), owner, to_db(now), to_db(now), *params, limit),
            )
        return sorted((_timer(row) for row in rows), key=lambda t: (t.due_at, t.id))

    async def next_claimable(self, exclude: set[int], shards: ShardSet) -> datetime | None:
        """When the earliest timer of ``shards`` can be claimed: its due time, or the end of
        the lease another process holds on it."""
        where, params = shards.where()
        marks = ",".join("?" for _ in exclude)
        skip = f" AND id NOT IN ({marks})" if exclude else ""
        value = await self.db.fetchval(
            "SELECT MIN(CASE WHEN leased_until IS NOT NULL AND leased_until > due_at"
            " THEN leased_until ELSE due_at END) FROM timers WHERE " + where + skip + self.present,
            (*params, *exclude),
        )
        return from_db_or_none(value)

    async def renew(self, timer_id: int, owner: str, until: datetime) -> bool:
        return (
            await self.db.execute(
                "UPDATE timers SET leased_until = ? WHERE id = ? AND leased_by = ?",
                (to_db(until), timer_id, owner),
            )
            > 0
        )

    async def release(self, owner: str) -> int:
        """Give back every lease ``owner`` holds (a clean shutdown)."""
        return await self.db.execute(
            "UPDATE timers SET leased_until = NULL, leased_by = NULL WHERE leased_by = ?",
            (owner,),
        )

    async def listen(self, callback: Callable[[str, str], Any]) -> None:
        """``callback(channel, guild_id)`` whenever any process stores a timer."""
        await self.db.listen(TIMERS_CHANNEL, callback)

    async def unlisten(self, callback: Callable[[str, str], Any]) -> None:
        await self.db.unlisten(TIMERS_CHANNEL, callback)


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
