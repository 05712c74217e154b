"""Numbered raw-SQL migrations (``migrations/NNNN_name.sql``), applied in order.

Every pending migration is applied inside one transaction together with its row in
``schema_migrations``: after a crash the database is either entirely before or entirely after,
never half-migrated. ``executescript`` is avoided on purpose because it commits implicitly.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.db.connection import Database

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    def statements(self) -> list[str]:
        statements: list[str] = []
        buffer = ""
        for line in self.path.read_text(encoding="utf-8").splitlines(keepends=True):
            buffer += line
            if sqlite3.complete_statement(buffer):
                if buffer.strip():
                    statements.append(buffer.strip())
                buffer = ""
        if buffer.strip() and not all(
            part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
        ):
            raise MigrationError(f"{self.path.name}: unterminated statement at the end")
        return statements


def available_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migrations share a number")
    return found


async def current_version(db: Database) -> int:
    exists = await db.fetchval(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_migrations'"
    )
    if not exists:
        return 0
    return int(await db.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


async def apply_migrations(db: Database, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration; return the versions applied (empty when up to date)."""
    migrations = available_migrations(directory)
    async with db.transaction() as tx:
        await tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        done = {row[0] for row in await tx.fetchall("SELECT version FROM schema_migrations")}
        newest_known = max((m.version for m in migrations), default=0)
        if done and max(done) > newest_known:
            raise MigrationError(
                f"the database is at version {max(done)}, newer than this Kindred "
                f"({newest_known}); upgrade Kindred instead of downgrading the database"
            )
        applied: list[int] = []
        for migration in migrations:
            if migration.version in done:
                continue
            for statement in migration.statements():
                try:
                    await tx.execute(statement)
                except sqlite3.Error as exc:
                    raise MigrationError(
                        f"{migration.path.name}: {exc} (nothing was applied)"
                    ) from exc
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            applied.append(migration.version)
    if applied:
        log.info("applied migrations %s", applied)
    return applied
