"""``python -m bot copy-db``: copy an existing database (SQLite) into an empty one (PostgreSQL).

The source must be migrated to this Kindred's newest version; the target is migrated here and
must hold no rows. Every table is copied in dependency order (referenced tables first), with
its ids, inside one target transaction (all or nothing); then the target's identity sequences
continue after the largest copied id, and every table's row count is compared. The source is
only read. Stop the bot while copying, or rows written meanwhile stay behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.db.connection import Database, Transaction
from bot.db.migrate import apply_migrations, available_migrations, current_version
from bot.db.schema import Table

SKIP = {"schema_migrations"}  # each database keeps its own record of migrations
BATCH = 1000


class CopyError(RuntimeError):
    """Why the copy did not start or did not finish; nothing was written to the target."""


async def copy_database(
    source: Database, target: Database, *, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Copy every row from ``source`` into the empty ``target``; returns rows per table."""
    newest = max(m.version for m in available_migrations())
    version = await current_version(source)
    if version != newest:
        raise CopyError(
            f"the source database is at version {version}, this Kindred at {newest}: run"
            " `python -m bot migrate` on the source first (with its settings), then copy"
        )
    await apply_migrations(target)
    src, dst = await source.schema(), await target.schema()
    tables = [name for name in src.dependency_order() if name not in SKIP]
    missing = [name for name in tables if name not in dst.tables]
    if missing:
        raise CopyError(f"the target has no table {', '.join(missing)}: not a Kindred database?")
    for name in sorted(dst.tables):
        if name not in SKIP and await target.fetchval(f"SELECT COUNT(*) FROM {name}"):
            raise CopyError(f"the target is not empty ({name} has rows): copy into a new database")
    counts: dict[str, int] = {}
    async with target.transaction() as tx:
        for name in tables:
            counts[name] = await _copy_table(source, tx, src.tables[name], dst.tables[name])
            if progress:
                progress(name, counts[name])
    await target.reset_identities()
    for name, expected in counts.items():
        copied = await target.fetchval(f"SELECT COUNT(*) FROM {name}")
        if copied != expected:  # pragma: no cover - a broken driver, never seen
            raise CopyError(f"{name}: {expected} rows read but {copied} in the target")
    return counts


async def _copy_table(source: Database, tx: Transaction, src: Table, dst: Table) -> int:
    wanted = {c.name: c.family for c in dst.columns}
    columns = [c.name for c in src.columns if c.name in wanted]
    names = ", ".join(columns)
    order = ", ".join(src.primary_key or columns)
    insert = f"INSERT INTO {dst.name} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    rows = await source.fetchall(f"SELECT {names} FROM {src.name} ORDER BY {order}")
    batch: list[list[Any]] = []
    for number, row in enumerate(rows, 1):
        batch.append(
            [
                _coerce(row[i], wanted[c], f"{src.name}.{c}, row {number}")
                for i, c in enumerate(columns)
            ]
        )
        if len(batch) >= BATCH:
            await tx.executemany(insert, batch)
            batch = []
    if batch:
        await tx.executemany(insert, batch)
    return len(rows)


def _coerce(value: Any, family: str, where: str) -> Any:
    """SQLite stores what it was given; PostgreSQL wants the column's type."""
    if value is None:
        return None
    if family == "integer":
        if isinstance(value, bool | int):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
    elif family == "text":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float):
            return str(value)
    elif family == "real" and isinstance(value, int | float):
        return float(value)
    elif family == "blob" and isinstance(value, bytes):
        return value
    raise CopyError(f"{where}: a {type(value).__name__} value does not fit a {family} column")
