"""The scheduler: timers survive restarts, run late rather than never, and retry on failure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from apscheduler.triggers.cron import CronTrigger

from bot.db import Database, apply_migrations
from bot.db.repositories.core import TimerRepository, TimerRow
from bot.scheduling import Scheduler

START = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path):
    database = Database(tmp_path / "k.db")
    await database.connect()
    await apply_migrations(database)
    yield database
    await database.close()


async def wait_for(predicate, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


async def test_timer_fires_and_is_deleted(db: Database) -> None:
    fired: list[TimerRow] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row)

    with time_machine.travel(START, tick=True) as clock:
        scheduler = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        scheduler.register("ping", handler)
        await scheduler.start()
        await scheduler.schedule_once("ping", START + timedelta(minutes=10), {"n": 1}, key="p:1")
        await asyncio.sleep(0.05)
        assert fired == []
        clock.shift(timedelta(minutes=11))
        scheduler.wakeup()
        await wait_for(lambda: len(fired) == 1)
        assert fired[0].payload == {"n": 1}
        await wait_for(lambda: not scheduler.job_ids("timer:"))
        assert await TimerRepository(db).all() == []
        scheduler.shutdown()


async def test_timers_survive_restart_and_overdue_ones_run_late_once(db: Database) -> None:
    fired: list[int] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row.payload["n"])

    with time_machine.travel(START, tick=True) as clock:
        first = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        first.register("ping", handler)
        await first.start()
        await first.schedule_once("ping", START + timedelta(minutes=10), {"n": 1})
        await first.schedule_once("ping", START + timedelta(days=2), {"n": 2})
        first.shutdown()  # the bot goes down before either is due

        clock.shift(timedelta(hours=6))  # far past the first timer, and past any grace time
        second = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        second.register("ping", handler)
        assert await second.start() == 2
        await wait_for(lambda: fired == [1])
        await asyncio.sleep(0.05)
        assert fired == [1]
        assert len(await TimerRepository(db).all()) == 1
        second.shutdown()


async def test_replacing_and_cancelling_by_key(db: Database) -> None:
    fired: list[int] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row.payload["n"])

    with time_machine.travel(START, tick=True) as clock:
        scheduler = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        scheduler.register("ping", handler)
        await scheduler.start()
        await scheduler.schedule_once("ping", START + timedelta(minutes=1), {"n": 1}, key="k")
        await scheduler.schedule_once("ping", START + timedelta(minutes=2), {"n": 2}, key="k")
        await scheduler.schedule_once("ping", START + timedelta(minutes=2), {"n": 3}, key="gone")
        assert await scheduler.cancel("gone")
        clock.shift(timedelta(minutes=3))
        scheduler.wakeup()
        await wait_for(lambda: fired == [2])
        await asyncio.sleep(0.05)
        assert fired == [2]
        scheduler.shutdown()


async def test_failing_handler_is_retried_with_backoff(db: Database) -> None:
    calls: list[int] = []

    async def flaky(row: TimerRow) -> None:
        calls.append(row.attempts)
        if len(calls) == 1:
            raise RuntimeError("Discord was down")

    with time_machine.travel(START, tick=True) as clock:
        scheduler = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        scheduler.register("flaky", flaky)
        await scheduler.start()
        await scheduler.schedule_once("flaky", START, {})
        await wait_for(lambda: len(calls) == 1)
        await asyncio.sleep(0.05)
        (row,) = await TimerRepository(db).all()
        assert row.attempts == 1
        assert row.due_at > START
        clock.shift(timedelta(minutes=2))
        scheduler.wakeup()
        await wait_for(lambda: len(calls) == 2)
        await wait_for(lambda: not scheduler.job_ids("timer:"))
        assert await TimerRepository(db).all() == []
        scheduler.shutdown()


async def test_recurring_job_is_coalesced_and_respects_grace(db: Database) -> None:
    runs: list[datetime] = []

    async def job() -> None:
        runs.append(datetime.now(UTC))

    with time_machine.travel(START, tick=True) as clock:
        scheduler = Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))
        await scheduler.start()
        trigger = CronTrigger(hour=9, minute=0, timezone="Europe/London")
        first = scheduler.add_recurring("checkin:1", trigger, job)
        assert first is not None
        assert first.astimezone(UTC) == datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
        clock.move_to(first + timedelta(minutes=2))  # missed by 2 minutes: within grace
        scheduler.wakeup()
        await wait_for(lambda: len(runs) == 1)
        nxt = scheduler.next_run("checkin:1")
        assert nxt is not None
        # After the clocks go forward, 09:00 London is 08:00 UTC.
        assert nxt.astimezone(UTC) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
        clock.move_to(nxt + timedelta(days=2, minutes=30))  # missed by far more than the grace
        scheduler.wakeup()
        await asyncio.sleep(0.1)
        assert len(runs) == 1
        scheduler.shutdown()
