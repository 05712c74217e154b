"""One SQL for SQLite and PostgreSQL (issue #14).

A static scan of every migration and repository for SQLite-only constructs (so SQL added later
is flagged with what to write instead), and the schema-parity check: after migrating, both
backends have the same tables, columns, keys and indexes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.db import Database, apply_migrations
from bot.db.migrate import available_migrations
from bot.db.schema import Schema
from bot.db.sql import segments
from tests.helpers.postgres import Cluster

ROOT = Path(__file__).resolve().parents[2]
REPOSITORIES = ROOT / "bot" / "db" / "repositories"

ANY_CASE = re.IGNORECASE
# (pattern, flags, what to write instead); matched on SQL code, never on literals or comments.
SQLITE_ONLY = [
    (r"\blast_insert_rowid\s*\(", ANY_CASE, "INSERT ... RETURNING id (or db.insert)"),
    (r"\bjulianday\s*\(", ANY_CASE, "compute time differences in Python (times are ISO-8601 text)"),
    (r"\b(?:date|time|datetime|strftime|unixepoch)\s*\(", ANY_CASE, "times from the clock (to_db)"),
    (r"\bINSERT\s+OR\s+\w+", ANY_CASE, "INSERT ... ON CONFLICT DO NOTHING / DO UPDATE"),
    (r"\bREPLACE\s+INTO\b", ANY_CASE, "INSERT ... ON CONFLICT (...) DO UPDATE"),
    (
        r"\bsqlite_(?:master|schema|sequence)\b",
        ANY_CASE,
        "db.tables() / db.columns() / db.schema()",
    ),
    (r"\bPRAGMA\b", ANY_CASE, "db.schema() for introspection; no PRAGMA in portable SQL"),
    (r"\browid\b", ANY_CASE, "an explicit id column"),
    (
        r"\b(?:ifnull|group_concat|instr|printf|randomblob|typeof|total)\s*\(",
        ANY_CASE,
        "portable SQL",
    ),
    (r"\bjson_\w+\s*\(", ANY_CASE, "decoding JSON in Python"),
    (r"\bGLOB\b", ANY_CASE, "LIKE"),
    (r"\bIS\s+(?:NOT\s+)?\?", ANY_CASE, "= ? / <> ? (or IS NULL when the value is None)"),
    (r"\bCOLLATE\s+NOCASE\b", ANY_CASE, "lower(column) = lower(?)"),
    (r"\bBEGIN\s+(?:IMMEDIATE|EXCLUSIVE|DEFERRED)\b", ANY_CASE, "db.transaction()"),
    (r"\bLIMIT\s+-1\b", ANY_CASE, "no LIMIT"),
    (
        r"\bSUM\s*\((?!\s*CASE\b)[^()]*(?:[=<>]|\bIS\b|\bIN\b)[^()]*\)",
        ANY_CASE,
        "SUM(CASE WHEN … THEN 1 ELSE 0 END)",
    ),
    (r"\?\d+|(?<![\w:])[:@$][a-z_]\w*", ANY_CASE, "plain ? placeholders"),
]

# Only in migrations, upper case like the type names: types and table options PostgreSQL lacks
# or that would change what repositories read back (times stay ISO-8601 TEXT, flags 0/1).
MIGRATION_ONLY = [
    (r"\b(?:BOOLEAN|BOOL)\b", 0, "INTEGER NOT NULL DEFAULT 0 (flags are 0/1 on both)"),
    (r"\b(?:DATETIME|TIMESTAMP|TIMESTAMPTZ|DATE)\b", 0, "TEXT holding an ISO-8601 UTC time"),
    (r"\bWITHOUT\s+ROWID\b", ANY_CASE, "a plain table"),
    (r"\bSTRICT\b", 0, "a plain table"),
    (r"\bCREATE\s+TRIGGER\b", ANY_CASE, "a NNNN_name.postgres.sql override with its own trigger"),
    (r"(?<!KEY )\bAUTOINCREMENT\b", 0, "INTEGER PRIMARY KEY"),
    (
        r"\b(?:integer|int|text|real|blob)\b(?=\s*[,)]|\s+(?:NOT|NULL|DEFAULT|PRIMARY|UNIQUE|"
        r"CHECK|REFERENCES)\b)",
        0,
        "type names in UPPER CASE (the PostgreSQL translation matches them so)",
    ),
]


def code_of(sql: str) -> str:
    """SQL without its string literals and comments (they may say anything)."""
    return "".join(text if is_code else " '' " for is_code, text in segments(sql))


def problems(sql: str, rules: list[tuple[str, int, str]], where: str) -> list[str]:
    code = code_of(sql)
    return [
        f"{where}: {match.group(0)!r} is SQLite-only: use {instead}"
        for pattern, flags, instead in rules
        for match in re.finditer(pattern, code, flags)
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def python_sql(path: Path) -> list[tuple[int, str]]:
    """Every string constant in a module except docstrings (f-strings: their literal parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


def scan_migration(path: Path) -> list[str]:
    return problems(path.read_text(encoding="utf-8"), SQLITE_ONLY + MIGRATION_ONLY, path.name)


def scan_module(path: Path) -> list[str]:
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for line, text in python_sql(path):
        found += problems(text, SQLITE_ONLY, f"{where}:{line}")
    return found


def test_migrations_and_repositories_use_only_portable_sql() -> None:
    found: list[str] = []
    for migration in available_migrations():
        if "postgres" not in migration.overrides:  # an override exists for dialect SQL
            found += scan_migration(migration.path)
    for module in sorted(REPOSITORIES.glob("*.py")):
        found += scan_module(module)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("sql", "flagged"),
    [
        ("SELECT last_insert_rowid()", "last_insert_rowid"),
        ("SELECT julianday(claimed_at) FROM support_requests", "julianday"),
        ("INSERT OR IGNORE INTO t (a) VALUES (?)", "INSERT OR IGNORE"),
        ("INSERT OR REPLACE INTO t (a) VALUES (?)", "INSERT OR REPLACE"),
        ("SELECT name FROM sqlite_master", "sqlite_master"),
        ("UPDATE t SET at = datetime('now')", "datetime("),
        ("SELECT * FROM t WHERE claimed_by IS ?", "IS ?"),
        ("SELECT SUM(status = 'closed') FROM t", "SUM("),
        ("SELECT * FROM t WHERE a = :name", ":name"),
        ("PRAGMA table_info(t)", "PRAGMA"),
    ],
)
def test_the_scan_flags_sqlite_only_sql(sql: str, flagged: str, tmp_path: Path) -> None:
    module = tmp_path / "repo.py"
    module.write_text(f"async def f(db):\n    await db.execute({sql!r})\n")
    found = scan_module(module)
    assert found and flagged.lower() in found[0].lower(), found


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) FROM t WHERE note = 'julianday(x) or INSERT OR IGNORE'",
        "INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING RETURNING id",
        "SELECT SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) FROM t",
        "SELECT * FROM timers WHERE key LIKE ? ESCAPE '\\'",
        "UPDATE t SET a = ? WHERE b IS NULL AND c IS NOT NULL",
    ],
)
def test_the_scan_passes_portable_sql(sql: str, tmp_path: Path) -> None:
    module = tmp_path / "repo.py"
    module.write_text(f'"""Docstrings may say julianday()."""\n\nSQL = {sql!r}\n')
    assert scan_module(module) == []


def test_the_scan_flags_sqlite_only_migrations(tmp_path: Path) -> None:
    migration = tmp_path / "0099_x.sql"
    migration.write_text(
        "-- comments may say BOOLEAN\n"
        "CREATE TABLE x (id INTEGER PRIMARY KEY AUTOINCREMENT, done BOOLEAN, at DATETIME,\n"
        "  note text NOT NULL DEFAULT 'STRICT', date TEXT) WITHOUT ROWID;\n"
    )
    found = "\n".join(scan_migration(migration))
    for word in ("'BOOLEAN'", "'DATETIME'", "WITHOUT ROWID", "'text'"):
        assert word in found, found
    assert "AUTOINCREMENT" not in found and "STRICT" not in found and "'date'" not in found


# -- schema parity ----------------------------------------------------------------------------
def _comparable(schema: Schema) -> dict:
    return {
        "tables": {
            name: {
                "columns": [
                    (c.name, c.family, c.notnull, c.default, c.identity) for c in t.columns
                ],
                "primary_key": t.primary_key,
                "uniques": sorted(t.uniques),
                "foreign_keys": sorted(
                    (f.columns, f.table, f.references, f.on_delete) for f in t.foreign_keys
                ),
            }
            for name, t in schema.tables.items()
        },
        "indexes": {
            name: (i.table, i.columns, i.unique, i.partial) for name, i in schema.indexes.items()
        },
    }


async def test_both_backends_have_the_same_schema_after_migrating(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    shapes = []
    for target in (str(tmp_path / "k.db"), await pg_cluster.create_database()):
        db = Database(target)
        await db.connect()
        try:
            await apply_migrations(db)
            shapes.append(_comparable(await db.schema()))
        finally:
            await db.close()
    sqlite, postgres = shapes
    assert sorted(sqlite["tables"]) == sorted(postgres["tables"])
    for table in sqlite["tables"]:
        assert sqlite["tables"][table] == postgres["tables"][table], table
    assert sqlite["indexes"] == postgres["indexes"]
    # the scan sees what it should: keys, a partial unique index, generated ids
    requests = sqlite["tables"]["support_requests"]
    assert requests["columns"][0] == ("id", "integer", True, None, True)
    assert sqlite["indexes"]["support_requests_one_live"][2:] == (True, True)
    assert (("checkin_id", "scheduled_for")) in sqlite["tables"]["checkin_posts"]["uniques"]
