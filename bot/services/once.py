"""One handler per Discord event across a cluster (issue #14).

While two gateway sessions hold one shard (a rolling restart: the old process still connected
while the new one identifies), Discord sends each of that shard's events to both, so two
processes see the same interaction or message. ``first(kind, event_id)`` is True for exactly
one of them: the first to store the key. A single process (SQLite) never shares a shard, so
there it is always True and stores nothing. Keys are ids only; a day later they are useless,
and the retention purge removes them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db.repositories.events import HandledEventRepository
from bot.db.retention import Cutoffs

KEEP = timedelta(days=1)


class OnceService:
    def __init__(
        self, repo: HandledEventRepository, clock: Clock, *, shared: bool, holders: int = 1
    ) -> None:
        self.repo = repo
        self.clock = clock
        self.shared = shared  # several processes may receive one event
        # A held cluster-wide lock keeps one pooled connection busy while its holder still
        # needs others: at most ``holders`` at once (under half the pool), or a burst of
        # different members would take every connection and wait forever for one more.
        self._holders = asyncio.Semaphore(holders) if holders > 0 else None

    async def first(self, kind: str, event_id: int) -> bool:
        """Whether this process is the one to handle ``event_id`` (of ``kind``)."""
        if not self.shared:
            return True
        return await self.repo.claim(kind, event_id, self.clock())

    @asynccontextmanager
    async def one_at_a_time(self, *key: str | int) -> AsyncIterator[None]:
        """Across the cluster, one holder of ``key`` at a time (one process: no wait; the
        caller's own in-process lock already serialises it). With a pool too small to spare
        a connection (``holders`` 0) it does not lock."""
        if not self.shared or self._holders is None:
            yield
            return
        async with self._holders:
            release = await self.repo.hold("kindred-once", *key)
            try:
                yield
            finally:
                await release()

    async def purge(self, cutoff: datetime | Cutoffs) -> int:
        """Drop keys older than a day (or than ``cutoff``, if that is later). Ids of no
        server's content: the deployment's cutoff is the one that counts."""
        return await self.repo.purge_before(max(Cutoffs.of(cutoff).default, self.clock() - KEEP))
