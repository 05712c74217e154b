"""Numbered raw-SQL migrations (``migrations/NNNN_name.sql``), one set for both backends.

Every pending migration is applied inside one transaction together with its row in
``schema_migrations``: after a crash the database is either entirely before or entirely after,
never half-migrated. ``executescript`` is avoided on purpose because it commits implicitly.

A migration is written once in portable SQL (bot/db/sql.py says which subset) and translated
for PostgreSQL. When it cannot be, an override ``NNNN_name.postgres.sql`` (or
``NNNN_name.sqlite.sql``) beside it is used on that backend instead, as written; the
schema-parity test checks both still end up with the same tables, columns and indexes. On
PostgreSQL the whole run holds an advisory lock, so processes starting together migrate once.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.db.connection import Database
from bot.db.sql import translate_ddl

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DIALECTS = ("sqlite", "postgres")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+?)(?:\.(sqlite|postgres))?\.sql$")
LOCK = "kindred.migrate"


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    overrides: dict[str, Path] = field(default_factory=dict, compare=False)

    def file_for(self, dialect: str) -> Path:
        return self.overrides.get(dialect, self.path)

    def sql(self, dialect: str) -> str:
        """The text ``dialect`` runs: its override as written, or the portable file translated."""
        path = self.file_for(dialect)
        text = path.read_text(encoding="utf-8")
        return text if path != self.path else translate_ddl(text, dialect)

    def statements(self, dialect: str = "sqlite") -> list[str]:
        """SQLite runs one statement at a time (triggers with inner semicolons included)."""
        statements: list[str] = []
        buffer = ""
        for line in self.sql(dialect).splitlines(keepends=True):
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
    base: dict[int, Migration] = {}
    overrides: dict[int, dict[str, Path]] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(
                f"{path.name}: migration files are named NNNN_name.sql"
                " (or NNNN_name.postgres.sql / NNNN_name.sqlite.sql for an override)"
            )
        version, name, dialect = int(match.group(1)), match.group(2), match.group(3)
        if dialect:
            overrides.setdefault(version, {})[dialect] = path
        elif version in base:
            raise MigrationError("two migrations share a number")
        else:
            base[version] = Migration(version, name, path, {})
    for version, files in overrides.items():
        if version not in base:
            names = ", ".join(p.name for p in files.values())
            raise MigrationError(f"{names}: an override needs its portable NNNN_name.sql beside it")
        for path in files.values():
            if not path.name.startswith(base[version].path.stem + "."):
                raise MigrationError(f"{path.name}: named differently from {base[version].path}")
        base[version].overrides.update(files)
    return [base[v] for v in sorted(base)]


async def current_version(db: Database) -> int:
    if "schema_migrations" not in await db.tables():
        return 0
    return int(await db.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))


_BOOKKEEPING = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
)


async def apply_migrations(db: Database, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply every pending migration; return the versions applied (empty when up to date)."""
    migrations = available_migrations(directory)
    dialect = db.dialect
    async with db.transaction() as tx:
        await tx.lock(LOCK)  # PostgreSQL: one migrator at a time; SQLite: already serial
        await tx.execute(translate_ddl(_BOOKKEEPING, dialect))
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
            # PostgreSQL runs a file as one script (dollar-quoted bodies and all); SQLite one
            # statement at a time, since its driver runs only one per call.
            scripts = [migration.sql(dialect)] if dialect == "postgres" else None
            for statement in scripts or migration.statements(dialect):
                try:
                    await tx.execute(statement)
                except Exception as exc:
                    name = migration.file_for(dialect).name
                    raise MigrationError(f"{name}: {exc} (nothing was applied)") from exc
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            applied.append(migration.version)
    if applied:
        log.info("applied migrations %s", applied)
    return applied
