"""Migrations, transactions, settings and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db import Database, apply_migrations, available_migrations
from bot.db.connection import DatabaseOpenError, unsupported_url
from bot.db.migrate import MigrationError, current_version
from bot.db.repositories.core import AuditRepository, GuildSettingsRepository
from bot.errors import InvalidInputError
from bot.services.settings import CoreSettings, GuildSettingsService

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str):
    database = Database(database_url)
    await database.connect()
    yield database
    await database.close()


async def test_migrations_apply_on_empty_then_nothing_on_current(db: Database) -> None:
    applied = await apply_migrations(db)
    assert applied == [m.version for m in available_migrations()]
    assert await current_version(db) == applied[-1]
    assert await apply_migrations(db) == []
    if db.dialect == "sqlite":
        mode = await db.fetchval("PRAGMA journal_mode")
        assert mode == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1


async def test_failing_migration_leaves_nothing_half_applied(db: Database, tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);\n")
    (migrations / "0002_bad.sql").write_text(
        "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n"
    )
    with pytest.raises(MigrationError, match=r"0002_bad\.sql"):
        await apply_migrations(db, migrations)
    tables = set(await db.tables())
    assert "a" not in tables and "b" not in tables
    assert "schema_migrations" not in tables


async def test_statements_with_triggers_and_comments_split_correctly(
    db: Database, tmp_path: Path
) -> None:
    """A trigger is dialect SQL: the portable file has SQLite's, the override PostgreSQL's
    (dollar-quoted, semicolons inside); each backend runs its own."""
    migrations = tmp_path / "m"
    migrations.mkdir()
    tables = (
        "-- a comment; with a semicolon\n"
        "CREATE TABLE t (x INTEGER, y TEXT DEFAULT 'a;b');\n"
        "CREATE TABLE log (x INTEGER);\n"
    )
    (migrations / "0001_t.sql").write_text(
        tables
        + "CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.x); END;\n"
    )
    (migrations / "0001_t.postgres.sql").write_text(
        tables.replace("INTEGER", "BIGINT")
        + "CREATE FUNCTION t_ins() RETURNS trigger LANGUAGE plpgsql AS $body$\n"
        "BEGIN INSERT INTO log VALUES (new.x); RETURN new; END; $body$;\n"
        "CREATE TRIGGER t_ins AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_ins();\n"
    )
    await apply_migrations(db, migrations)
    await db.execute("INSERT INTO t (x) VALUES (7)")
    assert await db.fetchval("SELECT x FROM log") == 7
    assert await db.fetchval("SELECT y FROM t") == "a;b"


async def test_an_override_without_its_portable_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_only.postgres.sql").write_text("CREATE TABLE a (x BIGINT);\n")
    with pytest.raises(MigrationError, match="needs its portable"):
        available_migrations(tmp_path)


async def test_processes_migrating_together_migrate_once(database_url: str) -> None:
    """Two processes start at once: one applies every migration, the other waits and finds
    nothing to do (PostgreSQL: the advisory lock; SQLite: BEGIN IMMEDIATE)."""
    one, two = Database(database_url), Database(database_url)
    await one.connect()
    await two.connect()
    try:
        results = await asyncio.gather(apply_migrations(one), apply_migrations(two))
        versions = [m.version for m in available_migrations()]
        assert sorted(results, key=len) == [[], versions]
        assert await one.fetchval("SELECT COUNT(*) FROM schema_migrations") == len(versions)
    finally:
        await one.close()
        await two.close()


async def test_database_newer_than_code_is_refused(db: Database, tmp_path: Path) -> None:
    await apply_migrations(db)
    await db.execute(
        "INSERT INTO schema_migrations VALUES (9999, 'future', '2030-01-01T00:00:00+00:00')"
    )
    with pytest.raises(MigrationError, match="newer than this Kindred"):
        await apply_migrations(db)


async def test_a_file_that_is_not_sqlite_is_named_and_leaves_no_thread_behind(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kindred.db"
    path.write_text("this is not a SQLite database\n")
    before = set(threading.enumerate())
    database = Database(path)
    with pytest.raises(DatabaseOpenError, match=f"{path} is not a SQLite database"):
        await database.connect()
    assert not database.is_open
    # aiosqlite's thread is stopped: a process that fails to open its database can exit.
    for _ in range(200):
        if not [t for t in threading.enumerate() if t not in before and t.is_alive()]:
            break
        await asyncio.sleep(0.05)
    assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []
    assert path.read_text() == "this is not a SQLite database\n"


async def test_a_path_that_cannot_be_opened_has_no_thread_left_when_the_error_comes() -> None:
    """aiosqlite stops its thread after a failed open but does not wait for it; the thread
    then answered the event loop, and a command that exits on the error (``copy-db --to
    /proc/x.db``) had closed it: "Event loop is closed" on stderr, now and then. The error
    now comes only once the thread has ended: no polling here."""
    before = set(threading.enumerate())
    for _ in range(5):
        with pytest.raises(DatabaseOpenError, match="cannot open it"):
            await Database("/proc/x.db").connect()
        assert [t for t in threading.enumerate() if t not in before and t.is_alive()] == []


async def test_a_folder_is_not_taken_for_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseOpenError, match="is a folder"):
        await Database(tmp_path).connect()


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("mysql://host/db", True),
        ("postgressql://u@h/d", True),
        ("sqlite://relative.db", True),
        ("postgresql://u@h/d", False),
        ("postgres://u@h/d", False),
        ("sqlite:///data/k.db", False),
        ("data/kindred.db", False),
        ("/srv/kindred/kindred.db", False),
        (":memory:", False),
    ],
)
def test_only_database_urls_kindred_opens_pass_for_urls(target: str, refused: bool) -> None:
    assert unsupported_url(target) is refused


def test_an_unsupported_url_is_never_opened_as_a_sqlite_path() -> None:
    with pytest.raises(DatabaseOpenError, match="must start with postgresql://"):
        Database("mysql://kindred:pw@host/db")


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    await apply_migrations(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO audit_log (action, created_at) VALUES ('x', '2026-01-01')"
            )
            raise RuntimeError("boom")
    assert await db.fetchval("SELECT COUNT(*) FROM audit_log") == 0


async def test_settings_round_trip_with_audit(db: Database) -> None:
    await apply_migrations(db)
    service = GuildSettingsService(GuildSettingsRepository(db), clock=lambda: NOW)
    assert (await service.get(1, CoreSettings)).timezone == "UTC"
    await service.update(
        1, CoreSettings, actor_id=42, timezone="Europe/London", moderator_role_id=5
    )
    fresh = GuildSettingsService(GuildSettingsRepository(db), clock=lambda: NOW)
    core = await fresh.get(1, CoreSettings)
    assert core.timezone == "Europe/London"
    assert core.moderator_role_id == 5
    assert (await fresh.get(2, CoreSettings)).timezone == "UTC"
    audit = await AuditRepository(db).recent(1)
    assert audit[0].actor_id == 42
    assert audit[0].action == "settings.update"
    assert audit[0].detail == {"core.moderator_role_id": 5, "core.timezone": "Europe/London"}


async def test_settings_reject_bad_values_kindly(db: Database) -> None:
    await apply_migrations(db)
    service = GuildSettingsService(GuildSettingsRepository(db))
    with pytest.raises(InvalidInputError, match="I don't know the time zone `Moon/Base`"):
        await service.update(1, CoreSettings, 42, timezone="Moon/Base")
    with pytest.raises(InvalidInputError, match="Unknown setting"):
        await service.update(1, CoreSettings, 42, colour="blue")
    assert (await service.get(1, CoreSettings)).timezone == "UTC"


async def test_corrupt_stored_setting_falls_back_to_default(db: Database) -> None:
    await apply_migrations(db)
    await db.execute(
        "INSERT INTO guild_settings VALUES (1, 'core.timezone', '\"Nowhere/Zone\"', 'x', NULL)"
    )
    await db.execute(
        "INSERT INTO guild_settings VALUES (1, 'core.default_region', '\"GB\"', 'x', NULL)"
    )
    core = await GuildSettingsService(GuildSettingsRepository(db)).get(1, CoreSettings)
    assert core.timezone == "UTC"
    assert core.default_region == "GB"


async def test_sqlite_runs_each_statement_in_one_trip_to_its_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement, its rows and the cursor's close are one hand-over to aiosqlite's thread
    (three were ~3x the CPU of one); inside a transaction too. Also fails if an aiosqlite
    upgrade drops the private entry point this relies on."""
    import aiosqlite

    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self, fn, *args, **kwargs):
        trips.append(getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    database = Database(str(tmp_path / "trips.db"))
    await database.connect()
    try:
        await database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        steps = [
            lambda: database.insert("INSERT INTO t (v) VALUES (?)", ("a",)),
            lambda: database.fetchone("SELECT v FROM t WHERE id = ?", (1,)),
            lambda: database.fetchall("SELECT v FROM t"),
            lambda: database.execute("UPDATE t SET v = ? WHERE id = ?", ("b", 1)),
        ]
        for step in steps:
            trips.clear()
            await step()
            assert len(trips) == 1, trips
        async with database.transaction() as tx:
            trips.clear()
            row = await tx.fetchone("SELECT v FROM t WHERE id = ?", (1,))
            assert len(trips) == 1
        assert row["v"] == "b"
        with pytest.raises(LookupError):
            await database.insert("INSERT INTO t (id, v) VALUES (1, 'x') ON CONFLICT DO NOTHING")
    finally:
        await database.close()


async def test_feedback_given_before_becomes_counts_and_leaves_the_requests(
    db: Database, tmp_path: Path
) -> None:
    """0015: answers stored on requests (next to the member and the peer) become counts per
    server, month and answer; each request keeps only that it was answered."""
    from bot.db.migrate import MIGRATIONS_DIR

    before = tmp_path / "m"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 15:
            (before / path.name).write_text(path.read_text(encoding="utf-8"))
    await apply_migrations(db, before)
    given = [  # guild, member, opened, answer
        (1, 100, "2026-10-03T10:00:00+00:00", "helped"),
        (1, 101, "2026-10-20T10:00:00+00:00", "helped"),
        (1, 102, "2026-11-02T10:00:00+00:00", "not_really"),
        (1, 103, "2026-11-02T11:00:00+00:00", None),
        (2, 100, "2026-11-05T10:00:00+00:00", "somewhat"),
    ]
    for guild, member, opened, answer in given:
        await db.execute(
            "INSERT INTO support_requests (guild_id, requester_id, status, created_at,"
            " last_activity, claimed_by, feedback) VALUES (?, ?, 'closed', ?, ?, 200, ?)",
            (guild, member, opened, opened, answer),
        )
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) >= 15:
            (before / path.name).write_text(path.read_text(encoding="utf-8"))
    assert 15 in await apply_migrations(db, before)
    counts = await db.fetchall(
        "SELECT guild_id, month, answer, answers FROM support_feedback_counts"
        " ORDER BY guild_id, month, answer"
    )
    assert [tuple(r) for r in counts] == [
        (1, "2026-10", "helped", 2),
        (1, "2026-11", "not_really", 1),
        (2, "2026-11", "somewhat", 1),
    ]
    assert "feedback" not in await db.columns("support_requests")
    flags = await db.fetchall(
        "SELECT requester_id, feedback_given FROM support_requests ORDER BY id"
    )
    assert [tuple(r) for r in flags] == [(100, 1), (101, 1), (102, 1), (103, 0), (100, 1)]


async def test_groups_adopted_before_keep_nothing_and_new_ones_keep_their_channel(
    db: Database, tmp_path: Path
) -> None:
    """0016: groups from before carry no adopted channel state (NULL: Kindred doesn't know how
    the channel was, and never opens it wider than it is); new groups store it and read it back."""
    from bot.db.migrate import MIGRATIONS_DIR
    from bot.db.repositories.groups import GroupRepository

    before = tmp_path / "m"
    before.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) < 16:
            (before / path.name).write_text(path.read_text(encoding="utf-8"))
    await apply_migrations(db, before)
    for name, adopted in (("adopted", 1), ("made", 0)):
        await db.execute(
            "INSERT INTO support_groups (guild_id, name, name_key, channel_id, role_id, adopted,"
            " created_at) VALUES (1, ?, ?, 20, 30, ?, '2026-11-01T10:00:00+00:00')",
            (name, name, adopted),
        )
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) >= 16:
            (before / path.name).write_text(path.read_text(encoding="utf-8"))
    assert 16 in await apply_migrations(db, before)
    repo = GroupRepository(db)
    old = await repo.for_guild(1)
    assert [(g.name, g.adopted) for g in old] == [("adopted", True), ("made", False)]
    for group in old:
        assert group.adopted_everyone_allow is None and group.adopted_everyone_deny is None
        assert group.adopted_viewer_roles == frozenset()
    new = await repo.create(
        guild_id=1, name="Carers", name_key="carers", description="", tags=(), private=False,
        channel_id=21, role_id=31, adopted=True, created_by=5, now=NOW,
        as_adopted=(frozenset(), frozenset({"view_channel", "attach_files"}), frozenset({40})),
    )  # fmt: skip
    assert new.adopted_everyone_allow == frozenset()
    assert new.adopted_everyone_deny == {"view_channel", "attach_files"}
    assert new.adopted_viewer_roles == {40}
