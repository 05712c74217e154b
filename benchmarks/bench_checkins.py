"""Check-ins at scale: start-up with 100,000 stored check-ins, and the cost of a full re-arm.

* ``startup_ratio``: time to ``build_services`` + ``scheduler.start()`` (open, migrate-check,
  one indexed query for the earliest timer and a count) with 50,000 channel and 50,000 personal
  check-ins stored, each with its ``timers`` row, divided by the same on an empty database
  (medians of several start-ups). Close to 1 means start-up does not grow with the number of
  check-ins: nothing is rebuilt in memory.
* ``startup_peak_alloc_mb`` (tracemalloc) and ``rss_mb`` (resident set after start-up).
* ``rearm_all_s``: computing the next run for all 100,000 (parse schedule and zone, next local
  time), which is what a start-up that rebuilt every job would pay, and what Kindred never does.

The rows are inserted with plain SQL for speed, in the shape ``CheckinService`` stores them.
Run: ``.venv/bin/python benchmarks/bench_checkins.py`` (prints JSON).
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import to_db  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.schedules import parse_schedule, parse_timezone  # noqa: E402
from bot.services import build_services  # noqa: E402

CHANNEL_CHECKINS = 50_000
PERSONAL_CHECKINS = 50_000
STARTS = 5
SCHEDULES = (
    "daily 09:00",
    "weekdays 18:30",
    "mon,wed,fri 07:15",
    "every 2 weeks on sun 17:00 from 2026-11-23",
    "cron: 0 9 * * 1-5",
    "daily 08:00,20:00",
)
ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC")


def _settings(path: Path) -> Settings:
    return Settings(database={"path": path})


def _rows(now: datetime) -> tuple[list[tuple], list[tuple], float]:
    """Channel and personal rows with their next run, and the time the next runs took."""
    channel, personal = [], []
    started = time.perf_counter()
    for i in range(CHANNEL_CHECKINS + PERSONAL_CHECKINS):
        text, zone_name = SCHEDULES[i % len(SCHEDULES)], ZONES[i % len(ZONES)]
        nxt = parse_schedule(text).next_run(now, parse_timezone(zone_name))
        assert nxt is not None
        if i < CHANNEL_CHECKINS:
            channel.append((i + 1, 1000 + i // 50, 5000 + i, text, zone_name, nxt))
        else:
            personal.append((i + 1, 900_000 + i, text, zone_name, nxt))
    return channel, personal, time.perf_counter() - started


def _fill(path: Path, channel: list[tuple], personal: list[tuple], now: datetime) -> None:
    created = to_db(now)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO checkins (id, guild_id, channel_id, schedule, tz, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, 1, ?)",
            [(cid, g, ch, s, z, created) for cid, g, ch, s, z, _ in channel],
        )
        conn.executemany(
            "INSERT INTO timers (kind, key, due_at, payload, guild_id, created_at)"
            " VALUES ('checkin.post', ?, ?, ?, ?, ?)",
            [
                (f"checkin:{cid}", to_db(nxt), json.dumps({"checkin_id": cid}), g, created)
                for cid, g, _, _, _, nxt in channel
            ],
        )
        conn.executemany(
            "INSERT INTO personal_checkins (id, user_id, schedule, tz, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [(pid, u, s, z, created) for pid, u, s, z, _ in personal],
        )
        conn.executemany(
            "INSERT INTO timers (kind, key, due_at, payload, created_at)"
            " VALUES ('checkin.personal', ?, ?, ?, ?)",
            [
                (
                    f"pcheckin:{pid}",
                    to_db(nxt),
                    json.dumps({"personal_id": pid, "scheduled_for": nxt.isoformat()}),
                    created,
                )
                for pid, _, _, _, nxt in personal
            ],
        )
    conn.close()


async def _migrate(path: Path) -> None:
    services = await build_services(_settings(path))
    await services.close()


async def _start_once(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    services = await build_services(_settings(path))
    stored = await services.scheduler.start()
    elapsed = time.perf_counter() - started
    await services.close()
    return elapsed, stored


async def _startups(path: Path) -> tuple[float, int]:
    await _start_once(path)  # warm the file cache and imports
    times, stored = [], 0
    for _ in range(STARTS):
        elapsed, stored = await _start_once(path)
        times.append(elapsed)
    return statistics.median(times), stored


def _rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


async def _run() -> dict:
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        empty, full = Path(tmp) / "empty.db", Path(tmp) / "full.db"
        await _migrate(empty)
        await _migrate(full)
        channel, personal, rearm = _rows(now)
        _fill(full, channel, personal, now)
        del channel, personal

        empty_s, _ = await _startups(empty)
        full_s, stored = await _startups(full)

        tracemalloc.start()
        services = await build_services(_settings(full))
        await services.scheduler.start()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss = _rss_mb()
        # Where start-up time goes with 100k rows: the earliest-timer query vs the count.
        timers = services.scheduler.timers
        started = time.perf_counter()
        await timers.next_due(set())
        next_due_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        await timers.count()
        count_ms = (time.perf_counter() - started) * 1000
        await services.close()

    total = CHANNEL_CHECKINS + PERSONAL_CHECKINS
    return {
        "checkins": total,
        "timers_stored": stored,
        "startup_empty_ms": round(empty_s * 1000, 2),
        "startup_100k_ms": round(full_s * 1000, 2),
        "startup_ratio": round(full_s / empty_s, 2),
        "earliest_timer_query_ms": round(next_due_ms, 3),
        "timer_count_query_ms": round(count_ms, 3),
        "startup_peak_alloc_mb": round(peak / 2**20, 2),
        "rss_mb": rss,
        "rearm_all_s": round(rearm, 2),
        "rearm_per_checkin_us": round(rearm / total * 1e6, 1),
    }


def run() -> dict:
    return asyncio.run(_run())


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
