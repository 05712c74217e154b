"""Online backups of the SQLite file with sqlite3's backup API.

Safe while Kindred runs: the copy is a consistent snapshot (in WAL mode a reader never blocks
the bot's writes). Blocking: callers on the event loop run it in a thread. A backup is written
as ``<name>.part``, checked, then renamed, so a half-written file never looks like a backup.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import uuid
from datetime import datetime
from pathlib import Path

from bot.db.connection import DatabaseOpenError

PREFIX, SUFFIX = "kindred-", ".db"
STALE_PARTIAL_SECONDS = 3600


def backup_name(now: datetime) -> str:
    return f"{PREFIX}{now:%Y%m%d-%H%M%S}{SUFFIX}"


def backups_in(folder: Path) -> list[Path]:
    """Kindred's backups in ``folder``, oldest first (the names sort by time)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())


def backup_database(source: Path, folder: Path, now: datetime) -> Path:
    """Copy the database at ``source`` into ``folder``; return the new file's path.

    Raises ``FileNotFoundError`` when there is no database, ``DatabaseOpenError`` (a
    ``RuntimeError``) when it is not a SQLite database or the copy cannot be written, and
    ``RuntimeError`` when the copy fails (its integrity check; the partial file is removed
    either way)."""
    if not source.is_file():
        raise FileNotFoundError(f"no database at {source}")
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup_name(now)
    # Unique per writer: a manual backup and the daily one in the same second never share it.
    partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        _copy(source, partial)
        _fsync(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def _copy(source: Path, partial: Path) -> None:
    try:
        src = sqlite3.connect(source)
    except sqlite3.Error as exc:
        raise DatabaseOpenError(f"{source}: cannot open it ({exc})") from exc
    try:
        try:
            src.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise DatabaseOpenError(f"{source} is not a SQLite database ({exc})") from exc
        try:
            dst = sqlite3.connect(partial)
        except sqlite3.Error as exc:
            raise DatabaseOpenError(f"cannot write the copy in {partial.parent} ({exc})") from exc
        try:
            # One step (pages=-1): a reader in WAL mode sees one snapshot, however busy the bot.
            src.backup(dst, pages=-1)
            # The copy stands alone: no WAL beside it, so copying the one file restores it.
            dst.execute("PRAGMA journal_mode=DELETE")
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as exc:
            raise RuntimeError(f"the copy into {partial.parent} failed ({exc})") from exc
        finally:
            dst.close()
    finally:
        src.close()
    if verdict != "ok":
        raise RuntimeError(f"the copy failed its integrity check: {verdict}")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder``, and partial copies an
    interrupted backup left over an hour ago; return what was deleted."""
    old = backups_in(folder)[:-keep] if keep > 0 else []
    if folder.is_dir():
        stale = time.time() - STALE_PARTIAL_SECONDS
        old += [p for p in folder.glob(f"{PREFIX}*.part*") if p.stat().st_mtime < stale]
    for path in old:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    return old
