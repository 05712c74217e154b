"""Carrying each direction of a relay in order and once: the stored retry bookkeeping.

Part of :class:`bot.services.requests.RequestService` (a mixin, inherited through
:class:`bot.services.requests.relay.Conversations`). A message Discord refuses for a moment
(429, 5xx) waits in a stored retry (``request.relay_retry``, one per conversation and
direction, ids only: the words are read again from the Discord message when it is sent), and
the messages written after it wait behind it; the member's "a peer picked up your request" DM
waits the same way, first (:data:`PICKED_UP`). The retries back off generously; when they run
out, or the conversation ended meanwhile, the writer is told that message did not reach the
other person.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.db.repositories.core import TimerRow
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.services.requests.timers import timer_key
from bot.timers import Scheduler

RELAY_RETRY = "request.relay_retry"
# How long a relayed message Discord refuses for a moment waits before each next try: about
# 35 minutes in all before its writer is told it did not go through.
RELAY_RETRY_AFTER = tuple(timedelta(seconds=s) for s in (5, 10, 20, 40, 80, 160, 300, 600, 900))
TO_MEMBER = "member"  # a peer's words, carried to the member's DMs
TO_PEER = "peer"  # a member's DM, carried to the peer's relay thread
# In a TO_MEMBER retry, in place of a message id: Kindred's own "a peer picked up your
# request" DM (nothing to read back), waiting first, the peer's words behind it.
PICKED_UP = 0


def relay_retry_key(request_id: int, to: str) -> str:
    """One stored retry per conversation and direction (``to``: :data:`TO_MEMBER` or
    :data:`TO_PEER`); under the request's prefix, so /forgetme drops it with the request."""
    return timer_key(request_id, f"relay_to_{to}")


@dataclass(frozen=True)
class PendingRelay:
    """A Discord message waiting to be carried across: ``sent`` of its parts already were
    (a long message goes as several)."""

    message_id: int
    sent: int = 0


@dataclass(frozen=True)
class RelayBacklog:
    """The messages of one conversation and direction still to carry, in the order they were
    written, from ``channel_id`` (the member's DM channel or the peer's relay thread):
    ``tries`` retries so far. Ids only, never words."""

    request_id: int
    to: str
    channel_id: int
    pending: tuple[PendingRelay, ...]
    tries: int = 0

    @staticmethod
    def of(timer: TimerRow) -> RelayBacklog:
        data = timer.payload
        return RelayBacklog(
            request_id=data["request_id"],
            to=data["to"],
            channel_id=data["channel_id"],
            pending=tuple(PendingRelay(m, sent) for m, sent in data["pending"]),
            tries=data.get("tries", 0),
        )


class RelayRetries:
    """Mixin of RequestService; the host provides the attributes below."""

    requests: RequestRepository
    scheduler: Scheduler
    clock: Clock
    # (request id, direction) -> the lock that keeps one direction's deliveries in order in
    # this process (each direction's messages all arrive at one process, where its retry runs)
    relay_locks: dict[tuple[int, str], asyncio.Lock]
    # How long each next try of a refused relayed message waits (RELAY_RETRY_AFTER; the
    # end-to-end tests pass shorter ones so a retry is not a real-clock wait)
    relay_retry_after: tuple[timedelta, ...]

    def relay_lock(self, request_id: int, to: str) -> asyncio.Lock:
        """Held while one direction of a conversation is delivered (new words and retries)."""
        return self.relay_locks.setdefault((request_id, to), asyncio.Lock())

    async def relay_backlog(self, request_id: int, to: str) -> RelayBacklog | None:
        """The messages of this conversation and direction still waiting for Discord (new
        words wait behind them), or None."""
        timer = await self.scheduler.get(relay_retry_key(request_id, to))
        return RelayBacklog.of(timer) if timer is not None else None

    async def hold_relay(
        self, request: RequestRow, to: str, channel_id: int, message_id: int, sent: int = 0
    ) -> None:
        """Discord refused this message for a moment (or words before it still wait): keep
        its id in the conversation's stored retry, after those already waiting."""
        backlog = await self.relay_backlog(request.id, to)
        if backlog is None:
            backlog = RelayBacklog(request.id, to, channel_id, ())
            due = self.clock() + self.relay_retry_after[0]
        else:
            timer = await self.scheduler.get(relay_retry_key(request.id, to))
            due = timer.due_at if timer is not None else self.clock() + self.relay_retry_after[0]
        if any(p.message_id == message_id for p in backlog.pending):
            return
        pending = (*backlog.pending, PendingRelay(message_id, sent))
        await self._store_backlog(request.guild_id, backlog, pending, backlog.tries, due)

    async def relay_retry_later(
        self, guild_id: int, backlog: RelayBacklog, pending: tuple[PendingRelay, ...]
    ) -> bool:
        """A retry was refused again: ``pending`` (what is left, in order) waits longer.
        False when the retries are used up (nothing is kept: tell the writers)."""
        tries = backlog.tries + 1
        if tries >= len(self.relay_retry_after):
            await self.relay_done(backlog.request_id, backlog.to)
            return False
        due = self.clock() + self.relay_retry_after[tries]
        await self._store_backlog(guild_id, backlog, pending, tries, due)
        return True

    async def relay_done(self, request_id: int, to: str) -> None:
        await self.scheduler.cancel(relay_retry_key(request_id, to))

    async def _store_backlog(
        self,
        guild_id: int,
        backlog: RelayBacklog,
        pending: tuple[PendingRelay, ...],
        tries: int,
        due: datetime,
    ) -> None:
        # The retry runs where this direction's messages arrive: DMs at the process owning
        # shard 0 (no guild), a relay thread's at its server's shard.
        await self.scheduler.schedule_once(
            RELAY_RETRY,
            due,
            {
                "request_id": backlog.request_id,
                "to": backlog.to,
                "channel_id": backlog.channel_id,
                "pending": [[p.message_id, p.sent] for p in pending],
                "tries": tries,
            },
            guild_id=guild_id if backlog.to == TO_MEMBER else None,
            key=relay_retry_key(backlog.request_id, backlog.to),
        )

    async def on_relay_retry(self, timer: TimerRow) -> RelayBacklog | None:
        """The stored retry as it is now (words may have joined it since the timer was read),
        or None when it was handled already."""
        payload = timer.payload
        return await self.relay_backlog(payload["request_id"], payload["to"])

    async def relay_target(self, request_id: int) -> RequestRow | None:
        """The request a waiting message belongs to, while its relay conversation goes on
        (claimed, relayed, with a thread); None when it ended, went back or was deleted."""
        request = await self.requests.get(request_id)
        if request is None or not request.relay or request.status != "claimed":
            return None
        return request if request.thread_id else None
