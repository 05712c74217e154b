"""The scheduler: timers survive restarts, run late rather than never, and retry on failure."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from bot.db import Database, apply_migrations
from bot.db.repositories.core import TimerRepository, TimerRow
from bot.timers import Scheduler

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


def make(db: Database) -> Scheduler:
    return Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5))


async def test_timer_fires_when_due_and_is_deleted(db: Database) -> None:
    fired: list[TimerRow] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row)

    with time_machine.travel(START, tick=True) as clock:
        scheduler = make(db)
        scheduler.register("ping", handler)
        await scheduler.start()
        await scheduler.schedule_once("ping", START + timedelta(minutes=10), {"n": 1}, key="p:1")
        scheduler.wakeup()
        await scheduler.idle()
        assert fired == []
        clock.shift(timedelta(minutes=11))
        scheduler.wakeup()
        await wait_for(lambda: len(fired) == 1)
        await scheduler.idle()
        assert fired[0].payload == {"n": 1}
        assert await TimerRepository(db).all() == []
        scheduler.shutdown()


async def test_timers_survive_restart_and_overdue_ones_run_late_once(db: Database) -> None:
    fired: list[int] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row.payload["n"])

    with time_machine.travel(START, tick=True) as clock:
        first = make(db)
        first.register("ping", handler)
        await first.start()
        await first.schedule_once("ping", START + timedelta(minutes=10), {"n": 1})
        await first.schedule_once("ping", START + timedelta(days=2), {"n": 2})
        first.shutdown()  # the bot goes down before either is due

        clock.shift(timedelta(hours=6))  # far past the first timer, and past any grace time
        second = make(db)
        second.register("ping", handler)
        assert await second.start() == 2
        await wait_for(lambda: fired == [1])
        await second.idle()
        second.wakeup()
        await second.idle()
        assert fired == [1]
        (left,) = await TimerRepository(db).all()
        assert left.payload == {"n": 2}
        second.shutdown()


async def test_replacing_and_cancelling_by_key(db: Database) -> None:
    fired: list[int] = []

    async def handler(row: TimerRow) -> None:
        fired.append(row.payload["n"])

    with time_machine.travel(START, tick=True) as clock:
        scheduler = make(db)
        scheduler.register("ping", handler)
        await scheduler.start()
        await scheduler.schedule_once("ping", START + timedelta(minutes=1), {"n": 1}, key="k")
        await scheduler.schedule_once("ping", START + timedelta(minutes=2), {"n": 2}, key="k")
        await scheduler.schedule_once("ping", START + timedelta(minutes=2), {"n": 3}, key="gone")
        assert await scheduler.cancel("gone")
        clock.shift(timedelta(minutes=3))
        scheduler.wakeup()
        await wait_for(lambda: fired == [2])
        await scheduler.idle()
        assert fired == [2]
        scheduler.shutdown()


async def test_failing_handler_is_retried_with_backoff(db: Database) -> None:
    calls: list[int] = []

    async def flaky(row: TimerRow) -> None:
        calls.append(row.attempts)
        if len(calls) == 1:
            raise RuntimeError("Discord was down")

    with time_machine.travel(START, tick=True) as clock:
        scheduler = make(db)
        scheduler.register("flaky", flaky)
        await scheduler.start()
        await scheduler.schedule_once("flaky", START, {})
        await wait_for(lambda: len(calls) == 1)
        await scheduler.idle()
        (row,) = await TimerRepository(db).all()
        assert row.attempts == 1
        assert row.due_at > START
        clock.shift(timedelta(minutes=2))
        scheduler.wakeup()
        await wait_for(lambda: len(calls) == 2)
        await scheduler.idle()
        assert calls == [0, 1]
        assert await TimerRepository(db).all() == []
        scheduler.shutdown()


async def test_recurring_work_rearms_itself_and_skips_runs_past_grace(db: Database) -> None:
    posted: list[datetime] = []
    skipped: list[datetime] = []

    with time_machine.travel(START, tick=True) as clock:
        scheduler = make(db)

        async def hourly(row: TimerRow) -> None:
            (skipped if scheduler.too_late(row) else posted).append(row.due_at)
            nxt = row.due_at + timedelta(hours=1)
            while nxt <= scheduler.clock():
                nxt += timedelta(hours=1)
            await scheduler.schedule_once("hourly", nxt, key="hourly")

        scheduler.register("hourly", hourly)
        await scheduler.start()
        await scheduler.schedule_once("hourly", START + timedelta(hours=1), key="hourly")
        clock.shift(timedelta(hours=1, minutes=2))  # 2 minutes late: within the grace
        scheduler.wakeup()
        await wait_for(lambda: len(posted) == 1)
        await scheduler.idle()
        clock.shift(timedelta(hours=3))  # the next run is now 2 h late: skipped, not posted
        scheduler.wakeup()
        await wait_for(lambda: len(skipped) == 1)
        await scheduler.idle()
        assert posted == [START + timedelta(hours=1)]
        (row,) = await TimerRepository(db).all()
        assert row.due_at > scheduler.clock()
        scheduler.shutdown()


async def test_many_timers_start_in_one_query(db: Database) -> None:
    repo = TimerRepository(db)
    for i in range(500):
        await repo.add("x", START + timedelta(minutes=i), {}, guild_id=None, key=None, now=START)
    scheduler = make(db)
    with time_machine.travel(START - timedelta(days=1), tick=False):
        assert await scheduler.start() == 500
    assert len(scheduler._aps.get_jobs()) == 1
    scheduler.shutdown()
