"""Support requests' settings, lookups, stats and privacy.

:class:`RequestService` is assembled here from the mixins of the package's other modules
(peers' actions: ``claims``; closing and what follows it: ``closing``).
"""

from __future__ import annotations

import contextlib
import statistics
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.clock import Clock, utcnow
from bot.db.repositories.blocks import BlockRepository
from bot.db.repositories.core import CardClearing, TimerRow
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.db.repositories.tags import TagRepository
from bot.errors import (
    InvalidInputError,
    KindredError,
    NotConfiguredError,
    NotFoundError,
)
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService
from bot.services.privacy import CARD_CLEAR, Deleted
from bot.services.requests.claims import Claims
from bot.services.requests.closing import FEEDBACK, CloseFollowUp, Closing
from bot.services.requests.departures import Departures
from bot.services.requests.edits import RelayEdits
from bot.services.requests.holders import Holders, NoLongerAPeerError, NotAPeerError
from bot.services.requests.intake import AlreadyOpenError, BlockedError, Intake, RequestIntake
from bot.services.requests.relay import Conversations, DmRoute, GoneConversation
from bot.services.requests.relay_retry import (
    PICKED_UP,
    RELAY_RETRY,
    RELAY_RETRY_AFTER,
    TO_MEMBER,
    TO_PEER,
    PendingRelay,
    RelayBacklog,
)
from bot.services.requests.rules import (
    busiest_hours,
    ping_list,
    thread_transcript,
    transcript_messages,
)
from bot.services.requests.timers import (
    ESCALATE,
    HANDOVER,
    IDLE,
    OPEN_CHECK,
    EscalationStep,
    Handover,
    IdleOutcome,
    RequestTimers,
    Requeued,
)
from bot.services.settings import GuildSettingsService
from bot.timers import Scheduler

# The Discord layer takes row types, timer kinds and outcomes from here, never from bot.db.
__all__ = [
    "ESCALATE",
    "HANDOVER",
    "IDLE",
    "OPEN_CHECK",
    "PICKED_UP",
    "RELAY_RETRY",
    "TO_MEMBER",
    "TO_PEER",
    "AlreadyOpenError",
    "BlockedError",
    "CloseFollowUp",
    "DmRoute",
    "EndedConversation",
    "EscalationStep",
    "ForgottenRequests",
    "GoneConversation",
    "Handover",
    "IdleOutcome",
    "Intake",
    "NoLongerAPeerError",
    "NotAPeerError",
    "PendingRelay",
    "RelayBacklog",
    "RequestRow",
    "RequestService",
    "Requeued",
    "TimerRow",
    "ping_list",
    "thread_transcript",
    "transcript_messages",
]

MAX_STATS_DAYS = 365


@dataclass(frozen=True)
class EndedConversation:
    """A conversation going on when its member used ``/forgetme``: its thread (private, or
    the peer's relay thread) to close off, and its peer to tell."""

    request_id: int
    thread_id: int
    peer_id: int
    relay: bool


@dataclass(frozen=True)
class ForgottenRequests:
    """What Discord still shows of a member's requests that ``/forgetme`` deleted, read by the
    deletion itself: each conversation going on (each card's clearing is a stored
    ``privacy.card_clear`` timer instead, written with the deletion).
    As a peer, ``requeued``: the requests they held, back in the queue (read after their id
    left them), with the on-duty peers to ping, as when a peer loses the role."""

    conversations: tuple[EndedConversation, ...]
    requeued: tuple[Requeued, ...] = ()


@dataclass
class Stats:
    opened: int
    claimed: int
    closed: int
    cancelled: int
    past_threshold: int
    median_claim: timedelta | None
    # Feedback is counted by month only (never per request), so it covers whole months:
    # from the first day of the month the period starts in.
    feedback: dict[str, int] = field(default_factory=dict)
    feedback_since: date | None = None
    # the hours of the day (in ``zone``, the reader's) with the most requests: (hour, count)
    busiest_hours: list[tuple[int, int]] = field(default_factory=list)
    zone: str = "UTC"


MemberLanguage = Callable[[int, str | None], Awaitable[str]]


async def _detected_or_english(user_id: int, detected: str | None = None) -> str:
    return detected or "en"


class RequestService(
    Claims, Closing, RequestIntake, RequestTimers, Conversations, RelayEdits, Holders, Departures
):
    """Support requests. Peers' actions, closing, intake, timers, conversations and the
    peer-role check of holders are mixed in from their modules."""

    def __init__(
        self,
        requests: RequestRepository,
        tags: TagRepository,
        blocks: BlockRepository,
        duty: DutyService,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        clock: Clock = utcnow,
        *,
        relay_retry_after: tuple[timedelta, ...] = RELAY_RETRY_AFTER,
    ) -> None:
        self.requests = requests
        self.tags = tags
        self.blocks = blocks
        self.duty = duty
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock
        self.peers_seen = {}
        self.members_seen = {}
        self.role_lost_hooks = []
        self.waiting_told = {}
        self.help_told = {}
        self.relay_locks = {}
        self.relay_retry_after = relay_retry_after
        # the member's own choice (/language set) over a language detected: the safety
        # service's rule, wired by build_services once it exists
        self.member_language: MemberLanguage = _detected_or_english
        # has the server removed Kindred? (``ServerPresence.is_departed``, wired likewise)
        self.server_away: Callable[[int], Awaitable[bool]] | None = None

    async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings:
        cfg = await self.settings.get(guild_id, PeerSettings)
        if require and not cfg.configured:
            raise NotConfiguredError(
                N_(
                    "Peer support isn't set up in this server yet. A moderator can set it up "
                    "with `/peers setup`. If you need someone right now, `/crisis` shows lines "
                    "you can reach."
                )
            )
        return cfg

    async def language_for(self, request: RequestRow, detected: str | None = None) -> str:
        """The language of a request's private messages to its member: the one they chose
        with ``/language set``, else the one they asked in (``request.lang``), else one
        ``detected`` (a DM's words), else English."""
        return await self.member_language(request.requester_id, request.lang or detected)

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        await self.requests.update(
            request_id, card_channel_id=channel_id, card_message_id=message_id
        )

    async def live_anywhere(self, requester_id: int) -> list[RequestRow]:
        return await self.requests.live_for_user_anywhere(requester_id)

    # -- lookups ----------------------------------------------------------------------------
    async def get(self, request_id: int) -> RequestRow:
        return await self._get(request_id)

    async def get_here(self, request_id: int, guild_id: int | None) -> RequestRow:
        """A request named by a button. A custom id forged in another server gets the same
        answer as a missing request, so it reveals nothing about this one."""
        request = await self._get(request_id)
        if guild_id is not None and guild_id != request.guild_id:
            raise NotFoundError(N_("There is no request #{number} here."), number=request_id)
        return request

    async def to_close_here(self, request_id: int, guild_id: int | None) -> RequestRow:
        """The request a Close button names. Requests are deleted only by their member's
        ``/forgetme``, which ends its conversation: a Close pressed after it is told so kindly."""
        if await self.requests.get(request_id) is None:
            raise NotFoundError(
                N_("This conversation has already ended, so there's nothing left to close.")
            )
        return await self.get_here(request_id, guild_id)

    async def _get(self, request_id: int) -> RequestRow:
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFoundError(N_("That request no longer exists (it may have been deleted)."))
        return request

    async def live_for(self, guild_id: int, requester_id: int) -> RequestRow | None:
        return await self.requests.live_for_member(guild_id, requester_id)

    async def by_thread(self, thread_id: int) -> RequestRow | None:
        return await self.requests.by_thread(thread_id)

    async def held_by(self, guild_id: int, peer_id: int) -> list[RequestRow]:
        return await self.requests.claimed_by(guild_id, peer_id)

    async def queue(self, guild_id: int) -> list[RequestRow]:
        return await self.requests.open_queue(guild_id)

    async def position(self, request: RequestRow) -> int:
        return await self.requests.queue_position(request)

    async def on_duty_ids(self, guild_id: int) -> list[int]:
        return [r.user_id for r in await self.duty.on_duty(guild_id)]

    async def stats(self, guild_id: int, days: int, zone: str | zoneinfo.ZoneInfo = "UTC") -> Stats:
        """The last ``days`` days' counts; the busiest hours by the clock in ``zone`` (the
        reader's own zone, else the server's)."""
        if not 1 <= days <= MAX_STATS_DAYS:  # Discord enforces the range; don't rely on it
            raise InvalidInputError(N_("Choose between 1 and {days} days."), days=MAX_STATS_DAYS)
        tz = zone if isinstance(zone, zoneinfo.ZoneInfo) else zoneinfo.ZoneInfo(zone)
        since = self.clock() - timedelta(days=days)
        data = await self.requests.stats(guild_id, since)
        feedback = await self.requests.feedback_counts(guild_id, since.strftime("%Y-%m"))
        waits = data["claim_seconds"]
        return Stats(
            opened=data.get("opened", 0),
            claimed=data.get("claimed", 0),
            closed=data.get("closed", 0),
            cancelled=data.get("cancelled", 0),
            past_threshold=data.get("past_threshold", 0),
            median_claim=timedelta(seconds=round(statistics.median(waits))) if waits else None,
            feedback={k: feedback.get(k, 0) for k in FEEDBACK},
            feedback_since=since.date().replace(day=1),
            busiest_hours=busiest_hours(data["opened_at"], tz),
            zone=tz.key,
        )

    # -- moderation and privacy (blocking: bot/services/blocks.py) -----------------------------
    async def peers_to_ping(
        self, request: RequestRow, *, besides: int | None = None, to_claim: bool = True
    ) -> list[int]:
        """The one rule for who is pinged about a request (unclaim, backup, shift hand-off,
        escalation): on-duty peers by :func:`ping_list`, minus the peer who is acting; to
        claim it, only those free to (:meth:`_free`: not at ``max_open_per_peer``)."""
        on_duty = await self.on_duty_ids(request.guild_id)
        if to_claim:
            candidates = await self._free(request, on_duty)
        else:  # backup: help with a conversation someone holds, not one more to hold
            candidates = ping_list(request, on_duty)
        return [p for p in candidates if p != besides]

    async def forget(self, user_id: int) -> Deleted:
        """``/forgetme``: the member's requests are deleted, their timers with them (so a
        conversation going on is closed, no idle close or feedback question follows); the
        follow-up says which cards and conversations the Discord layer takes their words off.
        As a peer, what they hold goes back to the queue and their id leaves the rest."""
        for request in await self.requests.live_for_user_anywhere(user_id):
            await self.scheduler.cancel_prefix(f"request:{request.id}:")
        # each card's clearing is stored with the deletion (privacy.card_clear, retried)
        deleted = await self.requests.delete_member(user_id, CardClearing(CARD_CLEAR, self.clock()))
        for request in deleted:  # one opened meanwhile (its timers armed after the look-up)
            if request.live:
                await self.scheduler.cancel_prefix(f"request:{request.id}:")
        forgotten = ForgottenRequests(
            conversations=tuple(
                EndedConversation(r.id, r.thread_id, r.claimed_by, r.relay)
                for r in deleted
                if r.status == "claimed" and r.thread_id is not None and r.claimed_by is not None
            ),
        )
        removed = len(deleted)
        # as a peer: requests they still hold go back to the queue (the chain restarts)...
        held = []
        for request in await self.requests.live_claimed_by_anywhere(user_id):
            with contextlib.suppress(KindredError):  # closed or transferred meanwhile
                held.append((await self.unclaim(request.id, user_id)).id)
        for key in [k for k in self.peers_seen if k[1] == user_id]:
            del self.peers_seen[key]
        # ...and their id leaves everyone else's requests
        removed += await self.requests.forget_peer(user_id)
        # what the Discord layer tells (card, pings, member, old thread), read without them
        requeued = []
        for request_id in held:
            fresh = await self.requests.get(request_id)
            if fresh is not None and fresh.status == "open":
                requeued.append(Requeued(fresh, await self.peers_to_ping(fresh, besides=user_id)))
        return Deleted(removed, replace(forgotten, requeued=tuple(requeued)))
