"""Daily online backups: the stored timer, the copy, keeping the newest N, the command line."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import PROJECT_ROOT
from bot.config import Settings
from bot.db.backup import backup_database, backups_in, prune
from bot.services import Services, build_services
from bot.services.backup import BACKUP_KEY, next_backup_at
from tests.helpers.processes import clean_env
from tests.unit.conftest import FakeClock


@pytest.fixture
async def backed(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Services]:
    config = Settings(
        database={"path": tmp_path / "kindred.db"},
        backup={"enabled": True, "folder": tmp_path / "backups", "keep": 2, "time": "03:30"},
    )
    built = await build_services(config, clock=clock)
    await built.backup.start()  # arms the timer; the tests hand it to the handler themselves
    yield built
    await built.close()


def test_next_backup_is_the_next_time_of_day_in_utc() -> None:
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    assert next_backup_at(noon, "03:30") == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)
    assert next_backup_at(noon, "12:01") == datetime(2026, 11, 23, 12, 1, tzinfo=UTC)
    assert next_backup_at(noon, "12:00") == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


async def test_start_arms_the_daily_timer_at_the_configured_time(backed: Services) -> None:
    timer = await backed.scheduler.get(BACKUP_KEY)
    assert timer is not None
    assert timer.due_at == datetime(2026, 11, 24, 3, 30, tzinfo=UTC)


async def test_backups_off_arm_nothing_and_drop_a_stored_timer(services: Services) -> None:
    await services.scheduler.schedule_once("backup.daily", services.clock(), key=BACKUP_KEY)
    await services.backup.start()
    assert await services.scheduler.get(BACKUP_KEY) is None


async def test_a_restart_keeps_the_stored_time(backed: Services, clock: FakeClock) -> None:
    first = await backed.scheduler.get(BACKUP_KEY)
    clock.advance(hours=2)
    await backed.backup.start()
    again = await backed.scheduler.get(BACKUP_KEY)
    assert again is not None and first is not None
    assert (again.id, again.due_at) == (first.id, first.due_at)


async def test_the_timer_copies_the_database_rearms_and_keeps_the_newest(
    backed: Services, clock: FakeClock
) -> None:
    await backed.db.execute(
        "INSERT INTO member_prefs (user_id, key, value, updated_at) VALUES (?, ?, ?, ?)",
        (42, "timezone", '"Europe/Paris"', "2026-11-23"),
    )
    made = []
    for _ in range(3):
        clock.advance(days=1)
        timer = await backed.scheduler.get(BACKUP_KEY)
        assert timer is not None
        made.append(await backed.backup.on_backup(timer))
        rearmed = await backed.scheduler.get(BACKUP_KEY)
        assert rearmed is not None and rearmed.due_at > clock()
        assert f"{rearmed.due_at:%H:%M}" == "03:30"
    kept = backups_in(made[0].parent)
    assert kept == made[1:], "keep = 2: the oldest copy is gone"
    with sqlite3.connect(kept[-1]) as copy:
        assert copy.execute("SELECT value FROM member_prefs WHERE user_id = 42").fetchone()
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not list(made[0].parent.glob("*.part"))


async def test_a_backup_while_a_write_is_open_is_a_consistent_snapshot(
    backed: Services, clock: FakeClock
) -> None:
    async with backed.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO member_prefs (user_id, key, value, updated_at) VALUES (?, ?, ?, ?)",
            (7, "timezone", '"Asia/Tokyo"', "2026-11-23"),
        )
        path = await backed.backup.backup_now()  # another connection, in a thread
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT COUNT(*) FROM member_prefs WHERE user_id = 7").fetchone() == (
            0,
        )
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_no_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no database at"):
        backup_database(tmp_path / "absent.db", tmp_path / "b", datetime.now(UTC))
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_a_file_that_is_not_sqlite_is_a_clear_error_and_leaves_no_copy(tmp_path: Path) -> None:
    source = tmp_path / "kindred.db"
    source.write_text("this is not a SQLite database\n")
    with pytest.raises(RuntimeError, match=f"{source} is not a SQLite database"):
        backup_database(source, tmp_path / "b", datetime.now(UTC))
    assert not any((tmp_path / "b").iterdir())


def test_prune_leaves_other_files_and_fresh_partials_alone(tmp_path: Path) -> None:
    names = (
        "kindred-20260101-000000.db",
        "kindred-20260102-000000.db",
        "notes.txt",
        "kindred-20260102-000000.db.abc.part",
        "kindred-20260101-000000.db.old.part-journal",
    )
    for name in names:
        (tmp_path / name).write_text("x")
    os.utime(tmp_path / names[-1], (0, 0))  # left by a backup interrupted long ago
    assert sorted(p.name for p in prune(tmp_path, 1)) == sorted([names[0], names[-1]])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[1:4])


def test_backup_command_copies_into_the_folder_given(tmp_path: Path) -> None:
    db = tmp_path / "kindred.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    env = clean_env(
        KINDRED_DATABASE__PATH=str(db), KINDRED_CONFIG=str(PROJECT_ROOT / "config.example.toml")
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backup", "--to", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (copy,) = backups_in(tmp_path / "out")
    assert f"backed up to {copy}" in result.stdout
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    env["KINDRED_DATABASE__PATH"] = str(tmp_path / "absent.db")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "backup"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "backup failed: no database at" in result.stderr
