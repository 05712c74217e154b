"""Where the detector's CPU goes, thread by thread, inside one Kindred process.

The gateway benchmark (``bench_gateway.py``) compares whole processes. This one looks inside
Kindred's process: one Kindred (``KindredRunner``, every cog loaded) connected to an
emulator in the same process takes chunks of ``MESSAGE_CREATE`` events of three kinds, in
turns (a balanced order, ``bench_gateway._order``):

* ``mix``: ordinary chat with ~2 % crisis-like lines, as in the gateway benchmark;
* ``chat``: the same chat with no crisis-like line (no decision, no database trip, no DM);
* ``idle``: the ``mix`` again, but the detector's worker answers "nothing found" without
  detecting (every hand-over to the worker thread and back still happens).

Each round runs one chunk of each kind. Each chunk's CPU is read per thread from
``/proc/self/task/<tid>/schedstat`` (Linux): the event loop's thread, the detector's thread,
and the rest (the database's thread, executors). Medians over the chunks of each kind, in µs
a message:

* ``detector_thread_us`` (``chat``): what detecting costs the worker thread live;
* ``loop_extra_us`` (``chat`` minus ``idle``, loop thread): what detection beside the loop
  adds to the loop's own thread (the hand-over is in both);
* ``crisis_lines_us`` (``mix`` minus ``chat``, all threads): the share of the 2 % crisis-like
  lines (their decisions, database trips and replies);
  both differences are taken within each round (its three chunks run back to back), then
  their median;
* ``detector_alone_us``: the ``chat`` chunks' texts detected again in this process, in
  batches of the size the worker formed, with nothing else running (thread CPU time);
* ``detector_live_vs_alone_ratio``: the first over the last. Detecting beside a busy event
  loop cost 1.6-2.1 times what the same batches cost alone in three runs of 2026-12-04 (see
  ``docs/detector.md``); a change that shrinks this ratio shrinks the gap to the 1.25× target.

Run: ``.venv/bin/python -m benchmarks --only threads`` or this file directly (prints JSON).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_gateway import (  # noqa: E402
    CHUNK,
    WARMUP,
    _Counter,
    _messages,
    _order,
    _push,
)

KINDS = ("mix", "chat", "idle")
ROUNDS = 40  # chunks of each kind, counted
TASKS = Path("/proc/self/task")


def thread_cpu_ns() -> dict[int, int]:
    """CPU time so far of every thread of this process, by native thread id (``{}`` where
    ``/proc`` has no per-thread schedstat)."""
    out: dict[int, int] = {}
    try:
        tids = os.listdir(TASKS)
    except OSError:
        return out
    for tid in tids:
        try:
            out[int(tid)] = int((TASKS / tid / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that ended meanwhile
    return out


def split_cpu(
    before: dict[int, int], after: dict[int, int], loop: int, detector: int | None
) -> dict[str, int]:
    """CPU (ns) between two ``thread_cpu_ns`` snapshots: the loop's thread, the detector's,
    and every other thread together (one born in between counts from zero)."""
    delta = {tid: ns - before.get(tid, 0) for tid, ns in after.items()}
    return {
        "loop": delta.pop(loop, 0),
        "detector": delta.pop(detector, 0) if detector is not None else 0,
        "other": sum(delta.values()),
    }


def _alone(assessor, texts: list[str], batch: int) -> float:
    """µs a message to detect ``texts`` in batches of ``batch`` with nothing else running
    (the worker's own call, thread CPU time), best of three."""
    batches = [texts[i : i + batch] for i in range(0, len(texts), batch)]
    best = float("inf")
    for _ in range(3):
        start = time.thread_time()
        for b in batches:
            assessor.assess_batch(b, None, [True] * len(b))
        best = min(best, time.thread_time() - start)
    return best / len(texts) * 1e6


async def _measure() -> dict:
    from bot.safety.assess import NOTHING
    from bot.sandbox import KindredRunner, build_world
    from emulator import DiscordEmulator

    rng = random.Random(20261204)
    async with DiscordEmulator() as emu:
        world = build_world(emu)
        counter = _Counter()
        with tempfile.TemporaryDirectory() as tmp:
            runner = KindredRunner(emu, Path(tmp) / "bench.db")
            bot = await runner.start()
            try:
                bot.add_listener(counter.on_message, "on_message")
                worker = bot.get_cog("Safety").worker
                real = worker._batch

                def idle(texts, risks, quiet):
                    return [NOTHING] * len(texts)

                await _push(emu, world, _messages(random.Random(1), WARMUP), counter, worker)
                loop_tid = threading.get_native_id()
                per: dict[str, list[dict[str, int]]] = {kind: [] for kind in KINDS}
                chat_texts: list[str] = []
                batches0, items0 = worker.batches, worker.items
                for k in range(ROUNDS * len(KINDS)):
                    # one kind a chunk; each round of three in a balanced order
                    kind = KINDS[_order(k // len(KINDS), len(KINDS))[k % len(KINDS)]]
                    texts = _messages(rng, CHUNK, crisis=() if kind == "chat" else None)
                    worker._batch = idle if kind == "idle" else real
                    before = thread_cpu_ns()
                    await _push(emu, world, texts, counter, worker)
                    after = thread_cpu_ns()
                    thread = worker._thread
                    per[kind].append(
                        split_cpu(before, after, loop_tid, thread.native_id if thread else None)
                    )
                    if kind == "chat":
                        chat_texts.extend(texts)
                worker._batch = real
                avg_batch = (worker.items - items0) / max(1, worker.batches - batches0)
                alone = _alone(worker.assessor, chat_texts, max(1, round(avg_batch)))
            finally:
                await runner.stop()
    return summarise(per, alone, avg_batch)


def _cpu(chunk: dict[str, int], part: str) -> int:
    """One part of a chunk's CPU (``loop``, ``detector``, ``other``) or their ``total``."""
    return sum(chunk.values()) if part == "total" else chunk[part]


def summarise(per: dict[str, list[dict[str, int]]], alone_us: float, avg_batch: float) -> dict:
    """Medians in µs a message per kind and thread, and the derived figures."""
    if not all(per.get(kind) for kind in KINDS) or not any(_cpu(c, "total") for c in per["chat"]):
        return {"note": "no per-thread CPU on this system (needs Linux /proc)"}

    def med(kind: str, part: str) -> float:
        return statistics.median(_cpu(c, part) for c in per[kind]) / CHUNK / 1e3

    def paired(a: str, b: str, part: str) -> float:
        """Median over the rounds of ``a`` minus ``b`` in the same round: the three kinds of
        a round run back to back, so the machine's drift over seconds cancels."""
        diffs = [_cpu(x, part) - _cpu(y, part) for x, y in zip(per[a], per[b], strict=True)]
        return statistics.median(diffs) / CHUNK / 1e3

    figures = {
        kind: {part: round(med(kind, part), 1) for part in ("loop", "detector", "other", "total")}
        for kind in KINDS
    }
    live = med("chat", "detector")
    return {
        "chunks": f"{ROUNDS} x {CHUNK} messages of each kind, in turns, after {WARMUP} warm-up",
        "per_kind_us_per_msg": figures,
        "detector_thread_us": round(live, 1),
        "loop_extra_us": round(paired("chat", "idle", "loop"), 1),
        "crisis_lines_us": round(paired("mix", "chat", "total"), 1),
        "detector_alone_us": round(alone_us, 1),
        "detector_live_vs_alone_ratio": round(live / alone_us, 2) if alone_us else None,
        "detector_avg_batch": round(avg_batch, 1),
    }


def run() -> dict:
    logging.disable(logging.WARNING)
    try:
        return asyncio.run(_measure())
    finally:
        logging.disable(logging.NOTSET)


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
