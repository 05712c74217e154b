"""Detection off the event loop: one worker thread that assesses messages in micro-batches.

The event loop only enqueues ``(text, context risk)`` and awaits a future; the worker takes
everything queued within ``linger`` seconds of the first message (up to ``max_batch``),
assesses it, and resolves the whole batch with one ``call_soon_threadsafe``.  Under load
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
from collections.abc import Sequence

from bot.safety.assess import Assessment, Assessor

__all__ = ["AssessWorker"]

log = logging.getLogger(__name__)

_STOP = object()


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
        if self._thread is None:
            self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Assessment] = loop.create_future()
        self._queue.put((text, context_risk, future, loop))
        return await future

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
            results = self._batch([text for text, _, _, _ in batch], [r for _, r, _, _ in batch])
            self.batches += 1
            self.items += len(batch)
            by_loop: dict[asyncio.AbstractEventLoop, list] = {}
            for (_, _, future, loop), result in zip(batch, results, strict=True):
                by_loop.setdefault(loop, []).append((future, result))
            for loop, pairs in by_loop.items():
                with contextlib.suppress(RuntimeError):  # the loop closed while we worked
                    loop.call_soon_threadsafe(_resolve, pairs)

    def _batch(self, texts: list[str], risks: list[float]) -> list[Assessment]:
        try:
            return self.assessor.assess_batch(texts, risks)
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


def _resolve(pairs: Sequence[tuple[asyncio.Future, Assessment]]) -> None:
    for future, result in pairs:
        if not future.done():
            future.set_result(result)
