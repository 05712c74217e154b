"""One Kindred process vs a cluster of three, as real OS processes (issue #14).

One emulator (in this process, over real sockets) with 12 servers, one throwaway PostgreSQL
database per round, and ``python -m bot run`` processes pointed at both:

* ``one_process``: one plain process (``[cluster] count = 1``, on PostgreSQL too, so only the
  number of processes differs);
* ``three_processes``: ``[cluster] count = 3``, ``shard_count = 3`` (4 servers per shard).

The burst: ``N`` messages, round-robin over the 12 servers, each from a different member,
each a crisis-like line from the labelled safety corpus that the detector flags. Each one
therefore goes the whole way: gateway → detector (worker thread) → the safety decision and
its database writes → a private reply by DM (two REST calls) → the outcome recorded. The
"processed" signal is that DM, seen by the emulator: events/s = N / (first message sent →
N-th reply received), best of ``ROUNDS`` alternating rounds. (Ordinary chat has no outside
signal: no decision, no reply.)

The emulator answers with rate-limit headers that never run out (``RATE_LIMIT``): Discord's
real limits hold per bot, whatever the number of processes, so they are not what a cluster
changes; without headers discord.py sends one request per bucket at a time, and one process
would queue every DM it opens behind the previous one.

The emulator runs in this process and handles every gateway event and REST call of every
Kindred process, so on a small machine it takes a share of the same cores: the figure is
what this machine does end to end, not Kindred's ceiling. A report, not a target
(``three_over_one`` is not a ratio the runner gates on).

Then, in the cluster, ``kill -9`` of the process owning shard 1 with a standby waiting for
that id and orphaned timers (due rows of shard 1 leased by the dead process, lease
``LEASE`` s): ``takeover_ms`` = kill → the standby's IDENTIFY for shard 1 reaches the
emulator (the ownership lock itself passes in milliseconds; most of this is the standby
starting its Discord side: extensions, command sync, login); ``orphans_ms`` = kill → the
last orphan has run (its row is gone), so at least the lease.

Needs PostgreSQL binaries; otherwise it says so and measures nothing.
Run: ``.venv/bin/python -m benchmarks --only cluster`` or this file directly (prints JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bot.clock import to_db, utcnow  # noqa: E402
from bot.config import shard_of  # noqa: E402
from emulator import DiscordEmulator  # noqa: E402
from emulator.models import Guild, User  # noqa: E402
from tests.helpers.postgres import Cluster, find_bindir  # noqa: E402
from tests.helpers.processes import bot_env, spawn_bot, stop_processes  # noqa: E402

N = 1_200
ROUNDS = 2
# Rate-limit headers with a limit that never runs out. Without any, discord.py keeps one
# request in flight per bucket, and every DM opened goes through one bucket
# (POST /users/@me/channels): one process would then measure that queue, not itself.
RATE_LIMIT = 50
SHARDS = 3
GUILDS_PER_SHARD = 4
LEASE = 2  # seconds: [cluster] timer_lease_seconds in the take-over round
ORPHANS = 20
WAIT = 300.0
CORPUS = ROOT / "tests" / "safety" / "corpus.jsonl"


def _flagged_lines() -> list[str]:
    """Crisis lines from the corpus that the detector acts on (so each gets a reply)."""
    from bot.safety.assess import Assessor

    with CORPUS.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    assessor = Assessor.default()
    lines = [r["text"] for r in rows if r["label"] == "crisis_self"]
    return [t for t in lines if assessor.assess(t).is_alert]


def _servers(emu: DiscordEmulator, members: int) -> list[tuple[Guild, int, list[User]]]:
    """GUILDS_PER_SHARD servers on each of SHARDS shards, each with a channel and members."""
    found: dict[int, list[tuple[Guild, int, list[User]]]] = {i: [] for i in range(SHARDS)}
    for n in range(300):
        if all(len(v) >= GUILDS_PER_SHARD for v in found.values()):
            break
        guild = emu.create_guild(f"Haven {n}")
        shard = shard_of(guild.id, SHARDS)
        if len(found[shard]) >= GUILDS_PER_SHARD:
            continue
        channel = emu.create_channel(guild, "general")
        people = [emu.create_user(f"m{n}-{i}") for i in range(members)]
        for person in people:
            emu.add_member(guild, person)
        found[shard].append((guild, channel.id, people))
        time.sleep(0.002)  # snowflakes carry milliseconds: spread the shards
    return [s for shard in range(SHARDS) for s in found[shard]]


def _env(emu: DiscordEmulator, url: str, cluster_id: int, count: int) -> dict[str, str]:
    return bot_env(
        emu,
        KINDRED_DATABASE__URL=url,
        KINDRED_LOGGING__LEVEL="WARNING",
        KINDRED_CLUSTER__ID=str(cluster_id),
        KINDRED_CLUSTER__COUNT=str(count),
        KINDRED_CLUSTER__SHARD_COUNT=str(SHARDS if count > 1 else 1),
        KINDRED_CLUSTER__TIMER_LEASE_SECONDS=str(LEASE),
        KINDRED_CLUSTER__TIMER_POLL_SECONDS="1",
    )


def _cpu_s(processes: list[asyncio.subprocess.Process]) -> float:
    """User + system CPU seconds the processes have used so far (Linux /proc)."""
    total = 0
    for process in processes:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def _postgres_cpu_s() -> float:
    """CPU seconds of every PostgreSQL server process on the machine, so far."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            text = stat.read_text()
            if "(postgres)" in text:
                fields = text.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _replies(emu: DiscordEmulator) -> int:
    return sum(1 for m in emu.bot_messages() if m.guild_id is None)


async def _burst(
    emu: DiscordEmulator,
    servers: list[tuple[Guild, int, list[User]]],
    lines: list[str],
    processes: list[asyncio.subprocess.Process],
) -> dict[str, float]:
    rng = random.Random(14)
    cpu_here, cpu_kindred, cpu_pg = time.process_time(), _cpu_s(processes), _postgres_cpu_s()
    before, stored = _replies(emu), len(emu.messages)
    start = time.perf_counter()
    for i in range(N):
        _, channel, people = servers[i % len(servers)]
        await emu.send_message(people[i // len(servers)], channel, rng.choice(lines))
        if i % 50 == 49:
            await asyncio.sleep(0)  # let the gateway writers drain, as a live gateway would
    sent = time.perf_counter() - start
    # Cheap first (every state change re-checks it): N messages of ours and N replies.
    await emu.wait_until(
        lambda: len(emu.messages) - stored >= 2 * N, timeout=WAIT, what=f"{N} replies"
    )
    await emu.wait_until(
        lambda: _replies(emu) - before >= N, timeout=WAIT, what=f"{N} replies (counted)"
    )
    took = time.perf_counter() - start
    return {
        "events_per_s": round(N / took, 1),
        "seconds": round(took, 2),
        "send_s": round(sent, 2),
        # Where the time went: the emulator (this process), Kindred (all its processes) and
        # the PostgreSQL server (every backend; nothing else uses it meanwhile).
        "emulator_cpu_s": round(time.process_time() - cpu_here, 2),
        "kindred_cpu_s": round(_cpu_s(processes) - cpu_kindred, 2),
        "kindred_cpu_ms_per_event": round((_cpu_s(processes) - cpu_kindred) * 1000 / N, 2),
        "postgres_cpu_s": round(_postgres_cpu_s() - cpu_pg, 2),
    }


async def _connected(emu: DiscordEmulator, shards: set) -> None:
    await emu.wait_until(
        lambda: {s.shard for s in emu._live_sessions() if s.delivered} >= shards,
        timeout=WAIT, what="the processes to connect",
    )  # fmt: skip
    await emu.wait_until(lambda: emu.command("kindred"), timeout=WAIT, what="commands")
    await emu.gateway_idle(WAIT)


async def _take_over(
    emu: DiscordEmulator, url: str, victim: asyncio.subprocess.Process, folder: Path
) -> tuple[dict[str, float], asyncio.subprocess.Process]:
    """kill -9 of shard 1's owner, a standby waiting, orphaned timers of shard 1 due."""
    standby = await spawn_bot(_env(emu, url, 1, SHARDS), folder / "standby.log", append=True)
    db = await asyncpg.connect(url)
    try:
        while not await db.fetchval(  # noqa: ASYNC110  (the standby waits for the ownership lock)
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        ):
            await asyncio.sleep(0.05)
        shard1 = next(g for g in emu.guilds.values() if shard_of(g.id, SHARDS) == 1)
        now = utcnow()
        # What the dead process leaves: due timers of its shard, leased to it for LEASE s.
        # Kind checkin.post of a check-in that no longer exists: running it just drops it.
        await db.executemany(
            "INSERT INTO timers (kind, key, due_at, payload, guild_id, created_at, leased_until,"
            " leased_by) VALUES ('checkin.post', $1, $2, $3, $4, $2, $5, 'the-killed-process')",
            [
                (f"orphan:{i}", to_db(now), json.dumps({"checkin_id": 10**9 + i}), shard1.id,
                 to_db(now + timedelta(seconds=LEASE)))
                for i in range(ORPHANS)
            ],
        )  # fmt: skip
        identified = sum(1 for p in emu.identify_payloads if p.get("shard") == [1, SHARDS])
        victim.kill()
        killed = time.perf_counter()
        await victim.wait()
        await emu.wait_until(
            lambda: sum(1 for p in emu.identify_payloads if p.get("shard") == [1, SHARDS])
            > identified,
            timeout=WAIT, what="the standby's IDENTIFY",
        )  # fmt: skip
        takeover = time.perf_counter() - killed
        while await db.fetchval(  # noqa: ASYNC110  (nothing to wait on but the database)
            "SELECT count(*) FROM timers WHERE key LIKE 'orphan:%'"
        ):
            await asyncio.sleep(0.01)
        orphans = time.perf_counter() - killed
    finally:
        await db.close()
    return {
        "takeover_ms": round(takeover * 1000, 1),
        "orphans_ms": round(orphans * 1000, 1),
    }, standby


async def _round(cluster: Cluster, count: int, lines: list[str], folder: Path) -> dict:
    async with DiscordEmulator(interaction_ack_timeout=None) as emu:
        emu.shard_count = SHARDS if count > 1 else 1
        emu.max_concurrency = SHARDS  # one IDENTIFY bucket per shard: no turns to wait for
        emu.rate_limit_headers = RATE_LIMIT
        servers = _servers(emu, members=N // (SHARDS * GUILDS_PER_SHARD) + 1)
        url = await cluster.create_database()
        log = folder / f"round{count}"
        processes = [
            await spawn_bot(_env(emu, url, i, count), log.with_suffix(f".{i}.log"), append=True)
            for i in range(count)
        ]
        try:
            shards = {(i, SHARDS) for i in range(SHARDS)} if count > 1 else {None}
            await _connected(emu, shards)
            result: dict = await _burst(emu, servers, lines, processes)
            if count > 1:
                taken, standby = await _take_over(emu, url, processes[1], folder)
                processes.append(standby)
                result.update(taken)
        finally:
            await stop_processes(processes)
    return result


async def _run() -> dict:
    bindir = find_bindir()
    if bindir is None:
        return {"skipped": "no PostgreSQL binaries (initdb, pg_ctl)"}
    lines = _flagged_lines()
    cluster = Cluster(bindir)
    cluster.start()
    rounds: dict[int, list[dict]] = {1: [], 3: []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for _ in range(ROUNDS):  # alternating, so both see the same noise
                for count in (1, 3):
                    rounds[count].append(await _round(cluster, count, lines, Path(tmp)))
    finally:
        cluster.stop()
    one = max(rounds[1], key=lambda r: r["events_per_s"])
    three = max(rounds[3], key=lambda r: r["events_per_s"])
    return {
        "messages": N,
        "servers": SHARDS * GUILDS_PER_SHARD,
        "cores": os.cpu_count(),
        "one_process": one,
        "three_processes": three,
        "three_over_one": round(three["events_per_s"] / one["events_per_s"], 2),
        "events_per_s_every_round": {
            "one": [r["events_per_s"] for r in rounds[1]],
            "three": [r["events_per_s"] for r in rounds[3]],
        },
        "takeover_ms": [r["takeover_ms"] for r in rounds[3]],
        "orphans_ms": [r["orphans_ms"] for r in rounds[3]],
        "lease_ms": LEASE * 1000,
        "note": "best of the rounds; the emulator shares the machine's cores with Kindred",
    }


def run() -> dict:
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
