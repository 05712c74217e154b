"""SQLite backend: one aiosqlite connection for the whole bot (the embedded default).

SQLite allows one writer at a time anyway, and a single owner makes the ordering of writes
obvious. Statements outside a transaction run in autocommit mode; ``transaction()`` holds a
lock so two coroutines never interleave inside one, and ``BEGIN IMMEDIATE`` takes the write
lock up front, so every transaction is serial: ``tx.lock`` has nothing left to do.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from bot.db.connection import (
    Database,
    DatabaseClosedError,
    DatabaseOpenError,
    Params,
    Row,
    Transaction,
    sqlite_path,
)
from bot.db.schema import FK_ACTIONS, Column, ForeignKey, Index, Schema, Table, normalise_default
from bot.db.schema import type_family as family

# RETURNING (3.35) lets one INSERT … ON CONFLICT DO NOTHING RETURNING id serve both backends.
MIN_SQLITE = (3, 35, 0)
T = TypeVar("T")


class _SqliteExecutor:
    """Each statement is one trip to aiosqlite's thread: the statement, its rows or counts
    and the cursor's close all happen there (through aiosqlite cursors they were three trips,
    each a wake-up of both threads and a hand-over of the GIL: ~55 µs of CPU apiece)."""

    _conn: aiosqlite.Connection | None
    dialect = "sqlite"

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise DatabaseClosedError("the database is not open")
        return self._conn

    async def _call(self, fn: Callable[..., T], sql: str, params: Params) -> T:
        """``fn(sqlite3 connection, sql, params)`` in aiosqlite's thread, in one trip."""
        conn = self._connection()
        return await conn._execute(_with_connection, conn, fn, sql, params)

    async def execute(self, sql: str, params: Params = ()) -> int:
        return await self._call(_rowcount, sql, params)

    async def insert(self, sql: str, params: Params = ()) -> int:
        row_id, count = await self._call(_inserted, sql, params)
        if not row_id or count < 1:
            raise LookupError("the INSERT added no row")
        return row_id

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        return await self._call(_one, sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return await self._call(_all, sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        await self._connection().executemany(sql, seq)


# aiosqlite keeps its thread's entry point private (``Connection._execute``, the primitive
# every one of its public methods is built on, in every release Kindred allows); a test
# checks it is still there, so an upgrade that drops it fails loudly, not silently.
def _with_connection(conn: aiosqlite.Connection, fn: Callable[..., T], *args: Any) -> T:
    return fn(conn._conn, *args)


def _rowcount(db: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = db.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()


def _inserted(db: sqlite3.Connection, sql: str, params: Params) -> tuple[int | None, int]:
    cursor = db.execute(sql, params)
    try:
        return cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _one(db: sqlite3.Connection, sql: str, params: Params) -> Row | None:
    cursor = db.execute(sql, params)
    try:
        return cursor.fetchone()
    finally:
        cursor.close()


def _all(db: sqlite3.Connection, sql: str, params: Params) -> list[Row]:
    cursor = db.execute(sql, params)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def _make_room_for(path: str) -> None:
    """The database file's folder, created if need be; a folder at its own path is refused."""
    if Path(path).is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a SQLite database file")
    Path(path).parent.mkdir(parents=True, exist_ok=True)


async def _thread_stopped(conn: aiosqlite.Connection) -> None:
    """Wait until aiosqlite's worker thread for ``conn`` has ended (it keeps the thread as
    ``_thread``; an older aiosqlite's connection was the thread itself)."""
    thread = conn if isinstance(conn, threading.Thread) else getattr(conn, "_thread", None)
    if not isinstance(thread, threading.Thread):
        return
    # Polled, not joined in an executor: the thread's last act is a callback to this loop,
    # which must keep running meanwhile, and no executor thread is left behind. (Nothing of
    # aiosqlite's can be awaited for it, hence the loop.)
    deadline = time.monotonic() + 5.0
    while thread.is_alive() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.002)


class SqliteTransaction(_SqliteExecutor, Transaction):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self.notifications: list[tuple[str, str]] = []

    async def lock(self, *key: str | int) -> None:
        """Nothing to do: BEGIN IMMEDIATE already holds the only write lock."""

    async def notify(self, channel: str, payload: str = "") -> None:
        self.notifications.append((channel, payload))


class SqliteDatabase(_SqliteExecutor, Database):
    def __init__(
        self,
        target: str | Path = ":memory:",
        *,
        busy_timeout_ms: int = 5000,
        pool_min_size: int | None = None,  # PostgreSQL's; accepted so callers need not branch
        pool_max_size: int | None = None,
    ) -> None:
        super().__init__()
        self.path = sqlite_path(target)
        self.busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def connect(self) -> None:
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise RuntimeError(
                f"Kindred needs SQLite {'.'.join(map(str, MIN_SQLITE))} or newer; this Python "
                f"has {sqlite3.sqlite_version}"
            )
        if self.path != ":memory:":
            _make_room_for(self.path)
        # isolation_level=None: autocommit, so BEGIN/COMMIT are ours alone and explicit.
        connecting = aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn = await connecting
        except sqlite3.Error as exc:
            # aiosqlite asks its thread to stop but does not wait for it; the thread then
            # answers this loop, which may have closed by then (a command that exits on the
            # error): a traceback on stderr. Wait for it here.
            await _thread_stopped(connecting)
            raise DatabaseOpenError(f"{self.path}: cannot open it ({exc})") from exc
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
            await conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException as exc:
            # Close it, or aiosqlite's thread keeps the process alive after the error.
            with contextlib.suppress(Exception):
                await conn.close()
            if isinstance(exc, sqlite3.DatabaseError) and not isinstance(
                exc, sqlite3.OperationalError
            ):
                raise DatabaseOpenError(f"{self.path} is not a SQLite database ({exc})") from exc
            if isinstance(exc, sqlite3.Error):
                raise DatabaseOpenError(f"{self.path}: cannot open it ({exc})") from exc
            raise
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            async with self._lock:
                conn, self._conn = self._conn, None
                await conn.close()

    async def _call(self, fn: Callable[..., T], sql: str, params: Params) -> T:
        # Outside a transaction each statement waits for any open transaction to finish,
        # so autocommit writes never land in the middle of someone else's transaction.
        async with self._lock:
            return await super()._call(fn, sql, params)

    async def executemany(self, sql: str, seq: Iterable[Params]) -> None:
        async with self._lock:
            await super().executemany(sql, seq)

    async def probe_write(self) -> None:
        """Take the write lock, read the schema version, let go: nothing is written."""
        async with self._lock:
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                await (await conn.execute("PRAGMA user_version")).close()
            finally:
                await conn.execute("ROLLBACK")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        """All-or-nothing: BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception."""
        async with self._lock:
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            tx = SqliteTransaction(conn)
            try:
                yield tx
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")
        for channel, payload in tx.notifications:
            self._deliver(channel, payload)

    # -- introspection ------------------------------------------------------------------------
    async def schema(self) -> Schema:
        names = [
            r[0]
            for r in await self.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        tables = {name: await self._table(name) for name in names}
        indexes: dict[str, Index] = {}
        for name in names:
            for ix in await self.fetchall(f'PRAGMA index_list("{name}")'):
                if ix["origin"] != "c":
                    continue
                cols = await self.fetchall(f'PRAGMA index_info("{ix["name"]}")')
                indexes[ix["name"]] = Index(
                    name, tuple(c["name"] for c in cols), bool(ix["unique"]), bool(ix["partial"])
                )
        return Schema(tables, indexes)

    async def _table(self, name: str) -> Table:
        info = await self.fetchall(f'PRAGMA table_info("{name}")')
        pk = tuple(r["name"] for r in sorted((r for r in info if r["pk"]), key=lambda r: r["pk"]))
        rowid_alias = len(pk) == 1 and next(
            r["type"].upper() == "INTEGER" for r in info if r["name"] == pk[0]
        )
        columns = [
            Column(
                r["name"],
                family(r["type"]),
                bool(r["notnull"]) or r["name"] in pk,
                normalise_default(r["dflt_value"]),
                identity=bool(rowid_alias and r["name"] == pk[0]),
            )
            for r in info
        ]
        table = Table(name, columns, pk)
        for ix in await self.fetchall(f'PRAGMA index_list("{name}")'):
            if ix["origin"] == "u":
                cols = await self.fetchall(f'PRAGMA index_info("{ix["name"]}")')
                table.uniques.add(tuple(c["name"] for c in cols))
        by_id: dict[int, list[Row]] = {}
        for fk in await self.fetchall(f'PRAGMA foreign_key_list("{name}")'):
            by_id.setdefault(fk["id"], []).append(fk)
        for parts in by_id.values():
            parts.sort(key=lambda r: r["seq"])
            target = parts[0]["table"]
            refs = tuple(p["to"] for p in parts)
            if None in refs:  # REFERENCES t without columns: t's primary key
                refs = (await self._table(target)).primary_key
            action = parts[0]["on_delete"].upper()
            table.foreign_keys.add(
                ForeignKey(
                    tuple(p["from"] for p in parts),
                    target,
                    refs,
                    FK_ACTIONS.get(action, action),
                )
            )
        return table
