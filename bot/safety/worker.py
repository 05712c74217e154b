"""Detection off the event loop: one worker thread that assesses messages in micro-batches.

The event loop only enqueues ``(text, context risk)`` with a callback (``submit``: no future,
no task; the guild-message listener's path) or awaits a future (``assess``); the worker takes
everything queued within ``linger`` seconds of the first message (up to ``max_batch``),
assesses it, and delivers the whole batch's results with one ``call_soon_threadsafe``.  Under load
batches grow by themselves, so the model's per-batch cost and the hand-off are shared.
A failure in the assessor never reaches the caller: the message falls back to the phrase
engine alone (and the error is logged without text).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from bot.safety.assess import Assessment, Assessor

__all__ = ["AssessWorker"]

log = logging.getLogger(__name__)

_STOP = object()
Done = Callable[[Any, Assessment], object]  # done(arg, assessment), on the event loop


class AssessWorker:
    def __init__(self, assessor: Assessor, *, max_batch: int = 256, linger: float = 0.004) -> None:
        self.assessor = assessor
        self.max_batch = max_batch
        self.linger = linger
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self.batches = 0
        self.items = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="kindred-detector", daemon=True)
            self._thread.start()

    async def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
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
        """Queue one message; ``done(arg, assessment)`` runs later on ``loop`` (the batch's
        results arrive in one ``call_soon_threadsafe``). No future and no task: a message
        that needs nothing costs the event loop a tuple and a callback. ``quiet``: the
        caller drops ``none`` with no need unread, so it may get the shared ``NOTHING``."""
        if self._thread is None:
            self.start()
        self._queue.put((text, context_risk, done, arg, loop, quiet))

    # ------------------------------------------------------------------ worker thread
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            # Linger a few milliseconds for company: the model's cost is mostly per batch,
            # so a busy server's messages share it (decisions stay far under 100 ms).
            deadline = time.monotonic() + self.linger
            while len(batch) < self.max_batch:
                remaining = deadline - time.monotonic()
                try:
                    nxt = (
                        self._queue.get(timeout=remaining)
                        if remaining > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(nxt)
            quiet = [item[5] for item in batch]
            results = self._batch(
                [item[0] for item in batch],
                [item[1] for item in batch],
                quiet if any(quiet) else None,
            )
            self.batches += 1
            self.items += len(batch)
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for (_, _, done, arg, loop, _), result in zip(batch, results, strict=True):
                by_loop.setdefault(loop, []).append((done, arg, result))
            for loop, triples in by_loop.items():
                with contextlib.suppress(RuntimeError):  # the loop closed while we worked
                    loop.call_soon_threadsafe(_deliver, triples)

    def _batch(
        self, texts: list[str], risks: list[float], quiet: list[bool] | None
    ) -> list[Assessment]:
        try:
            if quiet is None:
                return self.assessor.assess_batch(texts, risks)
            return self.assessor.assess_batch(texts, risks, quiet)
        except Exception:
            log.exception("detector batch failed; assessing one by one")
            return [self._one(text, risk) for text, risk in zip(texts, risks, strict=True)]

    def _one(self, text: str, risk: float) -> Assessment:
        try:
            return self.assessor.assess(text, context_risk=risk)
        except Exception:
            log.exception("detector failed; falling back to the phrase engine")
            detection = self.assessor.detector.detect(text)
            return self.assessor.combine(detection, None, text=text)


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
