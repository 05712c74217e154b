"""Cluster ownership: one process per cluster id holds a session advisory lock before it
connects its shards; a standby with the same id waits on it and takes over when the holder
dies. And the process is a shard-owning client only when there are several processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from types import SimpleNamespace

import asyncpg
import discord
import pytest

from bot import PROJECT_ROOT
from bot.bot import KindredBot, ShardedKindredBot, make_bot
from bot.config import Settings
from bot.db import Database
from bot.services import build_services
from tests.helpers.postgres import Cluster

HOLDER = """
import asyncio, sys
from bot.db import Database

async def main():
    db = Database(sys.argv[1])
    await db.connect()
    await db.hold_session_lock("kindred-cluster", 0)
    print("held", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""

PG = "postgresql://kindred@db/kindred"


async def test_a_standby_takes_over_when_the_owner_is_killed(pg_cluster: Cluster) -> None:
    url = await pg_cluster.create_database()
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLDER, url, cwd=PROJECT_ROOT, stdout=asyncio.subprocess.PIPE
    )  # fmt: skip
    standby = Database(url)
    await standby.connect()
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(holder.stdout.readline(), 60)
        assert line.strip() == b"held"
        waiting = asyncio.create_task(standby.hold_session_lock("kindred-cluster", 0))
        await asyncio.sleep(0.5)
        assert not waiting.done()  # a standby, while the owner lives
        os.kill(holder.pid, signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.wait_for(waiting, 30)
        took = (time.monotonic() - killed) * 1000
        print(f"standby took over {took:.1f} ms after kill -9 of the owner")
        assert took < 5000
        # Another id is free all along.
        other = Database(url)
        await other.connect()
        await asyncio.wait_for(other.hold_session_lock("kindred-cluster", 1), 10)
        await other.close()
    finally:
        if holder.returncode is None:
            holder.kill()
        await holder.wait()
        await standby.close()


async def test_losing_the_ownership_session_is_reported(pg_cluster: Cluster) -> None:
    url = await pg_cluster.create_database()
    owner = Database(url)
    await owner.connect()
    lost = asyncio.Event()
    try:
        await owner.hold_session_lock("kindred-cluster", 2, on_lost=lost.set)
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'kindred-owner'"
            )
        finally:
            await admin.close()
        await asyncio.wait_for(lost.wait(), 10)
    finally:
        await owner.close()


async def test_a_clean_close_releases_ownership_at_once(pg_cluster: Cluster) -> None:
    url = await pg_cluster.create_database()
    first, second = Database(url), Database(url)
    await first.connect()
    await second.connect()
    lost = asyncio.Event()
    try:
        await first.hold_session_lock("kindred-cluster", 0, on_lost=lost.set)
        waiting = asyncio.create_task(second.hold_session_lock("kindred-cluster", 0))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await first.close()
        await asyncio.wait_for(waiting, 10)
        assert not lost.is_set()  # closing is not losing
    finally:
        await second.close()


async def test_sqlite_holds_nothing(tmp_path) -> None:
    db = Database(tmp_path / "k.db")
    await db.connect()
    await asyncio.wait_for(db.hold_session_lock("kindred-cluster", 0), 1)
    await db.close()


def fake_services(cluster: dict[str, int]) -> SimpleNamespace:
    url = PG if cluster.get("count", 1) > 1 else None
    return SimpleNamespace(config=Settings(database={"url": url}, cluster=cluster))


def test_one_process_is_a_plain_client() -> None:
    bot = make_bot(fake_services({}))  # type: ignore[arg-type]
    assert type(bot) is KindredBot
    assert not isinstance(bot, discord.AutoShardedClient)


def test_a_cluster_process_owns_its_shards_only() -> None:
    bot = make_bot(fake_services({"id": 1, "count": 3, "shard_count": 6}))  # type: ignore[arg-type]
    assert isinstance(bot, ShardedKindredBot)
    assert isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_ids == [1, 4]
    assert bot.shard_count == 6


async def test_a_standby_stopped_before_it_connected_closes_cleanly() -> None:
    """SIGTERM to a standby still waiting for its id: discord.py's sharded client has no event
    queue before it connects, and closing it used to raise AttributeError."""
    closed = asyncio.Event()

    async def close() -> None:
        closed.set()

    services = fake_services({"id": 1, "count": 2})
    services.close = close
    bot = make_bot(services)  # type: ignore[arg-type]
    await bot.close()
    assert closed.is_set() and bot.is_closed()


@pytest.mark.parametrize("count", [1, 3])
async def test_services_run_only_their_shards_timers_in_a_cluster(
    pg_cluster: Cluster, count: int
) -> None:
    url = await pg_cluster.create_schema()
    config = Settings(database={"url": url}, cluster={"id": count - 1, "count": count})
    services = await build_services(config)
    try:
        cluster = services.scheduler.cluster
        if count == 1:
            assert cluster is None
        else:
            assert cluster is not None
            assert (cluster.shards.count, cluster.shards.shards) == (3, (2,))
            assert cluster.lease.total_seconds() == 60
    finally:
        await services.close()


async def test_a_settings_change_reaches_the_other_processes_caches(pg_cluster: Cluster) -> None:
    from bot.db import apply_migrations
    from bot.db.repositories.core import GuildSettingsRepository
    from bot.services.settings import CoreSettings, GuildSettingsService

    url = await pg_cluster.create_schema()
    here, there = Database(url), Database(url)
    await here.connect()
    await there.connect()
    try:
        await apply_migrations(here)
        mine = GuildSettingsService(GuildSettingsRepository(here))
        theirs = GuildSettingsService(GuildSettingsRepository(there))
        await mine.follow_other_processes()
        assert (await mine.get(7, CoreSettings)).timezone == "UTC"  # cached here
        await theirs.update(7, CoreSettings, actor_id=1, timezone="Europe/Berlin")
        async with asyncio.timeout(10):
            while (await mine.get(7, CoreSettings)).timezone != "Europe/Berlin":
                await asyncio.sleep(0.02)
    finally:
        await here.close()
        await there.close()


async def test_a_taken_lock_waits_for_its_release(pg_cluster: Cluster) -> None:
    url = await pg_cluster.create_database()
    a, b = Database(url), Database(url)
    await a.connect()
    await b.connect()
    try:
        release = await a.take_session_lock("kindred-identify", 0)
        waiting = asyncio.create_task(b.take_session_lock("kindred-identify", 0))
        await asyncio.sleep(0.2)
        assert not waiting.done()
        await release()
        release_b = await asyncio.wait_for(waiting, 10)
        await release_b()
        await (await asyncio.wait_for(a.take_session_lock("kindred-identify", 0), 10))()
    finally:
        await a.close()
        await b.close()


async def test_start_up_waits_as_standby_then_connects(pg_cluster: Cluster) -> None:
    """``python -m bot run`` in a cluster: no connecting to Discord before owning the id, and
    losing the owning session stops the process with a failure status."""
    from bot.__main__ import _own_then_start

    url = await pg_cluster.create_database()
    owner, standby = Database(url), Database(url)
    await owner.connect()
    await standby.connect()
    connected = asyncio.Event()

    class FakeBot:
        services = SimpleNamespace(db=standby)

        async def start(self, token: str) -> None:
            assert token == "t"
            connected.set()

    config = Settings(database={"url": url}, cluster={"id": 1, "count": 2})
    stop, lost = asyncio.Event(), asyncio.Event()
    try:
        await owner.hold_session_lock("kindred-cluster", 1)
        runner = asyncio.create_task(_own_then_start(FakeBot(), config, "t", stop, lost))
        await asyncio.sleep(0.3)
        assert not connected.is_set()  # a standby
        await owner.close()
        await asyncio.wait_for(connected.wait(), 10)
        await runner
        admin = await asyncpg.connect(url)
        try:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = 'kindred-owner'"
            )
        finally:
            await admin.close()
        await asyncio.wait_for(stop.wait(), 10)
        assert lost.is_set()
    finally:
        await owner.close()
        await standby.close()
