"""Clustered timers: each process runs only its shards' timers, each exactly once, leased
(FOR UPDATE SKIP LOCKED) so a process that dies holding timers only delays them by the lease."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import utcnow
from bot.db import Database, apply_migrations
from bot.db.repositories.core import ShardSet, TimerRepository, TimerRow
from bot.timers import ClusterTimers, Scheduler
from tests.helpers.postgres import Cluster

SHARDS = 3


def guild_on(shard: int, n: int) -> int:
    """A guild id on ``shard`` (of SHARDS): Discord's formula is (id >> 22) % shard_count."""
    return ((n * SHARDS + shard) << 22) | 1234


async def open_db(url: str) -> Database:
    db = Database(url)
    await db.connect()
    return db


async def wait_for(predicate, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


def scheduler(db: Database, shards: tuple[int, ...], **kwargs: timedelta) -> Scheduler:
    cluster = ClusterTimers(ShardSet(SHARDS, shards), **kwargs)
    return Scheduler(TimerRepository(db), misfire_grace=timedelta(minutes=5), cluster=cluster)


async def test_claim_leases_only_own_shards_and_expired_leases(database_url: str) -> None:
    db = await open_db(database_url)
    try:
        await apply_migrations(db)
        repo = TimerRepository(db)
        now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        for shard in range(SHARDS):
            await repo.add("k", now, {}, guild_id=guild_on(shard, 1), key=f"g{shard}", now=now)
        await repo.add("k", now, {}, guild_id=None, key="dm", now=now)
        await repo.add("k", now + timedelta(hours=1), {}, guild_id=None, key="later", now=now)
        mine = ShardSet(SHARDS, (0,))
        claimed = await repo.claim(now, 10, mine, "a", now + timedelta(minutes=1))
        assert sorted(t.key or "" for t in claimed) == ["dm", "g0"]
        # Leased: nobody claims them again until the lease runs out.
        assert await repo.claim(now, 10, mine, "b", now + timedelta(minutes=1)) == []
        assert await repo.next_claimable(set(), mine) == now + timedelta(minutes=1)
        later = now + timedelta(minutes=2)
        again = await repo.claim(later, 10, mine, "b", later + timedelta(minutes=1))
        assert sorted(t.key or "" for t in again) == ["dm", "g0"]
        assert await repo.renew(again[0].id, "a", later) is False  # not a's lease any more
        assert await repo.release("b") == 2
        others = ShardSet(SHARDS, (1, 2))
        assert len(await repo.claim(now, 10, others, "c", later)) == 2
    finally:
        await db.close()


@pytest.fixture
async def pg_url(pg_cluster: Cluster) -> AsyncIterator[str]:
    url = await pg_cluster.create_schema()
    db = await open_db(url)
    await apply_migrations(db)
    await db.close()
    yield url


@pytest.mark.parametrize("overlap", [False, True], ids=["own-shards", "all-own-every-shard"])
async def test_three_processes_fire_300_timers_exactly_once(pg_url: str, overlap: bool) -> None:
    dbs = [await open_db(pg_url) for _ in range(3)]
    fired: Counter[int] = Counter()
    wrong_shard: list[int] = []
    schedulers = []
    try:
        now = utcnow()
        repo = TimerRepository(dbs[0])
        for n in range(300):
            guild = None if n % 10 == 0 else guild_on(n % SHARDS, n)
            await repo.add("tick", now - timedelta(seconds=1), {"n": n}, guild_id=guild,
                           key=f"t{n}", now=now)  # fmt: skip
        for index, db in enumerate(dbs):
            shards = tuple(range(SHARDS)) if overlap else (index,)
            sched = scheduler(db, shards)

            async def tick(row: TimerRow, shards: tuple[int, ...] = shards) -> None:
                await asyncio.sleep(0)  # let the others race for the rest
                fired[row.payload["n"]] += 1
                if not ShardSet(SHARDS, shards).owns(row.guild_id):
                    wrong_shard.append(row.payload["n"])

            sched.register("tick", tick)
            schedulers.append(sched)
        await asyncio.gather(*(s.start() for s in schedulers))
        await wait_for(lambda: len(fired) == 300)
        for sched in schedulers:
            await sched.idle()
        assert set(fired) == set(range(300))
        assert [n for n, times in fired.items() if times != 1] == []
        assert wrong_shard == []
        assert await repo.count() == 0
    finally:
        for sched in schedulers:
            await sched.stop()
        for db in dbs:
            await db.close()


async def test_timers_of_a_process_that_died_run_after_the_lease(pg_url: str) -> None:
    dying, standby = await open_db(pg_url), await open_db(pg_url)
    lease = timedelta(seconds=2)
    try:
        now = utcnow()
        repo = TimerRepository(dying)
        for n in range(30):
            await repo.add("job", now - timedelta(seconds=1), {"n": n}, guild_id=None,
                           key=f"j{n}", now=now)  # fmt: skip
        started: list[int] = []
        first = scheduler(dying, (0, 1, 2), lease=lease)

        async def hang(row: TimerRow) -> None:
            started.append(row.payload["n"])
            await asyncio.Event().wait()  # the process "dies" mid-handler

        first.register("job", hang)
        await first.start()
        await wait_for(lambda: len(started) == 30)
        first.shutdown()  # no clean stop: the leases stay behind, as after kill -9
        await dying.close()
        died = time.monotonic()

        done: dict[int, float] = {}
        second = scheduler(standby, (0, 1, 2), lease=lease, poll=timedelta(seconds=0.5))

        async def finish(row: TimerRow) -> None:
            done[row.payload["n"]] = time.monotonic() - died

        second.register("job", finish)
        await second.start()
        assert done == {}  # still leased
        await wait_for(lambda: len(done) == 30)
        await second.idle()
        delay = max(done.values())
        print(f"orphaned timers ran {min(done.values()):.2f}-{delay:.2f} s after the death")
        assert delay < lease.total_seconds() + 3
        assert await TimerRepository(standby).count() == 0
        await second.stop()
    finally:
        await standby.close()


async def test_a_clean_stop_gives_the_leases_back(pg_url: str) -> None:
    a, b = await open_db(pg_url), await open_db(pg_url)
    try:
        now = utcnow()
        await TimerRepository(a).add("job", now, {}, guild_id=None, key="j", now=now)
        first = scheduler(a, (0,), lease=timedelta(minutes=10))
        running = asyncio.Event()

        async def hang(row: TimerRow) -> None:
            running.set()
            await asyncio.Event().wait()

        first.register("job", hang)
        await first.start()
        await asyncio.wait_for(running.wait(), 30)
        await first.stop()
        ran = asyncio.Event()
        second = scheduler(b, (0,), poll=timedelta(minutes=10))

        async def finish(row: TimerRow) -> None:
            ran.set()

        second.register("job", finish)
        await second.start()
        await asyncio.wait_for(ran.wait(), 30)  # now, not in ten minutes
        await second.stop()
    finally:
        await a.close()
        await b.close()


async def test_a_stored_timer_wakes_its_shards_process_by_notify(pg_url: str) -> None:
    a, b = await open_db(pg_url), await open_db(pg_url)
    try:
        ran: list[float] = []
        owner = scheduler(b, (1,), poll=timedelta(minutes=10))  # polling would be far too late

        async def finish(row: TimerRow) -> None:
            ran.append(time.monotonic())

        owner.register("job", finish)
        await owner.start()
        other = scheduler(a, (0, 2), poll=timedelta(minutes=10))
        other.register("job", finish)
        await other.start()
        stored = time.monotonic()
        await other.schedule_once("job", utcnow(), guild_id=guild_on(1, 7), key="n")
        await wait_for(lambda: len(ran) == 1, timeout=10)
        print(f"NOTIFY wake-up to handler: {(ran[0] - stored) * 1000:.1f} ms")
        # the row goes once the handler has returned; stopping before that cancels the
        # delete (the timer would run again after a restart: at least once, by design)
        await owner.idle()
        await owner.stop()
        await other.stop()
        assert await TimerRepository(a).count() == 0
    finally:
        await a.close()
        await b.close()
