"""The database connection owner: one small surface, two backends.

Repositories use only ``execute / fetchone / fetchall / fetchval / insert / executemany`` and
``async with db.transaction() as tx:`` with ``?`` placeholders; rows are read by column name
(``row["id"]``) or position (``row[0]``), ``dict(row)`` and ``row.keys()`` work on both.

- SQLite (bot/db/sqlite.py, the default): one aiosqlite connection; ``BEGIN IMMEDIATE``
  serialises every transaction, in this process and any other.
- PostgreSQL (bot/db/postgres.py): an asyncpg pool, ``?`` rewritten to ``$n``, row counts
  from the status tag, plus a dedicated connection for LISTEN.

``Database(target)`` opens the right one: a path or ``sqlite:///path`` is SQLite, a
``postgresql://`` URL is PostgreSQL, any other URL is refused (``DatabaseOpenError``, as
``[database] url`` is). Inside a transaction, ``tx.lock(*key)`` takes a
transaction-scoped advisory lock (PostgreSQL; a no-op on SQLite, which is already serial) and
``tx.notify(channel, payload)`` is delivered to ``db.listen`` callbacks after the commit, on
both. Transactions do not nest, and nothing awaits Discord inside one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, ClassVar, Protocol

from bot.db.schema import Schema

log = logging.getLogger(__name__)

Params = Sequence[Any]
Listener = Callable[[str, str], Awaitable[None] | None]


class Row(Protocol):
    """sqlite3.Row and asyncpg.Record alike: by name, by position, ``keys()``, ``dict(row)``."""

    def __getitem__(self, key: str | int) -> Any: ...
    def keys(self) -> Any: ...


class DatabaseClosedError(RuntimeError):
    pass


class DatabaseOpenError(RuntimeError):
    """The database could not be opened, in one line naming it: a file that is not SQLite, a
    folder, a place that cannot be written, a URL of a database Kindred does not speak."""


POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"
# The one rule for a database URL, in [database] url (bot/config.py) and copy-db's --from/--to.
DATABASE_URL_PREFIXES = (*POSTGRES_SCHEMES, SQLITE_SCHEME)
DATABASE_URL_RULE = "must start with postgresql:// or sqlite:///"
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_postgres_url(target: str | Path) -> bool:
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def is_database_url(value: str) -> bool:
    """A URL Kindred opens: ``postgresql://``, ``postgres://`` or ``sqlite:///``."""
    return value.startswith(DATABASE_URL_PREFIXES)


def unsupported_url(target: str | Path) -> bool:
    """``target`` looks like a URL (``scheme://…``) but not one Kindred opens (``mysql://``,
    a typo such as ``postgressql://``): never to be taken for a relative SQLite path."""
    return isinstance(target, str) and bool(_URL_LIKE.match(target)) and not is_database_url(target)


def sqlite_path(target: str | Path) -> str:
    """``sqlite:///relative/or/absolute`` (four slashes for an absolute path) or a plain path."""
    text = str(target)
    return text[len(SQLITE_SCHEME) :] if text.startswith(SQLITE_SCHEME) else text


class Executor(ABC):
    """Statements, on the autocommit connection or inside a transaction."""

    dialect: ClassVar[str]

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed (-1 when it has none)."""

    @abstractmethod
    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT into a table with an ``id`` column; return the new row's id."""

    @abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    @abstractmethod
    async def executemany(self, sql: str, seq: Iterable[Params]) -> None: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Transaction(Executor):
    """What ``async with db.transaction() as tx`` gives: statements, locks, notifications."""

    @abstractmethod
    async def lock(self, *key: str | int) -> None:
        """Hold an advisory lock on ``key`` until this transaction ends."""

    @abstractmethod
    async def notify(self, channel: str, payload: str = "") -> None:
        """Tell every ``listen(channel)`` callback, in every process, once this commits."""


class Database(Executor):
    """The connection owner. ``Database(path_or_url, **options)`` picks the backend."""

    def __new__(cls, target: str | Path = ":memory:", **options: Any) -> Database:
        backend: type[Database] = cls
        if unsupported_url(target):
            raise DatabaseOpenError(
                f"{mask_url(str(target))}: a database URL {DATABASE_URL_RULE} (or give a SQLite"
                " file's path)"
            )
        if cls is Database:
            if is_postgres_url(target):
                from bot.db.postgres import PostgresDatabase

                backend = PostgresDatabase
            else:
                from bot.db.sqlite import SqliteDatabase

                backend = SqliteDatabase
        return super().__new__(backend)

    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = {}

    @property
    @abstractmethod
    def is_open(self) -> bool: ...

    @abstractmethod
    async def connect(self) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """All-or-nothing: commit at the end of the block, roll back on any exception."""

    async def listen(self, channel: str, callback: Listener) -> None:
        """Call ``callback(channel, payload)`` for each committed ``tx.notify(channel, …)``."""
        self._listeners.setdefault(channel, []).append(callback)

    @abstractmethod
    async def probe_write(self) -> None:
        """Raise unless the database would take a write now (the health check; nothing is
        written)."""

    async def hold_session_lock(
        self, *key: str | int, on_lost: Callable[[], None] | None = None
    ) -> None:
        """Wait until this process holds the advisory lock ``key`` for as long as it runs
        (PostgreSQL: on a connection of its own, released by ``close()`` or by the process's
        death; ``on_lost()`` is called if that connection drops). SQLite: nothing to hold,
        it serves one process."""

    async def take_session_lock(self, *key: str | int) -> Callable[[], Awaitable[None]]:
        """Wait for the advisory lock ``key`` and return the coroutine function that releases
        it (PostgreSQL: shared by every process; SQLite: one process, nothing to wait for)."""

        async def release() -> None:
            return None

        return release

    async def unlisten(self, channel: str, callback: Listener) -> None:
        callbacks = self._listeners.get(channel, [])
        if callback in callbacks:
            callbacks.remove(callback)

    def _deliver(self, channel: str, payload: str) -> None:
        for callback in list(self._listeners.get(channel, ())):
            try:
                result = callback(channel, payload)
            except Exception:
                log.exception("listener for %s failed", channel)
                continue
            if isinstance(result, Awaitable):
                task = asyncio.ensure_future(result)
                task.add_done_callback(_log_failure)

    # -- introspection (migrations, copy-db, the parity and forgetting tests) --------------
    @abstractmethod
    async def schema(self) -> Schema: ...

    async def tables(self) -> list[str]:
        return sorted((await self.schema()).tables)

    async def columns(self, table: str) -> list[str]:
        found = (await self.schema()).tables.get(table)
        return [] if found is None else [c.name for c in found.columns]

    async def reset_identities(self) -> None:
        """After rows were inserted with explicit ids: new ids continue after the largest."""


def mask_url(url: str) -> str:
    """``postgresql://kindred:secret@db/kindred`` → ``postgresql://kindred:***@db/kindred``."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("listener failed", exc_info=task.exception())
