"""``python -m bot copy-db``: an existing SQLite database, copied into PostgreSQL (issue #14).

A database with something in every feature's tables is copied; every row arrives unchanged,
new ids continue after the copied ones, a non-empty target or an out-of-date source is refused
with nothing written, and the command line does the same, plus ``migrate`` on PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.config import Settings
from bot.db import Database, apply_migrations
from bot.db.copy import CopyError, copy_database
from bot.db.repositories.checkins import CheckinRepository
from bot.db.repositories.core import AuditRepository
from bot.db.repositories.requests import RequestRepository
from bot.db.repositories.safety import SafetyRepository
from bot.services import build_services
from tests.helpers.postgres import Cluster
from tests.helpers.processes import clean_env
from tests.unit.conftest import FakeClock
from tests.unit.test_forgetting import GUILD, OTHER, populate

pytestmark = pytest.mark.pg

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FILLED = {
    "audit_log", "checkin_moods", "checkin_posts", "checkins", "duty", "duty_shifts",
    "guild_resources", "guild_settings", "guild_tags", "kv", "member_prefs", "peer_tags",
    "personal_checkins", "personal_moods", "relay_messages", "relayed_messages",
    "safety_alerts", "safety_events", "safety_feedback", "support_blocks", "support_requests",
    "timers",
}  # fmt: skip


async def make_sqlite(path: Path) -> None:
    """A SQLite database as a community would have it after a while."""
    clock = FakeClock(NOW)
    services = await build_services(Settings(database={"path": path}), clock=clock)
    try:
        await populate(services, clock)
        await services.privacy.forget(OTHER)  # ids with gaps
        again = (await services.peers.requests.open(GUILD, OTHER, summary="back again")).request
        requests = RequestRepository(services.db)
        await requests.add_relay_message(again.id, "member", "hello", NOW)
        await requests.claim_relay(123456789, again.id, NOW)
        checkins = CheckinRepository(services.db)
        checkin = await checkins.create(
            guild_id=GUILD, channel_id=1, schedule="daily 09:00", tz="UTC", title="t",
            prompts=["How are you?"], use_thread=False, show_summary=True, created_by=1, now=NOW,
        )  # fmt: skip
        post = await checkins.claim_post(checkin, NOW)
        assert post is not None
        await checkins.vote(post, "voter-hash", 4, NOW)
        await services.db.execute("INSERT INTO kv (key, value) VALUES ('k', 'v')")
        await SafetyRepository(services.db).add_resource(
            GUILD, "Line", "phone", "123", "GB", "24/7", None, 1, NOW
        )
    finally:
        await services.close()


async def dump(db: Database) -> dict[str, list[tuple]]:
    tables = [t for t in await db.tables() if t != "schema_migrations"]
    out = {}
    for table in tables:
        columns = await db.columns(table)
        rows = await db.fetchall(f"SELECT * FROM {table}")
        out[table] = sorted((tuple(r[c] for c in columns) for r in rows), key=repr)
    return out


async def opened(target: str) -> Database:
    db = Database(target)
    await db.connect()
    return db


async def test_every_row_arrives_and_new_ids_follow_the_copied_ones(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    await make_sqlite(tmp_path / "k.db")
    source, target = (
        await opened(str(tmp_path / "k.db")),
        await opened(await pg_cluster.create_database()),
    )
    try:
        counts = await copy_database(source, target)
        before = await dump(source)
        assert before == await dump(target)
        # every table of this release has rows to copy (later tables: whatever they hold)
        empty = {table for table, n in counts.items() if n == 0}
        assert not empty & FILLED, empty
        assert set(counts) == set(before)
        largest = await target.fetchval("SELECT MAX(id) FROM audit_log")
        new_id = await AuditRepository(target).add(1, 2, "x.after_copy", {}, NOW)
        assert new_id == largest + 1
    finally:
        await source.close()
        await target.close()


async def test_a_target_with_rows_is_refused_and_left_alone(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    await make_sqlite(tmp_path / "k.db")
    source, target = (
        await opened(str(tmp_path / "k.db")),
        await opened(await pg_cluster.create_database()),
    )
    try:
        await apply_migrations(target)
        await AuditRepository(target).add(1, 2, "x.already_here", {}, NOW)
        with pytest.raises(CopyError, match=r"not empty \(audit_log has rows\)"):
            await copy_database(source, target)
        assert await target.fetchval("SELECT COUNT(*) FROM audit_log") == 1
        assert await target.fetchval("SELECT COUNT(*) FROM support_requests") == 0
    finally:
        await source.close()
        await target.close()


async def test_an_out_of_date_source_is_refused(pg_cluster: Cluster, tmp_path: Path) -> None:
    source, target = (
        await opened(str(tmp_path / "old.db")),
        await opened(await pg_cluster.create_database()),
    )
    try:
        await source.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT,"
            " applied_at TEXT)"
        )
        await source.execute("INSERT INTO schema_migrations VALUES (1, 'core', 'x')")
        with pytest.raises(CopyError, match=r"version 1.*python -m bot migrate"):
            await copy_database(source, target)
        assert await target.tables() == []
    finally:
        await source.close()
        await target.close()


async def test_a_value_that_does_not_fit_names_table_column_and_row(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    await make_sqlite(tmp_path / "k.db")
    source, target = (
        await opened(str(tmp_path / "k.db")),
        await opened(await pg_cluster.create_database()),
    )
    try:
        await source.execute("UPDATE duty_shifts SET user_id = 'someone'")  # SQLite lets it in
        with pytest.raises(CopyError, match=r"duty_shifts\.user_id, row 1: a str value"):
            await copy_database(source, target)
        assert await target.fetchval("SELECT COUNT(*) FROM audit_log") == 0  # all or nothing
    finally:
        await source.close()
        await target.close()


def _cli(*args: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(**extra, KINDRED_CONFIG=str(tmp_path / "none.toml"))
    (tmp_path / "none.toml").write_text(f"[database]\npath = '{tmp_path}/k.db'\n")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
        check=False,
    )


async def test_the_commands_migrate_and_copy_then_refuse_a_second_copy(
    pg_cluster: Cluster, tmp_path: Path
) -> None:
    await make_sqlite(tmp_path / "k.db")
    url = await pg_cluster.create_database()
    for expected in ("applied migrations (postgres)", "database is up to date (postgres)"):
        migrate = _cli("migrate", tmp_path=tmp_path, KINDRED_DATABASE__URL=url)
        assert migrate.returncode == 0, migrate.stderr
        assert expected in migrate.stdout
    target = await pg_cluster.create_database()
    first = _cli(
        "copy-db", "--from", f"sqlite:///{tmp_path}/k.db", "--to", target, tmp_path=tmp_path
    )
    assert first.returncode == 0, first.stderr
    assert "support_requests:" in first.stdout and "rows in" in first.stdout
    again = _cli("copy-db", "--to", target, tmp_path=tmp_path)  # --from: the configured file
    assert again.returncode == 1
    assert "not empty" in again.stderr and "nothing was copied" in again.stderr
    assert "Traceback" not in again.stderr
    nowhere = _cli("copy-db", tmp_path=tmp_path)
    assert nowhere.returncode == 2 and "--to postgresql://" in nowhere.stderr
