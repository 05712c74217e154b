"""PostgreSQL backend: an asyncpg pool behind the same surface as SQLite.

- ``?`` placeholders become ``$n`` (bot/db/sql.py), booleans are sent as 0/1 like SQLite stores
  them (flags are INTEGER columns on both), rows are asyncpg Records (by name and position).
- ``execute`` returns the row count from the status tag (``UPDATE 3`` → 3); ``insert`` appends
  ``RETURNING id``.
- ``transaction()`` is a READ COMMITTED transaction on one pooled connection. Writes that read
  before they decide take ``tx.lock(*key)`` (``pg_advisory_xact_lock``), which SQLite's
  ``BEGIN IMMEDIATE`` gives every transaction for free; ``tx.notify`` is ``pg_notify``.
- ``listen`` opens one dedicated connection for LISTEN, outside the pool, on first use. It is
  not re-opened if the server drops it: whoever relies on notifications (the clustered timers
  and caches of issue #14's next step) keeps a periodic poll as the safety net.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.db.connection import Database, DatabaseClosedError, Listener, Params, Row, Transaction
from bot.db.schema import FK_ACTIONS, Column, ForeignKey, Index, Schema, Table, normalise_default
from bot.db.schema import type_family as family
from bot.db.sql import lock_key, to_numbered

_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def _args(params: Params) -> list[Any]:
    if isinstance(params, dict):
        raise TypeError("use ? placeholders with a sequence of parameters")
    return [int(p) if isinstance(p, bool) else p for p in params]


def _count(status: str) -> int:
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else -1


class _PgExecutor:
    dialect = "postgres"

    def _target(self) -> Any:  # an asyncpg Pool or Connection: the same methods
        raise NotImplementedError

    async def execute(self, sql: str, params: Params = ()) -> int:
        args = _args(params)
        target = self._target()
        status = (
            await target.execute(to_numbered(sql), *args) if args else await target.execute(sql)
        )
        return _count(status)

    async def insert(self, sql: str, params: Params = ()) -> int:
        if not _RETURNING.search(sql):
            sql += " RETURNING id"
        row_id = await self._target().fetchval(to_numbered(sql), *_args(params))
        if row_id is None:
            raise LookupError("the INSERT added no row")
        return int(row_id)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await self._target().fetchrow(to_numbered(sql), *_args(params))

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._target().fetch(to_numbered(sql), *_args(params)))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        return await self._target().fetchval(to_numbered(sql), *_args(params))

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        rows = [_args(p) for p in seq]
        if rows:
            await self._target().executemany(to_numbered(sql), rows)


class PostgresTransaction(_PgExecutor, Transaction):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    def _target(self) -> asyncpg.Connection:
        return self._conn

    async def lock(self, *key: str | int) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", lock_key(*key))

    async def notify(self, channel: str, payload: str = "") -> None:
        await self._conn.execute("SELECT pg_notify($1, $2)", channel, payload)


class PostgresDatabase(_PgExecutor, Database):
    def __init__(
        self,
        target: str,
        *,
        pool_min_size: int = 1,
        pool_max_size: int = 10,
        busy_timeout_ms: int | None = None,  # SQLite's; accepted so callers need not branch
    ) -> None:
        super().__init__()
        self.dsn = target
        self.pool_min_size = pool_min_size
        self.pool_max_size = max(pool_max_size, pool_min_size)
        self._pool: asyncpg.Pool | None = None
        self._listen_conn: asyncpg.Connection | None = None
        self._held: list[tuple[asyncpg.Connection, Any]] = []

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    def _target(self) -> asyncpg.Pool:
        if self._pool is None:
            raise DatabaseClosedError("the database is not open")
        return self._pool

    async def connect(self) -> None:
        self._pool = await asyncpg.create_pool(
            self.dsn,
            min_size=self.pool_min_size,
            max_size=self.pool_max_size,
            server_settings={"application_name": "kindred"},
        )

    async def close(self) -> None:
        held, self._held = self._held, []
        for conn, watcher in held:
            conn.remove_termination_listener(watcher)
            await conn.close()  # the session lock goes with the session
        pool, self._pool = self._pool, None
        listen, self._listen_conn = self._listen_conn, None
        if listen is not None:
            await listen.close()
        if pool is not None:
            await pool.close()

    async def probe_write(self) -> None:
        """A read-write transaction that asks for a transaction id (refused on a read-only
        standby or a full disk's emergency mode), rolled back: nothing is written."""
        async with self._target().acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            try:
                await conn.fetchval("SELECT pg_current_xact_id()")
            finally:
                await tx.rollback()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._target().acquire() as conn, conn.transaction():
            yield PostgresTransaction(conn)

    async def listen(self, channel: str, callback: Listener) -> None:
        first = channel not in self._listeners or not self._listeners[channel]
        await super().listen(channel, callback)
        if first:
            conn = await self._listener_connection()
            await conn.add_listener(channel, self._on_notification)

    async def hold_session_lock(
        self, *key: str | int, on_lost: Callable[[], None] | None = None
    ) -> None:
        self._target()  # closed databases hold nothing
        conn = await asyncpg.connect(
            self.dsn, server_settings={"application_name": "kindred-owner"}
        )
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", lock_key(*key))
        except BaseException:  # cancelled while waiting as a standby
            conn.terminate()
            raise

        def watcher(_conn: Any) -> None:
            if on_lost is not None:
                on_lost()

        conn.add_termination_listener(watcher)
        self._held.append((conn, watcher))

    async def take_session_lock(self, *key: str | int) -> Callable[[], Awaitable[None]]:
        pool = self._target()
        conn = await pool.acquire()
        number = lock_key(*key)
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", number)
        except BaseException:
            await pool.release(conn)
            raise

        async def release() -> None:
            try:
                await conn.execute("SELECT pg_advisory_unlock($1)", number)
            finally:
                await pool.release(conn)

        return release

    async def unlisten(self, channel: str, callback: Listener) -> None:
        await super().unlisten(channel, callback)
        if not self._listeners.get(channel) and self._listen_conn is not None:
            await self._listen_conn.remove_listener(channel, self._on_notification)

    async def _listener_connection(self) -> asyncpg.Connection:
        if self._listen_conn is None:
            self._target()  # closed databases do not listen
            self._listen_conn = await asyncpg.connect(
                self.dsn, server_settings={"application_name": "kindred-listen"}
            )
        return self._listen_conn

    def _on_notification(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        self._deliver(channel, payload)

    async def reset_identities(self) -> None:
        for table in (await self.schema()).tables.values():
            for column in (c for c in table.columns if c.identity):
                await self.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'),"
                    f" COALESCE(MAX({column.name}), 0) + 1, false) FROM {table.name}"
                )

    # -- introspection ------------------------------------------------------------------------
    async def schema(self) -> Schema:
        tables: dict[str, Table] = {}
        for r in await self._target().fetch(_COLUMNS):
            table = tables.setdefault(r["table_name"], Table(r["table_name"], []))
            table.columns.append(
                Column(
                    r["column_name"],
                    family(r["data_type"]),
                    r["is_nullable"] == "NO",
                    normalise_default(r["column_default"]),
                    identity=r["is_identity"] == "YES",
                )
            )
        for r in await self._target().fetch(_CONSTRAINTS):
            table = tables[r["table_name"]]
            cols = tuple(r["columns"])
            if r["contype"] == "p":
                table.primary_key = cols
            elif r["contype"] == "u":
                table.uniques.add(cols)
            else:
                table.foreign_keys.add(
                    ForeignKey(
                        cols, r["ref_table"], tuple(r["ref_columns"]), FK_ACTIONS[r["on_delete"]]
                    )
                )
        indexes = {
            r["name"]: Index(r["table_name"], tuple(r["columns"]), r["unique"], r["partial"])
            for r in await self._target().fetch(_INDEXES)
        }
        return Schema(tables, indexes)


_COLUMNS = """
SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity
FROM information_schema.columns c JOIN information_schema.tables t
  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name, c.ordinal_position
"""

_ATTNAMES = """array(SELECT a.attname FROM unnest({keys}) WITH ORDINALITY k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum ORDER BY k.ord)"""

_CONSTRAINTS = f"""
SELECT t.relname AS table_name, c.contype::text AS contype, f.relname AS ref_table,
  c.confdeltype::text AS on_delete,
  {_ATTNAMES.format(keys="c.conkey", rel="c.conrelid")} AS columns,
  {_ATTNAMES.format(keys="c.confkey", rel="c.confrelid")} AS ref_columns
FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace LEFT JOIN pg_class f ON f.oid = c.confrelid
WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')
"""

_INDEXES = f"""
SELECT i.relname AS name, t.relname AS table_name, ix.indisunique AS unique,
  ix.indpred IS NOT NULL AS partial,
  {_ATTNAMES.format(keys="ix.indkey::int2[]", rel="t.oid")} AS columns
FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = current_schema() AND NOT EXISTS (
  SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = t.oid
    AND c.contype IN ('p', 'u', 'x'))
"""
