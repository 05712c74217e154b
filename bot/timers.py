"""The one scheduler: a single dispatcher over the ``timers`` table, woken by APScheduler.

The database is the source of truth (RoboDanny's timer design): every piece of scheduled work
(a check-in post, a reminder, an escalation step, a shift start) is a row with a due time.
APScheduler's ``AsyncIOScheduler`` holds exactly one job, the alarm for the earliest due row.
Start-up therefore costs one indexed query however many timers are stored, and a restart loses
nothing. Recurring work re-arms itself: its handler computes the next occurrence (in the
member's or channel's IANA zone, so DST is handled by zoneinfo) and schedules it.

Misfire policy:
- a timer due while the bot was down runs once as soon as the bot is back; handlers of
  recurring work call ``too_late(row)`` and skip (and log) runs older than ``misfire_grace``;
- a timer row is deleted only after its handler succeeds; a failing handler is retried with
  backoff up to ``MAX_ATTEMPTS`` times, then dropped and logged;
- one row never runs twice at once (an in-flight set), and replacing a keyed timer drops the
  old row in the same transaction.

Clustered (several processes on PostgreSQL, ``cluster=ClusterTimers(...)``): each process
dispatches only its own shards' timers (guild-less ones belong to shard 0). A due row is
claimed by leasing it (``FOR UPDATE SKIP LOCKED``, so no two processes claim one row); the
lease is renewed while the handler runs and given back on a clean shutdown, and a lease left
by a process that died expires, so the timer runs again. Storing a timer NOTIFYs every
process, and each also polls every ``poll`` as the safety net. Without ``cluster`` (one
process, SQLite) none of this runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.clock import Clock, utcnow
from bot.db.repositories.core import ShardSet, TimerRepository, TimerRow

log = logging.getLogger(__name__)

TimerHandler = Callable[[TimerRow], Awaitable[None]]
MAX_ATTEMPTS = 5
BATCH = 200
DISPATCH_JOB = "kindred:dispatch"


def _process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{id(object()):x}"


@dataclass(frozen=True)
class ClusterTimers:
    """How one process of a cluster takes part in running timers."""

    shards: ShardSet
    lease: timedelta = timedelta(seconds=60)
    poll: timedelta = timedelta(seconds=30)
    owner: str = field(default_factory=_process_name)


class Scheduler:
    def __init__(
        self,
        timers: TimerRepository,
        *,
        misfire_grace: timedelta,
        clock: Clock = utcnow,
        cluster: ClusterTimers | None = None,
    ) -> None:
        self.timers = timers
        self.misfire_grace = misfire_grace
        self.clock = clock
        self.cluster = cluster
        self._poller: asyncio.Task[None] | None = None
        self._handlers: dict[str, TimerHandler] = {}
        self._aps = AsyncIOScheduler(timezone="UTC")
        self._inflight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._dispatch_lock = asyncio.Lock()
        self.started = False

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self) -> int:
        """Start the alarm for the earliest stored timer; return how many timers are stored."""
        if not self.started:
            self._aps.start()
            self.started = True
            if self.cluster is not None:
                await self.timers.listen(self._on_stored)
                self._poller = asyncio.get_running_loop().create_task(self._poll())
        await self._arm()
        count = await self.timers.count()
        log.info("scheduler started with %d stored timers", count)
        return count

    def shutdown(self) -> None:
        if self.started:
            self._aps.shutdown(wait=False)
            self.started = False
        if self._poller is not None:
            self._poller.cancel()
            self._poller = None
        for task in list(self._tasks):
            task.cancel()

    async def stop(self) -> None:
        """A clean shutdown: stop, wait for the handlers, and (clustered) give back the
        leases of what was cut short, so another process runs it now, not after the lease."""
        self.shutdown()
        await self.idle()
        if self.cluster is not None:
            await self.timers.unlisten(self._on_stored)
            await self.timers.release(self.cluster.owner)

    def wakeup(self) -> None:
        """Check for due timers now (after the clock moved, e.g. in tests)."""
        if self.started:
            task = asyncio.get_running_loop().create_task(self._dispatch())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def idle(self) -> None:
        """Wait until no handler is running (tests use this instead of sleeping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- timers ---------------------------------------------------------------------------
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
        """Store a timer (replacing any with the same key) and re-arm the alarm."""
        row = await self.timers.add(
            kind, due_at, payload or {}, guild_id=guild_id, key=key, now=self.clock()
        )
        if self.started:
            await self._arm()
        return row

    async def cancel(self, key: str) -> bool:
        row = await self.timers.by_key(key)
        if row is None:
            return False
        return await self.timers.delete(row.id)

    async def cancel_prefix(self, prefix: str) -> int:
        return len(await self.timers.delete_by_key_prefix(prefix))

    async def get(self, key: str) -> TimerRow | None:
        return await self.timers.by_key(key)

    async def lag(self) -> timedelta:
        """How long the earliest due timer not already running has waited (zero if none):
        for the health check, a queue that stopped moving shows here."""
        nxt = await self._next()
        return max(self.clock() - nxt, timedelta(0)) if nxt is not None else timedelta(0)

    def too_late(self, row: TimerRow) -> bool:
        """For recurring work: was this run missed by more than the grace time?"""
        return self.clock() - row.due_at > self.misfire_grace

    # -- the dispatcher ---------------------------------------------------------------------
    async def _next(self) -> datetime | None:
        if self.cluster is None:
            return await self.timers.next_due(self._inflight)
        return await self.timers.next_claimable(self._inflight, self.cluster.shards)

    async def _due(self) -> list[TimerRow]:
        if self.cluster is None:
            return await self.timers.due(self.clock(), BATCH)
        now = self.clock()
        return await self.timers.claim(
            now, BATCH, self.cluster.shards, self.cluster.owner, now + self.cluster.lease
        )

    def _on_stored(self, _channel: str, guild_id: str) -> None:
        """Another (or this) process stored a timer: re-arm if it is one of ours."""
        assert self.cluster is not None
        if self.started and self.cluster.shards.owns(int(guild_id or 0)):
            self._spawn(self._arm())

    async def _poll(self) -> None:
        assert self.cluster is not None
        while True:
            await asyncio.sleep(self.cluster.poll.total_seconds())
            try:
                await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("timer poll failed; trying again in %s", self.cluster.poll)

    async def _renew(self, row: TimerRow) -> None:
        """Keep the lease of a running handler alive (a slow handler is not run twice)."""
        assert self.cluster is not None
        while True:
            await asyncio.sleep(self.cluster.lease.total_seconds() / 3)
            until = self.clock() + self.cluster.lease
            with contextlib.suppress(Exception):
                await self.timers.renew(row.id, self.cluster.owner, until)

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.get_running_loop().create_task(work)  # type: ignore[arg-type]
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _arm(self) -> None:
        nxt = await self._next()
        if nxt is None:
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(DISPATCH_JOB)
            return
        if nxt <= self.clock():
            # Already due: dispatch directly. (Re-adding the alarm from inside a running
            # dispatch would be skipped by APScheduler as a second concurrent instance.)
            self.wakeup()
            return
        # APScheduler's alarm rings on the wall clock: wait as long as our clock says, which
        # is the same thing in production and right when the clock is moved (the sandbox).
        delay = max(nxt - self.clock(), timedelta(0))
        self._aps.add_job(
            self._dispatch,
            DateTrigger(run_date=utcnow() + delay),
            id=DISPATCH_JOB,
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _dispatch(self) -> None:
        async with self._dispatch_lock:
            rows = await self._due()
            for row in rows:
                if row.id in self._inflight:
                    continue
                self._inflight.add(row.id)
                task = asyncio.get_running_loop().create_task(self._fire(row))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            if self.started:
                await self._arm()

    async def _fire(self, row: TimerRow) -> None:
        renewer = None
        if self.cluster is not None:
            renewer = asyncio.get_running_loop().create_task(self._renew(row))
        try:
            await self._run(row)
        finally:
            if renewer is not None:
                renewer.cancel()
            self._inflight.discard(row.id)
            if self.started:
                await self._arm()

    async def _run(self, row: TimerRow) -> None:
        handler = self._handlers.get(row.kind)
        if handler is None:
            log.error("timer %s has kind %r with no handler; dropped", row.id, row.kind)
            await self.timers.delete(row.id)
            return
        try:
            await handler(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            if row.attempts + 1 >= MAX_ATTEMPTS:
                log.exception(
                    "timer %s (%s) failed %d times; dropped", row.id, row.kind, MAX_ATTEMPTS
                )
                await self.timers.delete(row.id)
                return
            if await self.timers.get(row.id) is None:
                # The handler had already stored the next occurrence under the same key
                # (recurring work re-arms first), so this run is lost but the next one stands.
                log.exception(
                    "timer %s (%s) failed after re-arming; this run is skipped", row.id, row.kind
                )
                return
            retry_at = self.clock() + timedelta(seconds=30 * 2**row.attempts)
            log.exception("timer %s (%s) failed; retrying at %s", row.id, row.kind, retry_at)
            await self.timers.reschedule(row.id, retry_at)
            return
        await self.timers.delete(row.id)
