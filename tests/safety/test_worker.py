"""The detector's worker thread: the loop gathers a batch and hands it over once; every
message gets its result, on its loop, even when the assessor fails or the worker stops."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable

import pytest

from bot.safety.assess import NOTHING, Assessment
from bot.safety.detector import Detection, Label
from bot.safety.worker import SWITCH_INTERVAL, WORKER_NICE, AssessWorker, _Pacer

WAIT = 30  # generous: a slow, shared machine must never make these flake


class _Recorder:
    """Labels each text by its first word and records each batch it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[str]] = []
        self.pauses: list[object] = []
        self.threads: set[str] = set()
        self.fail = fail
        self.detector = self

    def assess_batch(self, texts, risks, quiet=None, pause=None):
        self.pauses.append(pause)
        self.threads.add(threading.current_thread().name)
        self.batches.append(list(texts))
        if self.fail:
            raise RuntimeError("model broke")
        return [_result(t) for t in texts]

    def assess(self, text, context_risk=0.0):
        raise RuntimeError("still broken")

    def detect(self, text):
        return Detection(Label.DISTRESS if "sad" in text else Label.NONE)

    def combine(self, detection, scores, text=""):
        return Assessment(detection.label, phrase_ids=("fallback",))


def _result(text: str) -> Assessment:
    return Assessment(Label.CRISIS_SELF if text.startswith("crisis") else Label.NONE)


async def _collect(worker: AssessWorker, texts: list[str]) -> dict[str, Assessment]:
    loop = asyncio.get_running_loop()
    got: dict[str, Assessment] = {}
    done = asyncio.Event()
    threads: set[int] = set()

    def callback(text: str, result: Assessment) -> None:
        threads.add(threading.get_ident())
        got[text] = result
        if len(got) == len(texts):
            done.set()

    for text in texts:
        worker.submit(text, 0.0, callback, text, loop)
    await asyncio.wait_for(done.wait(), WAIT)
    assert threads == {threading.get_ident()}  # every callback ran on the loop's thread
    return got


async def test_a_burst_is_handed_over_as_one_batch_and_every_message_answered() -> None:
    assessor = _Recorder()
    worker = AssessWorker(assessor, linger=0.05)
    try:
        texts = [f"crisis {i}" if i % 3 == 0 else f"chat {i}" for i in range(30)]
        got = await _collect(worker, texts)
    finally:
        await worker.stop()
    assert assessor.batches == [texts]  # one hand-over, in order
    assert assessor.threads == {"kindred-detector"}  # assessed off the event loop
    assert {t for t, r in got.items() if r.label is Label.CRISIS_SELF} == {
        t for t in texts if t.startswith("crisis")
    }
    assert (worker.batches, worker.items) == (1, 30)


async def test_max_batch_hands_over_without_waiting_for_the_timer() -> None:
    assessor = _Recorder()
    worker = AssessWorker(assessor, max_batch=4, linger=3600)  # the timer never fires
    try:
        texts = [f"chat {i}" for i in range(8)]
        got = await _collect(worker, texts)
    finally:
        await worker.stop()
    assert sorted(got) == sorted(texts)
    assert sum(map(len, assessor.batches)) == 8  # handed over at 4 and 8, no timer


async def _pour(worker: AssessWorker, stop: asyncio.Event, seen: list[int]) -> int:
    """Submit 200 messages at a time, letting the loop run between, until ``stop``: a burst
    far faster than ``burst`` even if the machine stalls for tens of milliseconds. ``seen``
    gets the number of batches the worker had taken at each step."""
    loop = asyncio.get_running_loop()
    sent = 0
    while not stop.is_set():
        for _ in range(200):
            worker.submit(f"chat {sent}", 0.0, _ignore, None, loop)
            sent += 1
        seen.append(len(worker.assessor.batches))
        await asyncio.sleep(0)
    return sent


def _ignore(arg: object, result: Assessment) -> None:
    pass


async def _until(done: Callable[[], bool]) -> None:
    """Wait (up to ``WAIT``) until ``done()``; the caller asserts what it waited for."""
    for _ in range(WAIT * 100):
        if done():
            return
        await asyncio.sleep(0.01)


async def test_a_batch_waits_for_a_burst_of_messages_to_pass() -> None:
    """Detection beside a loop busy with a burst contends with it for the GIL: once the
    linger is over the batch is held while messages keep pouring in, and handed over,
    whole, as soon as they stop (the lull's deadline is far off here)."""
    assessor = _Recorder()
    worker = AssessWorker(assessor, linger=0.01, lull=3600, max_batch=10**9)
    stop = asyncio.Event()
    seen: list[int] = []
    try:
        pouring = asyncio.ensure_future(_pour(worker, stop, seen))
        await asyncio.sleep(0.3)  # thirty lingers
        stop.set()
        sent = await asyncio.wait_for(pouring, WAIT)
        assert seen and max(seen) == 0  # nothing handed over during the burst
        # the whole batch assessed, not only its first slice: on a loaded machine the
        # poured thousands take the worker longer than ``stop`` waits for its thread
        await _until(lambda: worker.batches > 0)
    finally:
        await worker.stop()
    assert worker.batches == 1  # one hand-over, whole
    assert sum(map(len, assessor.batches)) == sent
    assert max(map(len, assessor.batches)) == 128  # assessed in slices


async def test_a_large_batch_is_assessed_in_slices_with_a_checkpoint_between() -> None:
    """A batch held through a burst can be a thousand messages: the assessor takes them 128
    at a time, in order, and the pacer is asked between slices (the loop gets the GIL more
    often than it did when batches were at most 256)."""
    assessor = _Recorder()
    worker = AssessWorker(assessor, linger=3600, max_batch=300)
    calls: list[int] = []
    worker.pacer = _CountingPacer(calls, assessor)
    try:
        texts = [f"chat {i}" for i in range(300)]
        got = await _collect(worker, texts)
    finally:
        await worker.stop()
    assert [len(b) for b in assessor.batches] == [128, 128, 44]
    assert [t for b in assessor.batches for t in b] == texts
    assert calls == [1, 2]  # after the first and the second slice
    assert sorted(got) == sorted(texts)


class _CountingPacer(_Pacer):
    def __init__(self, calls: list[int], assessor: _Recorder) -> None:
        super().__init__()
        self.calls, self.assessor = calls, assessor

    def __call__(self) -> None:
        self.calls.append(len(self.assessor.batches))


async def test_a_burst_holds_a_batch_no_longer_than_the_lull() -> None:
    assessor = _Recorder()
    worker = AssessWorker(assessor, linger=0.01, lull=0.05, max_batch=10**9)
    stop = asyncio.Event()
    seen: list[int] = []
    try:
        pouring = asyncio.ensure_future(_pour(worker, stop, seen))
        await _until(lambda: bool(assessor.batches))
        stop.set()
        await asyncio.wait_for(pouring, WAIT)
    finally:
        await worker.stop()
    assert assessor.batches  # handed over while the burst went on


class _ManualLoop:
    """Just what ``submit`` and the lull's timer use of a loop, on a clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, object, tuple]] = []

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, fn, *args) -> None:
        self.timers.append((self.now + delay, fn, args))

    def advance(self, to: float) -> None:
        self.now = to
        due = [t for t in self.timers if t[0] <= to + 1e-9]
        self.timers = [t for t in self.timers if t[0] > to + 1e-9]
        for _, fn, args in due:
            fn(*args)


def _handed_over(per_ms: list[int]) -> list[tuple[int, int]]:
    """Feed ``per_ms[k]`` messages in millisecond ``k`` (linger 40 ms, lull 30 ms, burst
    2,000 a second) and say when each batch was handed over: (millisecond, size)."""
    worker = AssessWorker(_Recorder(), linger=0.04, lull=0.03, max_batch=10**9)
    worker._thread = threading.current_thread()  # no worker thread: batches stay queued
    loop = _ManualLoop()
    handed: list[tuple[int, int]] = []
    for ms in range(len(per_ms) + 100):
        loop.advance(ms / 1000)
        for _ in range(per_ms[ms] if ms < len(per_ms) else 0):
            worker.submit("chat", 0.0, _ignore, None, loop)  # type: ignore[arg-type]
        while not worker._queue.empty():
            handed.append((ms, len(worker._queue.get_nowait()[1])))
    return handed


def test_messages_at_an_ordinary_pace_go_when_the_linger_ends() -> None:
    """1,000 messages a second (one a millisecond) are no burst: each batch goes at its
    linger, 40 messages."""
    assert _handed_over([1] * 120)[:2] == [(40, 40), (80, 40)]


def test_a_burst_holds_its_batch_until_it_ends() -> None:
    """10 messages a millisecond for 55 ms: the linger ends at 40 ms inside the burst, the
    batch goes at the first millisecond with no message."""
    assert _handed_over([10] * 55) == [(56, 550)]


def test_a_burst_that_lasts_lets_the_batch_go_at_the_lull_and_then_holds_none() -> None:
    """A burst longer than linger + lull: the batch goes at 70 ms all the same. The stream
    is steady, so holding would only delay: the next batches go at their linger (the
    second began at 70 ms)."""
    assert _handed_over([10] * 200)[:3] == [(70, 700), (110, 400), (150, 400)]


def test_a_pause_after_a_steady_stream_lets_the_next_burst_be_held_again() -> None:
    handed = _handed_over([10] * 200 + [0] * 100 + [10] * 55)
    assert handed[-1] == (356, 550)  # began at 300, held until the burst ended


async def test_stop_assesses_what_was_gathered() -> None:
    assessor = _Recorder()
    worker = AssessWorker(assessor, linger=3600)
    loop = asyncio.get_running_loop()
    futures = [loop.create_future() for _ in range(3)]
    for i, future in enumerate(futures):
        worker.submit(f"crisis {i}", 0.0, _set, future, loop)
    await worker.stop()
    results = await asyncio.wait_for(asyncio.gather(*futures), WAIT)
    assert [r.label for r in results] == [Label.CRISIS_SELF] * 3


async def test_a_failing_model_falls_back_to_the_phrase_engine_per_message() -> None:
    worker = AssessWorker(_Recorder(fail=True), linger=0.01)
    try:
        got = await _collect(worker, ["so sad today", "hello"])
    finally:
        await worker.stop()
    assert got["so sad today"].label is Label.DISTRESS
    assert got["hello"].label is Label.NONE
    assert got["hello"].phrase_ids == ("fallback",)
    assert worker.fallbacks == 2  # counted, so tests can tell a broken batch path


async def test_assess_awaits_one_result() -> None:
    worker = AssessWorker(_Recorder(), linger=0.001)
    try:
        result = await asyncio.wait_for(worker.assess("crisis now"), WAIT)
    finally:
        await worker.stop()
    assert result.label is Label.CRISIS_SELF


class _Niceness(_Recorder):
    """Records the scheduling niceness of the thread that assesses."""

    def assess_batch(self, texts, risks, quiet=None, pause=None):
        self.nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return super().assess_batch(texts, risks, quiet, pause)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own niceness")
async def test_the_worker_yields_to_the_event_loop_for_a_cpu_and_for_the_gil() -> None:
    """Detection is background work: its thread runs ``WORKER_NICE`` steps under the loop's
    thread, and with a worker running the loop asks for the GIL after 1 ms, not 5."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    loop_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    recorder = _Niceness()
    worker = AssessWorker(recorder, linger=0.001)
    try:
        result = await asyncio.wait_for(worker.assess("crisis now"), WAIT)
        interval = sys.getswitchinterval()
    finally:
        await worker.stop()
        sys.setswitchinterval(before)
    assert result.label is Label.CRISIS_SELF
    assert interval == SWITCH_INTERVAL == 0.001
    assert recorder.nice == min(19, loop_nice + WORKER_NICE)
    assert WORKER_NICE == 10
    # the loop's own thread (and so the rest of the process) keeps its niceness
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == loop_nice


def _set(future: asyncio.Future, result: Assessment) -> None:
    future.set_result(result)


class _Quiet(_Recorder):
    """Gives the shared NOTHING to quiet messages it found nothing in (as the assessor does)."""

    def assess_batch(self, texts, risks, quiet=None, pause=None):
        results = super().assess_batch(texts, risks, quiet, pause)
        flags = quiet or [False] * len(texts)
        return [
            NOTHING if q and r.label is Label.NONE else r
            for r, q in zip(results, flags, strict=True)
        ]


async def test_a_quiet_caller_is_called_back_only_when_something_was_found(monkeypatch) -> None:
    """The guild listener drops "nothing found" unread: it is not called back for it, and a
    batch holding only such messages never wakes the loop."""
    import bot.safety.worker as module

    deliveries: list[int] = []
    real = module._deliver

    def counting(triples):
        deliveries.append(len(triples))
        real(triples)

    monkeypatch.setattr(module, "_deliver", counting)
    worker = AssessWorker(_Quiet(), linger=0.01)
    loop = asyncio.get_running_loop()
    got: dict[str, Assessment] = {}
    answered = asyncio.Event()

    def callback(text: str, result: Assessment) -> None:
        got[text] = result
        if len(got) == 2:
            answered.set()

    for text, quiet in (("chat a", True), ("crisis b", True), ("chat c", False), ("chat d", True)):
        worker.submit(text, 0.0, callback, text, loop, quiet=quiet)
    await asyncio.wait_for(answered.wait(), WAIT)
    assert set(got) == {"crisis b", "chat c"}  # found something, or not a quiet caller
    assert got["crisis b"].label is Label.CRISIS_SELF and got["chat c"] is not NOTHING
    assert deliveries == [2]

    for text in ("chat e", "chat f"):
        worker.submit(text, 0.0, callback, text, loop, quiet=True)
    await _until(lambda: worker.items == 6)
    assert worker.items == 6
    await asyncio.sleep(0.3)  # a delivery would follow the count at once
    assert deliveries == [2] and set(got) == {"crisis b", "chat c"}
    await worker.stop()


def test_the_pacer_naps_only_once_a_stage_has_run_long_enough() -> None:
    """Between stages the worker naps (GIL free, so a waiting event loop gets in) only when
    ``every`` has passed since the batch began or the last nap: short batches never nap."""
    now = [100.0]
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    pacer = _Pacer(every=0.001, nap=0.0002, clock=lambda: now[0], sleep=sleep)
    pacer.start()
    now[0] += 0.0009
    pacer()
    assert naps == []  # 0.9 ms: not yet
    now[0] += 0.0002
    pacer()
    assert naps == [0.0002] and pacer.naps == 1  # 1.1 ms since the start
    now[0] += 0.0005
    pacer()
    assert pacer.naps == 1  # 0.5 ms since that nap
    now[0] += 5.0
    pacer.start()  # a new batch starts the count again
    pacer()
    assert pacer.naps == 1


class _Loop:
    """What ``_waiting`` reads of an asyncio selector loop, as plain fields."""

    def __init__(self, ready=(), due=None, polled=()) -> None:
        self._ready = list(ready)
        self._scheduled = [] if due is None else [type("T", (), {"_when": due})()]
        self._selector = type("S", (), {"_selector": type("E", (), {})()})()
        self._selector._selector.poll = lambda timeout, most: list(polled)
        self.now = 50.0

    def time(self) -> float:
        return self.now


def test_the_pacer_naps_soon_when_a_loop_of_the_batch_is_waiting() -> None:
    """After ``soon`` the worker naps at a checkpoint as soon as one of its batch's loops
    waits to run (a ready callback, a timer due, a socket ready), not only after ``every``:
    a loop woken during a batch is not kept waiting for the whole stretch."""
    now = [100.0]
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    idle, busy = _Loop(due=60.0), _Loop()
    pacer = _Pacer(every=0.0025, nap=0.0002, clock=lambda: now[0], sleep=sleep, soon=0.0005)
    pacer.start([idle, busy])
    now[0] += 0.0004
    busy._ready.append(object())
    pacer()
    assert naps == []  # 0.4 ms: not yet, even with a loop waiting
    now[0] += 0.0002
    pacer()
    assert pacer.naps == 1  # 0.6 ms and a callback ready
    busy._ready.clear()
    now[0] += 0.001
    pacer()
    assert pacer.naps == 1  # 1 ms, no loop waiting: on, until ``every``
    idle.now = 61.0  # its timer is due
    pacer()
    assert pacer.naps == 2
    idle.now = 50.0
    busy._selector._selector.poll = lambda timeout, most: [(7, 1)]  # a socket has data
    now[0] += 0.0006
    pacer()
    assert pacer.naps == 3
    pacer.start()  # a batch with no loop known: ``every`` alone
    now[0] += 0.002
    pacer()
    assert pacer.naps == 3


def test_waiting_reads_a_real_selector_loop_without_running_it() -> None:
    """``_waiting`` on asyncio's own selector loop (the bot's): idle, a callback ready, a
    timer due, a socket with data to read (epoll asked without waiting, nothing consumed);
    a loop of another kind is taken as not waiting."""
    import socket

    from bot.safety.worker import _waiting

    loop = asyncio.new_event_loop()
    a, b = socket.socketpair()
    try:
        assert not _waiting(loop)
        loop.call_later(60, lambda: None)
        assert not _waiting(loop)  # a timer, not due
        loop.add_reader(a.fileno(), lambda: None)
        assert not _waiting(loop)
        b.send(b"x")
        assert _waiting(loop) and _waiting(loop)  # still there: nothing was consumed
        assert a.recv(1) == b"x"
        assert not _waiting(loop)
        handle = loop.call_soon(lambda: None)
        assert _waiting(loop)
        handle.cancel()
        loop._ready.clear()  # type: ignore[attr-defined]
        loop.call_at(loop.time() - 1, lambda: None)
        assert _waiting(loop)
        assert not _waiting(object())  # type: ignore[arg-type]
    finally:
        loop.remove_reader(a.fileno())
        a.close()
        b.close()
        loop.close()


def test_the_pacer_keeps_the_longest_stretch_without_a_nap() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = _Pacer(every=0.001, nap=0.0002, clock=lambda: now[0], sleep=sleep)
    pacer.start()
    now[0] += 0.003
    pacer()  # naps after 3 ms
    now[0] += 0.0005
    pacer.end()  # 0.5 ms after the nap
    assert pacer.longest == pytest.approx(0.003)
    pacer.start()
    now[0] += 0.0008
    pacer()  # no nap: 0.8 ms
    now[0] += 0.004
    pacer.end()  # the batch ended 4.8 ms after it began, with no nap
    assert pacer.longest == pytest.approx(0.0048)


async def test_the_worker_gives_its_pacer_to_each_batch() -> None:
    rec = _Recorder()
    worker = AssessWorker(rec, linger=0.01)
    worker.start()
    try:
        results = await asyncio.wait_for(
            asyncio.gather(*(worker.assess(f"hello {i}") for i in range(5))), WAIT
        )
    finally:
        await worker.stop()
    assert len(results) == 5
    assert rec.pauses and all(p is worker.pacer for p in rec.pauses)
