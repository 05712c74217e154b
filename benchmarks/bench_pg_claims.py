"""Exactly-once claims across processes on PostgreSQL (issue #14).

2,000 open requests in one guild, 1,000 peers with a limit of one open request each; three OS
processes (each its own asyncpg pool, as three Kindred processes would have) each try to claim
every request once for a random peer, concurrently. Counted afterwards in the database:

* ``doubled``: successful claims beyond one per request (must be 0);
* ``over_limit``: peers holding more than the limit (must be 0);
* the same run with the per-(guild, peer) advisory lock switched off (``unlocked_over_limit``),
  to show what the lock prevents (the claim ``UPDATE … WHERE status = 'open'`` alone keeps
  ``doubled`` at 0, the count-then-update limit check does not);
* ``claims_per_s`` for one process and for three (``three_vs_one_ratio``, information only).

Needs PostgreSQL binaries (a throwaway cluster is started, as in the tests); otherwise it says
so and measures nothing. Run: ``.venv/bin/python -m benchmarks --only pg_claims``.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import random
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import to_db  # noqa: E402
from bot.db import Database, apply_migrations  # noqa: E402
from bot.db.repositories.requests import RequestRepository  # noqa: E402
from tests.helpers.postgres import Cluster, find_bindir  # noqa: E402

GUILD, REQUESTS, PEERS, LIMIT, CONCURRENCY = 10, 2000, 1000, 1, 8
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def _worker(url: str, ids: list[int], seed: int, locked: bool) -> dict[str, int]:
    if not locked:
        from bot.db.postgres import PostgresTransaction

        async def no_lock(self, *key):  # the advisory lock switched off, for comparison
            return None

        PostgresTransaction.lock = no_lock  # type: ignore[method-assign]
    db = Database(url, pool_max_size=CONCURRENCY)
    await db.connect()
    repo, rng, gate = RequestRepository(db), random.Random(seed), asyncio.Semaphore(CONCURRENCY)
    order = ids[:]
    rng.shuffle(order)

    async def attempt(request_id: int) -> str:
        async with gate:
            return await repo.claim(request_id, 100_000 + rng.randrange(PEERS), LIMIT, NOW)

    try:
        return dict(Counter(await asyncio.gather(*(attempt(i) for i in order))))
    finally:
        await db.close()


def _process(url: str, ids: list[int], seed: int, locked: bool) -> dict[str, int]:
    return asyncio.run(_worker(url, ids, seed, locked))


async def _prepare(url: str) -> list[int]:
    db = Database(url)
    await db.connect()
    await apply_migrations(db)
    stamp = to_db(NOW)
    await db.executemany(
        "INSERT INTO support_requests (guild_id, requester_id, created_at, last_activity)"
        " VALUES (?, ?, ?, ?)",
        [(GUILD, 1 + i, stamp, stamp) for i in range(REQUESTS)],
    )
    ids = [r["id"] for r in await db.fetchall("SELECT id FROM support_requests ORDER BY id")]
    await db.close()
    return ids


async def _count(url: str) -> tuple[int, int]:
    db = Database(url)
    await db.connect()
    claimed = await db.fetchall("SELECT claimed_by FROM support_requests WHERE status = 'claimed'")
    await db.close()
    held = Counter(r["claimed_by"] for r in claimed)
    return len(claimed), sum(1 for n in held.values() if n > LIMIT)


def _round(cluster: Cluster, processes: int, locked: bool) -> dict[str, float]:
    url = asyncio.run(cluster.create_database())
    ids = asyncio.run(_prepare(url))
    context = multiprocessing.get_context("spawn")
    started = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        futures = [pool.submit(_process, url, ids, seed, locked) for seed in range(processes)]
        outcomes = sum((Counter(f.result()) for f in futures), Counter())
    elapsed = time.perf_counter() - started
    claimed, over = asyncio.run(_count(url))
    return {
        "attempts": sum(outcomes.values()),
        "ok": outcomes["ok"],
        "doubled": outcomes["ok"] - claimed,
        "over_limit": over,
        "claims_per_s": round(sum(outcomes.values()) / elapsed, 1),
    }


def run() -> dict:
    bindir = find_bindir()
    if bindir is None:
        return {"skipped": "no PostgreSQL binaries (initdb, pg_ctl)"}
    cluster = Cluster(bindir)
    cluster.start()
    try:
        one = _round(cluster, 1, locked=True)
        three = _round(cluster, 3, locked=True)
        unlocked = _round(cluster, 3, locked=False)
    finally:
        cluster.stop()
    return {
        "requests": REQUESTS,
        "peers": PEERS,
        "limit": LIMIT,
        "one_process": one,
        "three_processes": three,
        "doubled": three["doubled"],
        "over_limit": three["over_limit"],
        "unlocked_doubled": unlocked["doubled"],
        "unlocked_over_limit": unlocked["over_limit"],
        "throughput_three_over_one": round(three["claims_per_s"] / one["claims_per_s"], 2),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
