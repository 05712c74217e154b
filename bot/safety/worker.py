"""Detection off the event loop: one worker thread that assesses messages in micro-batches.

The event loop only gathers ``(text, context risk)`` with a callback (``submit``: no future,
no task; the guild-message listener's path) or awaits a future (``assess``). The first
message of a batch starts a ``linger`` timer on the loop; when it fires (or ``max_batch``
messages are waiting) the loop hands the whole batch to the worker thread in one put, the
worker assesses it and delivers the results with one ``call_soon_threadsafe``. So the loop
and the worker meet once a batch, not once a message: every meeting costs both threads a
wake-up and a hand-over of the GIL, which in a busy bot cost more than the detection itself
(measured: ~25-35 µs a message less CPU with the gateway benchmark than a worker that took
each message from the queue itself). Under load batches grow by themselves, so the model's
per-batch cost is shared too.

The linger is 40 ms. A batch after the worker slept costs more than the same batch in a
tight loop (a woken thread starts on cold caches: measured ~1.7 ms more for a batch of 95
chat messages after a 30 ms sleep, 22 → 40 µs a message; on a quiet machine a batch of one
message costs ~120 µs warm and ~600 µs after such a pause, most of it numpy's per-call
cost), so fewer, larger batches cost less CPU a message: with 25 ms instead of 4 the gateway
benchmark's batches grew from ~100 to ~135 messages and the worker's CPU fell ~4.5 µs a
message; 40 ms took ~4 µs more (A/B in the same runs) for a p99 from message to decision of
~46 ms at 1,000 msg/s against the 100 ms target (25 ms: ~30; 50 ms: 56, and 128 once in a
machine stall, too little margin).

A burst waits (``lull``, 30 ms at most): when the linger ends while messages still arrive
at 2,000 a second or faster (``burst``), the batch is held and looked at again every
millisecond, and handed over at the first millisecond in which they slow down, or when the
30 ms are up. A batch assessed beside a loop busy with a burst contends with it for the GIL
on the other CPU and cost the worker ~1.8 times its CPU alone (``bench_threads.py``: 20.3
against 11.3 µs a message); held until the burst passed, 15.5 (twenty-second session). The
gateway benchmark, which floods, gave 1.199 and 1.192 times a bare client's CPU (slices of
256, below) against
1.314 and 1.294 for the code before in the same runs (10.75 and 11.3 µs a message less). At an
ordinary pace nothing changes (1,000 messages a second, one a millisecond, is no burst: p99
from message to decision 46 ms as before). A burst that outlasts the 30 ms is taken for a
steady stream: until it pauses for 20 ms (``_STEADY_GAP``), batches go at their linger
again, since holding them would only delay them (holding every batch of a steady 3,000
messages a second raised the p99 from message to decision from 55 to 97 ms; holding only
the first, 81-86 ms over 3 s). ``max_batch`` (1,024) hands a batch over at once whatever
the pace. A batch is assessed in slices of 128 (``_SLICE``) with a checkpoint between. In
bursts of 1,000 messages (ten a run, ~3,600 ticks of a 1 ms ticker), a whole held batch kept
the ticker over 5 ms late 7 times a run; slices of 256, 0-17 (41 in ten runs); slices of 128,
0-1 (7 in ten runs), for 3-4 µs a message more in the gateway benchmark (1.212 and 1.218
times a bare client against 1.181 and 1.179 with 256, in the same runs).

During a long batch the worker naps for 0.2 ms at a checkpoint once 2.5 ms have passed
since the batch began or the last nap (``_Pacer``). A thread that wants the GIL waits one
switch interval (5 ms) before it asks the holder to let go, and that wait starts again each
time the holder lets the GIL go for a moment and takes it straight back, which numpy does in
every call of the model's stage. So without naps the loop could wait for a whole batch: 40
messages of 140 characters kept it 5-10 ms late. The checkpoints: every 16 messages of the
phrase engine, once the model's memo has learnt the batch's new words, after the model's
arithmetic and after its scores. With only two (after each layer), 7 of 1,462 ticks of a
1 ms ticker during batches were more than 5 ms late without naps and 1 of 1,674 with them
(thirteenth session); in eight alternating runs each of 2026-12-04 (fourteenth), 12 of
2,742 with two checkpoints and 4 of 2,665 with these. ``_Pacer.longest`` keeps the longest
stretch without a nap (wall time: the loop may have got in during it). The gateway
benchmark's batches of short chat take about 2 ms and seldom nap.

Since the twenty-sixth session the pacer also naps after only 0.5 ms (``soon``) when an event
loop of the batch is waiting to run (``_waiting``: a ready callback, a timer due, a socket
with data, read from asyncio's selector loop without waiting), and there are more
checkpoints: every 32 messages turned into the model's memo rows, between slices of 256 new
words learnt, and before the model's keys are sorted. In bursts of 1,000 messages (ten runs
each, interleaved), 1 of 36,069 ticks of a 1 ms ticker was over 5 ms late (5.04 ms; p99
1.24-1.67 ms) against 12 of 36,210 before (max 7.89 ms; p99 2.11-2.39 ms), and 0 of 36,665
for a worker that detects nothing. The gateway benchmark: 1.222 times a bare client's CPU
against 1.207 for the code before in the same six runs (1.15 µs a message more).

Since the twenty-seventh session the worker is also second in line for a CPU and for the GIL.
On Linux its thread lowers its own scheduling priority (``WORKER_NICE``, 10 steps above the
process's niceness; this thread only), so when the machine has more runnable threads than
CPUs the event loop is not the one left waiting; and once a worker has started, the
interpreter's switch interval is 1 ms for the whole process (``SWITCH_INTERVAL``, was 5: the
default), so a loop that wants the GIL while the worker runs Python code asks for it after
1 ms. Which kind of wait a late tick
was can be read from ``/proc/self/task/<id>/schedstat``: the loop thread runnable but not
running (waiting for a CPU) or not runnable (waiting for the GIL). In the same bursts, 20
runs of each side interleaved: 5 of 69,356 ticks over 5 ms late (4 waiting for a CPU, 1 for
the GIL; max 6.6 ms, p99 1.34 ms) against 18 of 69,376 before (12 and 6; max 8.1 ms, p99
1.74 ms), and 1 of 70,756 for a worker that detects nothing (max 5.3 ms, p99 0.54 ms). In
an earlier set of 12 runs each alone helped about half as much (7 late with the priority, 5
with the interval, against 14 before and 3 with both); the twenty-sixth session had found
the interval alone changed nothing (1 of 36,269 against 0 of 36,303).

A failure in the assessor never reaches the caller: the message falls back to the phrase
engine alone (and the error is logged without text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.safety.assess import NOTHING, Assessment, Assessor

__all__ = ["AssessWorker"]

log = logging.getLogger(__name__)

# Background work yields to the event loop (see the module's docstring).
WORKER_NICE = 10  # scheduling steps under the process's own niceness (Linux: this thread only)
SWITCH_INTERVAL = 0.001  # seconds; the interpreter's default is 0.005

_STOP = object()


def _yield_to_the_loop() -> None:
    """On the worker thread: lower this thread's scheduling priority (Linux only, where the
    niceness is a thread's own; elsewhere it would lower the whole process). Never raises:
    a system that refuses leaves the thread as it was."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        me = threading.get_native_id()
        os.setpriority(
            os.PRIO_PROCESS, me, min(19, os.getpriority(os.PRIO_PROCESS, me) + WORKER_NICE)
        )


Done = Callable[[Any, Assessment], object]  # done(arg, assessment), on the event loop
Item = tuple[str, float, Done, Any, bool]  # text, context risk, done, arg, quiet


class _Pacer:
    """Called at a batch's checkpoints on the worker thread: once ``every`` seconds have
    passed since the batch began or the last nap, sleeps ``nap`` seconds (the GIL free, so
    a waiting event loop takes it) and counts the nap; after ``soon`` seconds it naps too
    when one of the batch's event loops is waiting to run (``_waiting``: a callback ready,
    a timer due, or a socket ready), so a loop woken during a batch waits at most ``soon``
    and the stretch to the next checkpoint. ``longest``: the longest stretch seen without a
    nap (start or nap to the next nap or the batch's end), in seconds: how long the worker
    could have kept the loop waiting."""

    def __init__(
        self,
        every: float = 0.0025,
        nap: float = 0.0002,
        clock: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], object] = time.sleep,
        soon: float = 0.0005,
    ) -> None:
        self.every, self.nap, self.soon = every, nap, soon
        self._clock, self._sleep = clock, sleep
        self._last = clock()
        self.naps = 0
        self.longest = 0.0
        self.loops: list[asyncio.AbstractEventLoop] = []

    def start(self, loops: Sequence[asyncio.AbstractEventLoop] = ()) -> None:
        self.loops = list(loops)
        self._last = self._clock()

    def __call__(self) -> None:
        held = self._clock() - self._last
        if held >= self.every or (held >= self.soon and any(_waiting(loop) for loop in self.loops)):
            self.longest = max(self.longest, held)
            self._sleep(self.nap)
            self.naps += 1
            self._last = self._clock()

    def end(self) -> None:
        self.longest = max(self.longest, self._clock() - self._last)


def _waiting(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether ``loop`` (on another thread, the worker holding the GIL) has work it is
    waiting to run: a ready callback, a timer due, or a file descriptor its selector would
    report (a socket with data, a ``call_soon_threadsafe`` wake-up). Reads asyncio's
    selector loop's own fields and asks its epoll object without waiting (level-triggered:
    nothing is consumed); any other loop is taken as not waiting, and the pacer's
    ``every`` still holds for it."""
    try:
        if loop._ready:  # type: ignore[attr-defined]
            return True
        scheduled = loop._scheduled  # type: ignore[attr-defined]
        if scheduled and scheduled[0]._when <= loop.time():
            return True
        return bool(loop._selector._selector.poll(0, 1))  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


class AssessWorker:
    def __init__(
        self,
        assessor: Assessor,
        *,
        max_batch: int = 1024,
        linger: float = 0.04,
        lull: float = 0.03,
        burst: float = 2000.0,
    ) -> None:
        self.assessor = assessor
        self.pacer = _Pacer()
        self.max_batch = max_batch
        self.linger = linger
        self.lull = lull
        self.burst = burst  # messages a second: faster than this, the loop is in a burst
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        # per event loop: the messages waiting for its linger timer (touched on that loop only)
        self._pending: dict[asyncio.AbstractEventLoop, list[Item]] = {}
        # per event loop in a steady stream: when its last batch went (see _flush_at_lull)
        self._steady: dict[asyncio.AbstractEventLoop, float] = {}
        self.batches = 0
        self.submitted = 0  # messages handed to ``submit``
        self.items = 0  # messages assessed
        self.fallbacks = 0  # messages assessed one by one after their batch failed

    def start(self) -> None:
        if self._thread is None:
            if sys.getswitchinterval() > SWITCH_INTERVAL:
                sys.setswitchinterval(SWITCH_INTERVAL)
            self._thread = threading.Thread(target=self._run, name="kindred-detector", daemon=True)
            self._thread.start()

    async def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            for loop in list(self._pending):
                self._flush(loop)  # what is gathered is still assessed and delivered
            self._queue.put(_STOP)
            await asyncio.to_thread(thread.join, 5)

    async def assess(self, text: str, context_risk: float = 0.0) -> Assessment:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Assessment] = loop.create_future()
        self.submit(text, context_risk, _set_result, future, loop)
        return await future

    def submit(
        self,
        text: str,
        context_risk: float,
        done: Done,
        arg: Any,
        loop: asyncio.AbstractEventLoop,
        quiet: bool = False,
    ) -> None:
        """Gather one message (on ``loop``, its own thread); ``done(arg, assessment)`` runs
        later on ``loop`` (the batch's results arrive in one ``call_soon_threadsafe``). No
        future and no task: a message costs the event loop a tuple, and a callback only when
        it is wanted. ``quiet``: the caller drops ``none`` with no need unread, so ``done``
        is not called for such a message (most chat), and a batch of only such messages
        does not wake the loop."""
        if self._thread is None:
            self.start()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
            now = loop.time()
            steady = self._steady.get(loop)
            if steady is not None and now - steady > _STEADY_GAP:
                del self._steady[loop]  # the stream paused: the next burst is held again
            args = (loop, pending, now + self.linger + self.lull, now, self.submitted)
            loop.call_later(self.linger, self._flush_at_lull, *args)
        pending.append((text, context_risk, done, arg, quiet))
        self.submitted += 1
        if len(pending) >= self.max_batch:
            self._flush(loop)

    def _flush_at_lull(
        self,
        loop: asyncio.AbstractEventLoop,
        pending: list[Item],
        deadline: float,
        since: float,
        count: int,
    ) -> None:
        """The linger is over: hand the batch over now, unless messages are still pouring
        in (``burst`` a second or faster since ``since``, when ``submit`` had taken
        ``count``); then look again every millisecond, and hand it over once they slow
        down, or at ``deadline`` (``lull`` after the linger) if the burst lasts (why: the
        module's docstring). A burst that outlasts the lull is a steady stream, where
        holding a batch would only delay it: the batches after it go at their linger until
        the stream pauses (no message for ``_STEADY_GAP`` after a batch went). A batch
        handed over meanwhile (``max_batch``, ``stop``) is not this timer's any more."""
        if self._pending.get(loop) is not pending:
            return
        now = loop.time()
        arrived = self.submitted - count
        if arrived > 0 and arrived >= self.burst * (now - since):
            if loop in self._steady or now >= deadline:
                self._steady[loop] = now
            else:
                args = (loop, pending, deadline, now, self.submitted)
                loop.call_later(_LULL_POLL, self._flush_at_lull, *args)
                return
        else:
            self._steady.pop(loop, None)
        self._flush(loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        """Hand what ``loop`` gathered to the worker thread, in one put."""
        pending = self._pending.pop(loop, None)
        if pending:
            self._queue.put((loop, pending))

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        _yield_to_the_loop()
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            # batches handed over while the last one was assessed join this one
            handed = [first]
            size = len(first[1])
            while size < self.max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(_STOP)
                    break
                handed.append(nxt)
                size += len(nxt[1])
            batch = [item for _, items in handed for item in items]
            quiet = [item[4] for item in batch]
            results = iter(
                self._batch(
                    [item[0] for item in batch],
                    [item[1] for item in batch],
                    quiet if any(quiet) else None,
                    [loop for loop, _ in handed],
                )
            )
            self.batches += 1
            self.items += len(batch)
            for loop, items in handed:
                # A quiet caller drops "nothing found" unread: it is not called back for
                # it, and a batch of only such messages does not wake its loop at all.
                triples = [
                    (done, arg, result)
                    # (results runs on into the next loop's items: not strict)
                    for (_, _, done, arg, silent), result in zip(items, results, strict=False)
                    if not (silent and result is NOTHING)
                ]
                if triples:
                    with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                        loop.call_soon_threadsafe(_deliver, triples)

    def _batch(
        self,
        texts: list[str],
        risks: list[float],
        quiet: list[bool] | None,
        loops: Sequence[asyncio.AbstractEventLoop] = (),
    ) -> list[Assessment]:
        self.pacer.start(loops)
        try:
            # A batch held through a burst can hold a thousand messages: assessed in slices
            # of _SLICE with a checkpoint between, the model's numpy stages stay as short as
            # they were before bursts were held, so the loop still gets the GIL in time.
            results: list[Assessment] = []
            for i in range(0, len(texts), _SLICE):
                if i:
                    self.pacer()
                results += self.assessor.assess_batch(
                    texts[i : i + _SLICE],
                    risks[i : i + _SLICE],
                    quiet[i : i + _SLICE] if quiet is not None else None,
                    pause=self.pacer,
                )
            return results
        except Exception:
            log.exception("detector batch failed; assessing one by one")
            self.fallbacks += len(texts)
            return [self._one(text, risk) for text, risk in zip(texts, risks, strict=True)]
        finally:
            self.pacer.end()

    def _one(self, text: str, risk: float) -> Assessment:
        try:
            return self.assessor.assess(text, context_risk=risk)
        except Exception:
            log.exception("detector failed; falling back to the phrase engine")
            detection = self.assessor.detector.detect(text)
            return self.assessor.combine(detection, None, text=text)


_LULL_POLL = 0.001  # how often a burst is looked at again, in seconds
_SLICE = 128  # messages the assessor takes at once from a batch
_STEADY_GAP = 0.02  # a pause this long after a batch went ends a steady stream, in seconds


def _deliver(triples: Sequence[tuple[Done, Any, Assessment]]) -> None:
    """On the event loop: each message's callback (one failing never stops the others)."""
    for done, arg, result in triples:
        try:
            done(arg, result)
        except Exception:
            log.exception("a detector callback failed")


def _set_result(future: asyncio.Future, result: Assessment) -> None:
    if not future.done():
        future.set_result(result)
