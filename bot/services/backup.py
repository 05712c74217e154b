"""Daily backups: a stored timer (``backup.daily``) copies the database into ``[backup] folder``
at ``[backup] time`` (UTC) and keeps the newest ``[backup] keep`` copies.

Like the retention purge, the timer needs no Discord: this service registers its own handler
and arms it at start-up unless one is stored (a restart keeps the stored time). A backup missed
while Kindred was down runs once when it is back. The copy runs in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from bot.clock import Clock, utcnow
from bot.config import BackupSettings, Settings
from bot.db.backup import backup_database, prune
from bot.db.repositories.core import TimerRow
from bot.timers import Scheduler

log = logging.getLogger(__name__)

BACKUP, BACKUP_KEY = "backup.daily", "backup:daily"


def next_backup_at(after: datetime, at: str) -> datetime:
    """The first ``HH:MM`` UTC strictly after ``after``."""
    hours, minutes = (int(part) for part in at.split(":"))
    moment = datetime.combine(after.date(), time(hours, minutes), tzinfo=after.tzinfo)
    return moment if moment > after else moment + timedelta(days=1)


def backup_once(settings: Settings, folder: Path | None = None) -> Path:
    """One backup now (blocking; ``python -m bot backup``). Only the configured folder is
    pruned: a copy made elsewhere by hand (before an upgrade, say) deletes nothing."""
    target = folder or settings.backup.resolved_folder()
    path = backup_database(settings.database.resolved_path(), target, utcnow())
    if folder is None:
        prune(target, settings.backup.keep)
    return path


@dataclass
class BackupService:
    database: Path
    config: BackupSettings
    scheduler: Scheduler
    clock: Clock = utcnow

    async def start(self) -> None:
        """Handle the daily timer; arm it when backups are on and none is stored (or the
        stored one is at another time of day than configured), drop it when they are off."""
        self.scheduler.register(BACKUP, self.on_backup)
        stored = await self.scheduler.get(BACKUP_KEY)
        if not self.config.enabled:
            if stored is not None:
                await self.scheduler.cancel(BACKUP_KEY)
            return
        if stored is None or f"{stored.due_at:%H:%M}" != self.config.time:
            await self._arm()

    async def _arm(self) -> datetime:
        due = next_backup_at(self.clock(), self.config.time)
        await self.scheduler.schedule_once(BACKUP, due, key=BACKUP_KEY)
        return due

    async def on_backup(self, timer: TimerRow) -> Path:
        """Daily: re-arm first (a failing backup must not end backups), then copy and prune."""
        await self._arm()
        return await self.backup_now()

    async def backup_now(self) -> Path:
        folder = self.config.resolved_folder()
        path = await asyncio.to_thread(backup_database, self.database, folder, self.clock())
        removed = await asyncio.to_thread(prune, folder, self.config.keep)
        log.info("backed up the database to %s; removed %d old backups", path, len(removed))
        return path
