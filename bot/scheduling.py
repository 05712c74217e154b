"""The one scheduler: APScheduler's AsyncIOScheduler behind a small service.

The database is the source of truth. One-shot work (reminders, escalations, hand-offs) lives in
the ``timers`` table; recurring work (check-ins, shifts) lives in its feature's table and the
feature re-adds its jobs at start-up through ``add_recurring``. APScheduler only holds in-memory
jobs, so nothing is lost when the process dies.

Misfire policy:
- one-shot timers never expire: a timer that came due while the bot was down runs once, late,
  as soon as the bot is back (a late escalation beats a lost one);
- recurring jobs that were missed by less than ``misfire_grace`` run once, late; older runs are
  skipped and logged; several missed runs are coalesced into one, so nothing posts twice.
A timer row is deleted only after its handler succeeds; a failing handler is retried with
backoff up to ``MAX_ATTEMPTS`` times, then dropped and logged.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock, utcnow
from bot.db.repositories.core import TimerRepository, TimerRow

log = logging.getLogger(__name__)

TimerHandler = Callable[[TimerRow], Awaitable[None]]
MAX_ATTEMPTS = 5


class Scheduler:
    def __init__(
        self, timers: TimerRepository, *, misfire_grace: timedelta, clock: Clock = utcnow
    ) -> None:
        self.timers = timers
        self.misfire_grace = misfire_grace
        self.clock = clock
        self._handlers: dict[str, TimerHandler] = {}
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._aps.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.started = False

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> int:
        """Start the scheduler and re-create a job for every stored timer; return that count."""
        if not self.started:
            self._aps.start()
            self.started = True
        rows = await self.timers.all()
        for row in rows:
            self._add_timer_job(row)
        log.info("scheduler started with %d stored timers", len(rows))
        return len(rows)

    def shutdown(self) -> None:
        if self.started:
            self._aps.shutdown(wait=False)
            self.started = False

    def wakeup(self) -> None:
        """Check for due jobs now (used after the clock moved, e.g. in tests)."""
        if self.started:
            self._aps.wakeup()

    # -- one-shot timers -------------------------------------------------------------------
    def register(self, kind: str, handler: TimerHandler) -> None:
        self._handlers[kind] = handler

    async def schedule_once(
        self,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        *,
        guild_id: int | None = None,
        key: str | None = None,
    ) -> TimerRow:
        if key is not None:
            old = await self.timers.by_key(key)
            if old is not None:
                self._remove_job(f"timer:{old.id}")
        row = await self.timers.add(
            kind, due_at, payload or {}, guild_id=guild_id, key=key, now=self.clock()
        )
        if self.started:
            self._add_timer_job(row)
        return row

    async def cancel(self, key: str) -> bool:
        row = await self.timers.by_key(key)
        if row is None:
            return False
        self._remove_job(f"timer:{row.id}")
        return await self.timers.delete(row.id)

    async def cancel_prefix(self, prefix: str) -> int:
        ids = await self.timers.delete_by_key_prefix(prefix)
        for timer_id in ids:
            self._remove_job(f"timer:{timer_id}")
        return len(ids)

    def _add_timer_job(self, row: TimerRow) -> None:
        self._aps.add_job(
            self._fire,
            DateTrigger(run_date=row.due_at),
            args=[row.id],
            id=f"timer:{row.id}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _fire(self, timer_id: int) -> None:
        row = await self.timers.get(timer_id)
        if row is None:
            return
        handler = self._handlers.get(row.kind)
        if handler is None:
            log.error("timer %s has kind %r with no handler; dropped", row.id, row.kind)
            await self.timers.delete(row.id)
            return
        try:
            await handler(row)
        except Exception:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.exception(
                    "timer %s (%s) failed %d times; dropped", row.id, row.kind, MAX_ATTEMPTS
                )
                await self.timers.delete(row.id)
                return
            retry_at = self.clock() + timedelta(seconds=30 * 2**row.attempts)
            log.exception("timer %s (%s) failed; retrying at %s", row.id, row.kind, retry_at)
            await self.timers.reschedule(row.id, retry_at)
            fresh = await self.timers.get(row.id)
            if fresh is not None:
                self._add_timer_job(fresh)
            return
        await self.timers.delete(row.id)

    # -- recurring jobs ----------------------------------------------------------------------
    def add_recurring(
        self,
        job_id: str,
        trigger: BaseTrigger,
        func: Callable[..., Awaitable[None]],
        *args: Any,
        next_run_time: datetime | None = None,
    ) -> datetime | None:
        """Add or replace a recurring job; return its next run time."""
        kwargs: dict[str, Any] = {}
        if next_run_time is not None:
            kwargs["next_run_time"] = next_run_time
        job = self._aps.add_job(
            func,
            trigger,
            args=list(args),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(1, int(self.misfire_grace.total_seconds())),
            **kwargs,
        )
        return getattr(job, "next_run_time", None)

    def remove(self, job_id: str) -> None:
        self._remove_job(job_id)

    def next_run(self, job_id: str) -> datetime | None:
        job = self._aps.get_job(job_id)
        return None if job is None else job.next_run_time

    def job_ids(self, prefix: str = "") -> list[str]:
        return [job.id for job in self._aps.get_jobs() if job.id.startswith(prefix)]

    def _remove_job(self, job_id: str) -> None:
        with contextlib.suppress(JobLookupError):
            self._aps.remove_job(job_id)

    @staticmethod
    def _on_missed(event: JobExecutionEvent) -> None:
        log.warning(
            "job %s missed its run at %s (past the grace time); skipped",
            event.job_id,
            event.scheduled_run_time,
        )
