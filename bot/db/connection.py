"""The database connection owner.

One aiosqlite connection serves the whole bot: SQLite allows one writer at a time anyway, and a
single owner makes the ordering of writes obvious. Statements outside a transaction run in
autocommit mode; ``transaction()`` holds a lock so two coroutines never interleave inside one.

The surface (execute / fetchone / fetchall / insert / transaction) is deliberately small so a
PostgreSQL implementation can stand beside this one: repositories use only these calls and
``?`` placeholders, which an asyncpg backend would rewrite to ``$n``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


class DatabaseClosedError(RuntimeError):
    pass


class _Executor:
    """Statement helpers shared by the connection (autocommit) and a transaction."""

    _conn: aiosqlite.Connection | None

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseClosedError("the database is not open")
        return self._conn

    async def _run(self, sql: str, params: Params) -> aiosqlite.Cursor:
        return await self._connection().execute(sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        cursor = await self._run(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT; return the new row id."""
        cursor = await self._run(sql, params)
        row_id = cursor.lastrowid
        await cursor.close()
        assert row_id is not None
        return row_id

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        cursor = await self._run(sql, params)
        row = await cursor.fetchone()
        await cursor.close()
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        cursor = await self._run(sql, params)
        rows = await cursor.fetchall()
        await cursor.close()
        return list(rows)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        await self._connection().executemany(sql, seq)


class Transaction(_Executor):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn


class Database(_Executor):
    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 5000) -> None:
        self.path = str(path)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def connect(self) -> None:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: autocommit, so BEGIN/COMMIT are ours alone and explicit.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        await conn.execute("PRAGMA synchronous=NORMAL")
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            async with self._lock:
                conn, self._conn = self._conn, None
                await conn.close()

    async def _run(self, sql: str, params: Params) -> aiosqlite.Cursor:
        # Outside a transaction each statement waits for any open transaction to finish,
        # so autocommit writes never land in the middle of someone else's transaction.
        async with self._lock:
            return await super()._run(sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        async with self._lock:
            await super().executemany(sql, seq)

    async def probe_write(self) -> None:
        """Raise unless the database would take a write now: take the write lock, read the
        schema version, let go (for the health check; nothing is written)."""
        async with self._lock:
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                await (await conn.execute("PRAGMA user_version")).close()
            finally:
                await conn.execute("ROLLBACK")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """All-or-nothing: BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception."""
        async with self._lock:
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")
