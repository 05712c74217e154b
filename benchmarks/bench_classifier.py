"""The learned detector: throughput, worst cases, latency through the worker, memory.

* ``phrase`` vs ``model`` vs ``assess`` (both, combined) per message on 140-character chat
  built from the training set's ordinary lines (with ~2 % risk lines), one core, same run;
  the model and ``assess`` in batches of 64 as the worker runs them under load (and the
  model one message at a time, as at a quiet moment); ``model_vs_phrase_cost_ratio`` is
  the ratio measured against the phrase engine.
* worst cases: a 4,000-character message, one of 4,000 zero-width characters, one long
  multi-sentence message (judged window by window): milliseconds, best and worst of runs;
  and the cases the model's memo of words cannot help: 4,000 characters of words never
  seen before (a fresh text each run), 4,000 characters of one unbroken "word", 4,000 mixed
  emoji, accents and look-alike letters, 4,000 characters of letters spaced out in runs
  (fresh each run) and one spaced-out phrase again and again.
* worker: 3,000 messages offered at 1,000/s to the micro-batching worker from an event loop;
  p50/p99 message→decision latency and the longest the loop was kept from running
  (a 1 ms ticker's largest lateness), beside a baseline worker that does no detection (the
  same queue, thread and hand-off) in the same run; after ``gc.freeze()``, as the bot does
  once started (a full collection walking start-up's objects stalled the loop 25-40 ms).
  Each tick is also marked by whether a detection batch overlapped it
  (``stalls_by_batch``): the largest stall during a batch (what detection could have
  caused) and outside every batch (the machine), and how many of each passed 5 ms.
* bursts: ten bursts of 1,000 messages in ~100 ms each, a 1 ms ticker on the loop; the
  detector and a worker that detects nothing in turn, four runs each (``burst_lateness``):
  ticks over 5 ms late, the largest lateness, each run's p99; on Linux, each late tick told
  apart by the loop thread's run-queue wait during it (``_run_queue_ms``): 1 ms or more is a
  wait for a CPU (``over_5ms_waiting_cpu``), less a wait for the GIL or the loop's own work.
* memory: peak RSS of a fresh process that loads the phrase engine and the model, against
  one that only imports discord.py (the bot's floor); and once the model's memo of words is
  full (``WordMemo.limit`` distinct words seen).

Run: ``.venv/bin/python -m benchmarks --only classifier``.
"""

from __future__ import annotations

import asyncio
import bisect
import gc
import json
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.safety.assess import Assessor  # noqa: E402
from bot.safety.classifier import Classifier  # noqa: E402
from bot.safety.detector import Detector  # noqa: E402
from bot.safety.worker import AssessWorker  # noqa: E402

N = 5_000
LENGTH = 140


def _chat(rng: random.Random) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "data/detector/train.jsonl").open()]
    ordinary = [r["text"] for r in rows if r["label"] == "none" and r["lang"] == "en"]
    risky = [r["text"] for r in rows if r["label"] != "none"]
    out = []
    while len(out) < N:
        if rng.random() < 0.02:
            out.append(rng.choice(risky)[:LENGTH])
            continue
        text = ""
        while len(text) < LENGTH:
            text += " " + rng.choice(ordinary)
        out.append(text.strip()[:LENGTH])
    return out


def _per_second(fn, texts: list[str], rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for text in texts:
            fn(text)
        best = min(best, time.process_time() - t0)
    return len(texts) / best


def _worst_ms(fn, text, runs: int = 20) -> tuple[float, float]:
    """Best and worst time of ``fn`` on ``text`` (a callable: a new text for each run)."""
    times = []
    for _ in range(runs):
        value = text() if callable(text) else text
        t0 = time.perf_counter()
        fn(value)
        times.append((time.perf_counter() - t0) * 1000)
    return min(times), max(times)


def _spaced_runs(rng: random.Random, chars: int = 4000) -> str:
    """Runs of 20 single letters ("q w e r ..."), the runs two spaces apart: each run is
    joined into one unknown word that the model's reading tries to split into words."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    runs = (" ".join(rng.choice(letters) for _ in range(20)) for _ in range(100))
    return "  ".join(runs)[:chars]


def _unseen_words(rng: random.Random, chars: int = 4000) -> str:
    """Words nobody has written before (so none is in the model's memo yet)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words, size = [], 0
    while size < chars:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars]


class _NoWork:
    """Baseline: the same queue, thread and hand-off, no detection at all."""

    detector = None

    def assess_batch(self, texts, risks, quiet=None, pause=None):
        return [None] * len(texts)


class _Timed:
    """An assessor that notes when each of its batches ran (``time.monotonic``, the clock of
    asyncio's default loop), so the loop's stalls can be told apart: during a batch (the
    detector could be what held the loop) or outside every batch (the machine)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.detector = inner.detector
        self.spans: list[tuple[float, float]] = []

    def assess_batch(self, *args, **kwargs):
        start = time.monotonic()
        try:
            return self.inner.assess_batch(*args, **kwargs)
        finally:
            self.spans.append((start, time.monotonic()))


def stalls_by_batch(
    ticks: list[tuple[float, float]], spans: list[tuple[float, float]], period: float = 0.001
) -> dict:
    """Each tick ``(before, after)`` of a ticker that sleeps ``period``: its lateness, and
    whether any batch span overlapped it. The largest lateness during a batch and outside
    every batch (ms), and how many ticks of each were later than 5 ms."""
    starts = [a for a, _ in spans]
    inside: list[float] = []
    outside: list[float] = []
    for before, after in ticks:
        late = (after - before - period) * 1000
        # the spans are in start order and never overlap (one worker thread): only the
        # last one starting before the tick ends can overlap it
        i = bisect.bisect_right(starts, after) - 1
        overlaps = i >= 0 and spans[i][1] >= before
        (inside if overlaps else outside).append(late)
    return {
        "loop_max_late_in_batch_ms": round(max(inside, default=0.0), 3),
        "loop_max_late_outside_batches_ms": round(max(outside, default=0.0), 3),
        "ticks_in_batch": len(inside),
        "ticks_over_5ms_in_batch": sum(x > 5 for x in inside),
        "ticks_over_5ms_outside_batches": sum(x > 5 for x in outside),
    }


async def _worker_latency(assessor, texts: list[str]) -> dict:
    timed = _Timed(assessor)
    worker = AssessWorker(timed)
    worker.start()
    latencies: list[float] = []
    ticks: list[tuple[float, float]] = []  # (before, after) of each 1 ms sleep
    stop = asyncio.Event()

    async def ticker() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            before = loop.time()
            await asyncio.sleep(0.001)
            ticks.append((before, loop.time()))

    async def one(text: str) -> None:
        t0 = time.perf_counter()
        await worker.assess(text)
        latencies.append((time.perf_counter() - t0) * 1000)

    tick = asyncio.create_task(ticker())
    tasks = []
    start = time.perf_counter()
    for i, text in enumerate(texts[:3000]):
        delay = start + i / 1000 - time.perf_counter()  # 1,000 messages per second
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(text)))
    await asyncio.gather(*tasks)
    stop.set()
    await tick
    await worker.stop()
    latencies.sort()
    lateness = [(after - before - 0.001) * 1000 for before, after in ticks]
    return {
        "rate_per_s": 1000,
        "messages": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2], 3),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 3),
        "max_ms": round(latencies[-1], 3),
        "loop_max_late_ms": round(max(lateness), 3),
        "loop_p99_late_ms": round(statistics.quantiles(lateness, n=100)[98], 3),
        "batches": worker.batches,
        # the worker's longest stretch without a nap (wall time: the loop may have got in)
        "longest_stretch_without_nap_ms": round(worker.pacer.longest * 1000, 3),
        **stalls_by_batch(ticks, timed.spans),
    }


def _run_queue_ms(thread_id: int) -> float | None:
    """Milliseconds this thread has spent runnable but waiting for a CPU (Linux's
    ``schedstat``), or None where the system does not say."""
    try:
        with open(f"/proc/self/task/{thread_id}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return None


async def _burst_lateness(assessor, texts: list[str], bursts: int = 10) -> dict:
    """A 1 ms ticker's lateness while bursts of chat arrive: ``bursts`` times 1,000
    messages in about 100 ms (ten at a time, the loop running between), 300 ms apart.
    The bursts are held and assessed in slices (bot/safety/worker.py), so this is where the
    worker keeps the loop waiting longest."""
    worker = AssessWorker(assessor)
    worker.start()
    loop = asyncio.get_running_loop()
    ticks: list[float] = []
    waiting_cpu = 0  # late ticks during which the loop thread waited 1 ms or more for a CPU
    me = threading.get_native_id()
    told_apart = _run_queue_ms(me) is not None  # the system says (Linux): read it each tick
    stop = asyncio.Event()

    def ignore(arg, result) -> None:
        pass

    async def ticker() -> None:
        nonlocal waiting_cpu
        while not stop.is_set():
            queued = _run_queue_ms(me) if told_apart else None
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            late = (time.perf_counter() - before - 0.001) * 1000
            ticks.append(late)
            if late > 5 and queued is not None and (_run_queue_ms(me) or 0.0) - queued >= 1:
                waiting_cpu += 1

    tick = asyncio.create_task(ticker())
    k = 0
    for _ in range(bursts):
        for _ in range(100):
            for _ in range(10):
                worker.submit(texts[k % len(texts)], 0.0, ignore, None, loop, quiet=True)
                k += 1
            await asyncio.sleep(0)
            await asyncio.sleep(0.0005)
        await asyncio.sleep(0.3)
    stop.set()
    await tick
    await worker.stop()
    ticks.sort()
    return {
        "messages": worker.items,
        "ticks": len(ticks),
        "over_5ms": sum(t > 5 for t in ticks),
        "over_5ms_waiting_cpu": waiting_cpu if told_apart else None,
        "max_ms": round(ticks[-1], 3),
        "p99_ms": round(ticks[int(len(ticks) * 0.99)], 3),
        "naps": worker.pacer.naps,
    }


def burst_lateness(assessor, texts: list[str], runs: int = 4) -> dict:
    """``_burst_lateness`` for the detector and for a worker that detects nothing, in turn
    (``runs`` each, the same moments of the machine): ticks over 5 ms late, the largest
    lateness, and each run's p99."""
    sides: dict[str, list[dict]] = {"detector": [], "baseline": []}
    for _ in range(runs):
        sides["detector"].append(asyncio.run(_burst_lateness(assessor, texts)))
        sides["baseline"].append(asyncio.run(_burst_lateness(_NoWork(), texts)))
    return {
        name: {
            "ticks": sum(r["ticks"] for r in rows),
            "over_5ms": sum(r["over_5ms"] for r in rows),
            "over_5ms_waiting_cpu": None
            if any(r["over_5ms_waiting_cpu"] is None for r in rows)
            else sum(r["over_5ms_waiting_cpu"] for r in rows),
            "max_ms": max(r["max_ms"] for r in rows),
            "p99_ms_each": [r["p99_ms"] for r in rows],
        }
        for name, rows in sides.items()
    }


# Peak RSS of a fresh interpreter: VmHWM belongs to the process's own memory map, which exec
# replaces. (``ru_maxrss`` is not usable here: Linux carries it over fork and exec, so a child
# reports at least the benchmark's own peak.)
_PEAK = (
    "print(next(int(line.split()[1]) for line in open('/proc/self/status')"
    " if line.startswith('VmHWM:')))"
)


def _rss_mb(code: str) -> float:
    script = f"{code}\n{_PEAK}"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def run() -> dict:
    texts = _chat(random.Random(20261201))
    detector = Detector.default()
    classifier = Classifier.default()
    if classifier is None:
        return {"note": "no model shipped"}
    assessor = Assessor(detector, classifier)
    phrase = _per_second(detector.detect, texts)
    batches = [texts[i : i + 64] for i in range(0, len(texts), 64)]
    model = _per_second(classifier.scores_batch, batches) * len(texts) / len(batches)
    single = _per_second(classifier.scores, texts[:1000]) * 1
    both = _per_second(assessor.assess_batch, batches) * len(texts) / len(batches)
    long_text = ("i had a long day at work and the bus was late again. " * 80)[:4000]
    rng = random.Random(7)
    worst = {
        "4000_chars": _worst_ms(assessor.assess, ("abc defg hij " * 400)[:4000]),
        "4000_zero_width": _worst_ms(assessor.assess, "\u200b" * 4000),
        "4000_multi_sentence": _worst_ms(assessor.assess, long_text),
        "4000_unseen_words": _worst_ms(assessor.assess, lambda: _unseen_words(rng)),
        "4000_one_word": _worst_ms(assessor.assess, lambda: _unseen_words(rng).replace(" ", "")),
        # letters spaced out one by one, in runs the model reads split into words
        # (bot/safety/segment.py: at most its BUDGET of characters a message)
        "4000_spaced_letter_runs": _worst_ms(assessor.assess, lambda: _spaced_runs(rng)),
        "4000_spaced_same_phrase": _worst_ms(
            assessor.assess, "  ".join([" ".join("iwanttodie")] * 200)[:4000]
        ),
        "4000_emoji_accents_lookalikes": _worst_ms(
            assessor.assess, ("💀 ñandú ЅUІСІDЕ ｆｕｌｌ ü\u0301 " * 200)[:4000]
        ),
    }
    gc.freeze()  # as the bot does once started (bot/bot.py setup_hook)
    latency = asyncio.run(_worker_latency(assessor, texts))
    baseline = asyncio.run(_worker_latency(_NoWork(), texts))
    latency["baseline_loop_max_late_ms"] = baseline["loop_max_late_ms"]
    latency["baseline_loop_p99_late_ms"] = baseline["loop_p99_late_ms"]
    latency["baseline_p99_ms"] = baseline["p99_ms"]
    latency["baseline_ticks_over_5ms_outside_batches"] = baseline["ticks_over_5ms_outside_batches"]
    bursts = burst_lateness(assessor, texts)
    floor = _rss_mb("import discord, aiosqlite, apscheduler")
    loaded = _rss_mb(
        "import discord, aiosqlite, apscheduler\n"
        "from bot.safety.assess import Assessor\nAssessor.default().assess('hello')"
    )
    full = _rss_mb(
        "import discord, aiosqlite, apscheduler, random\n"
        "from bot.safety.assess import Assessor\n"
        "from bot.safety.features import WordMemo\n"
        "from benchmarks.bench_classifier import _unseen_words\n"
        "a, rng = Assessor.default(), random.Random(1)\n"
        "while len(a.classifier._words) < WordMemo.limit:\n"
        "    a.assess_batch([_unseen_words(rng, 1000) for _ in range(16)])"
    )
    return {
        "messages": N,
        "chars": LENGTH,
        "phrase_msgs_per_s": round(phrase),
        "model_msgs_per_s": round(model),
        "model_single_msgs_per_s": round(single),
        "assess_msgs_per_s": round(both),
        "model_vs_phrase_cost_ratio": round(phrase / model, 2),
        "assess_us_per_msg": round(1e6 / both, 1),
        "worst_ms": {k: {"best": round(a, 3), "worst": round(b, 3)} for k, (a, b) in worst.items()},
        "worker": latency,
        "bursts": bursts,
        "rss_floor_mb": round(floor, 1),
        "rss_with_detector_mb": round(loaded, 1),
        "rss_detector_extra_mb": round(loaded - floor, 1),
        "rss_with_full_word_memo_mb": round(full, 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
