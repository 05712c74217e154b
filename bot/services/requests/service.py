"""Peers claim, unclaim, transfer and ask for backup; closing, lookups, stats, privacy.

:class:`RequestService` is assembled here from the mixins of the package's other modules.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from bot.clock import Clock, utcnow
from bot.crashpoints import crash_point
from bot.db.repositories.blocks import BlockRepository
from bot.db.repositories.core import CardClearing, TimerRow
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.db.repositories.tags import TagRepository
from bot.errors import (
    ConflictError,
    InvalidInputError,
    KindredError,
    LimitReachedError,
    NotConfiguredError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService
from bot.services.privacy import CARD_CLEAR, Deleted
from bot.services.requests.holders import Holders, NoLongerAPeerError, NotAPeerError
from bot.services.requests.intake import AlreadyOpenError, BlockedError, Intake, RequestIntake
from bot.services.requests.relay import (
    RELAY_RETRY,
    RELAY_RETRY_AFTER,
    TO_MEMBER,
    TO_PEER,
    Conversations,
    DmRoute,
    GoneConversation,
    PendingRelay,
    RelayBacklog,
)
from bot.services.requests.rules import (
    already_closed,
    ping_list,
    require_holder,
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

FEEDBACK = ("helped", "somewhat", "not_really")
MAX_STATS_DAYS = 365


@dataclass(frozen=True)
class CloseFollowUp:
    """What follows a close that a peer had taken part in: the member's transcript (if they
    asked for one) and feedback question (if the server asks), and the peer's thank-you."""

    request: RequestRow
    member_id: int
    peer_id: int
    send_transcript: bool
    ask_feedback: bool
    #: a relayed conversation closed for being quiet: the member, who sees it only in their
    #: DMs, is told it ended and how to ask again
    tell_quiet_close: bool = False


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
    busiest_hours_utc: list[tuple[int, int]] = field(default_factory=list)


class RequestService(RequestIntake, RequestTimers, Conversations, Holders):
    """Support requests. Intake, timers, conversations and the peer-role check of holders are
    mixed in from their modules."""

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
        self.role_lost_hooks = []
        self.waiting_told = {}
        self.relay_locks = {}
        self.relay_retry_after = relay_retry_after

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

    # -- peers' actions (the peer-role check: holders.py) ----------------------------------
    def check_transfer(self, request: RequestRow, peer_id: int) -> None:
        require_holder(request, peer_id, "transfer it")

    async def backup(self, request: RequestRow, peer_id: int) -> list[int]:
        """The holder asks for backup: the on-duty peers to ping (not the holder)."""
        require_holder(request, peer_id, "ask for backup")
        return await self.peers_to_ping(request, besides=peer_id, to_claim=False)

    async def claim(self, request_id: int, peer_id: int) -> RequestRow:
        request = await self._get(request_id)
        cfg = await self.config(request.guild_id)
        await self._arm_open_check(request)
        outcome = await self.requests.claim(
            request_id, peer_id, cfg.max_open_per_peer, self.clock()
        )
        if outcome == "own":
            raise PermissionDeniedError(N_("This is your own request; another peer will take it."))
        if outcome == "limit":
            raise LimitReachedError(
                N_(
                    "You already hold {limit} open requests, the most this server allows per "
                    "peer. Look after yourself: close or hand one on first."
                ),
                limit=cfg.max_open_per_peer,
            )
        if outcome != "ok":
            await self._cancel(request_id, "open")
        if outcome == "missing":
            raise NotFoundError(N_("That request no longer exists."))
        fresh = await self._get(request_id)
        if outcome == "taken":
            if fresh.status == "claimed":
                raise ConflictError(N_("Already claimed by <@{peer}>."), peer=fresh.claimed_by)
            raise ConflictError(N_("This request is no longer open."))
        crash_point("claim.committed")
        await self._cancel(request_id, "escalate")
        await self._schedule_idle(fresh, cfg, reminded=False)
        return fresh

    async def unclaim(self, request_id: int, peer_id: int) -> RequestRow:
        """The holder gives the request back, peer role or not (someone who lost the role
        must still be able to let go of what they hold)."""
        request = await self._get(request_id)
        if request.claimed_by != peer_id:
            raise PermissionDeniedError(
                N_("Only the peer who claimed this request can unclaim it.")
            )
        if not await self.requests.unclaim(request_id, peer_id, self.clock()):
            raise ConflictError(N_("This request changed meanwhile; it is no longer yours."))
        fresh = await self._get(request_id)
        await self._restart_escalation(fresh)
        return fresh

    async def release(self, request_id: int, peer_id: int) -> Requeued:
        """The peer gives the request back to the queue; the others are pinged about it."""
        fresh = await self.unclaim(request_id, peer_id)
        return Requeued(fresh, await self.peers_to_ping(fresh, besides=peer_id))

    async def transfer(
        self, request_id: int, from_peer: int, to_peer: int, to_roles: Collection[int] | None
    ) -> RequestRow:
        """The holder hands the request to another on-duty peer (``to_roles``: that peer's
        roles as Discord has them now, None when not a member of the server): one who lost
        the peer role is refused, and loses it as at any peer check (NoLongerAPeerError)."""
        request = await self._get(request_id)
        cfg = await self.config(request.guild_id)
        self.check_transfer(request, from_peer)
        if to_peer == from_peer:
            raise InvalidInputError(N_("Choose another peer to transfer to."))
        # The requester gets the same answer as anyone off duty: a different message would
        # tell the peer who an anonymous member is.
        if to_peer == request.requester_id or not await self.duty.is_on_duty(
            request.guild_id, to_peer
        ):
            raise InvalidInputError(N_("<@{peer}> is not on duty right now."), peer=to_peer)
        lost = await self.check_on_duty(request.guild_id, to_peer, to_roles)
        if lost is not None:
            raise NoLongerAPeerError(to_peer, lost)
        if len(await self.requests.claimed_by(request.guild_id, to_peer)) >= cfg.max_open_per_peer:
            raise LimitReachedError(
                N_("<@{peer}> already holds the most requests allowed."), peer=to_peer
            )
        await self._arm_handover(request, from_peer, to_peer)
        if not await self.requests.transfer(request_id, from_peer, to_peer, self.clock()):
            await self._cancel(request_id, "handover")
            raise ConflictError(N_("This request changed meanwhile; nothing was transferred."))
        crash_point("transfer.committed")
        return await self._get(request_id)

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        await self.requests.update(
            request_id, card_channel_id=channel_id, card_message_id=message_id
        )

    async def close(
        self, request_id: int, by_user: int, *, is_moderator: bool = False, reason: str = "closed"
    ) -> RequestRow:
        request = await self._get(request_id)
        if by_user not in (request.requester_id, request.claimed_by) and not is_moderator:
            raise PermissionDeniedError(
                N_("Only the member or the peer in this conversation can close it.")
            )
        if not request.live:
            raise already_closed(request)
        status = (
            "cancelled"
            if request.status == "open" and by_user == request.requester_id
            else "closed"
        )
        if not await self.requests.close(
            request_id,
            status,
            by_user,
            reason,
            self.clock(),
            expect_status=request.status,
            expect_claimed_by=request.claimed_by,
        ):
            fresh = await self._get(request_id)
            if not fresh.live:  # closed meanwhile (a second press, the other person, a timer)
                raise already_closed(fresh)
            raise ConflictError(
                N_("This request changed meanwhile (claimed or transferred); please try again.")
            )
        crash_point("close.committed")
        await self._cancel(request_id, "escalate", "idle", "open")
        return await self._get(request_id)

    async def cancel_own(self, guild_id: int, requester_id: int) -> RequestRow:
        request = await self.requests.live_for_member(guild_id, requester_id)
        if request is None:
            raise NotFoundError(N_("You have no open request here."))
        return await self.close(request.id, requester_id, reason="cancelled")

    async def feedback(self, request_id: int, requester_id: int, rating: str) -> None:
        request = await self._get(request_id)
        if request.requester_id != requester_id:
            raise PermissionDeniedError(N_("Only the member who asked can give this feedback."))
        if rating not in FEEDBACK:
            raise InvalidInputError(N_("Choose helped, somewhat or not really."))
        if request.status not in ("closed", "cancelled"):
            raise ConflictError(N_("Feedback opens once the conversation is closed."))
        # Only a count is kept (server, month, answer): never who answered or about whom.
        month = self.clock().strftime("%Y-%m")
        if not await self.requests.count_feedback(request_id, request.guild_id, month, rating):
            raise ConflictError(N_("You've already answered this one. Thank you."))

    async def request_transcript(self, request_id: int, requester_id: int) -> RequestRow:
        """The member asks for a transcript. A live conversation is marked: from now on its
        relay text is kept, and the transcript is sent at the close. A closed one is left as
        it is (nothing more will be kept): the caller sends at once what is still there, a
        relay's lines kept before the close (until the retention purge) or a thread's
        messages (read from Discord, never stored), or says there is none."""
        request = await self._get(request_id)
        if request.requester_id != requester_id:
            raise PermissionDeniedError(N_("Only the member can ask for a transcript."))
        if request.live:
            await self.requests.update(request_id, transcript=1)
        return await self._get(request_id)

    async def closable_here(
        self, channel_id: int | None, guild_id: int | None, user_id: int
    ) -> RequestRow:
        """What ``/support action:close`` closes: the conversation of this thread, else the
        user's own request in this server, else their latest live request anywhere (a DM)."""
        request = None
        if channel_id is not None:
            request = await self.requests.by_thread(channel_id)
        if request is None and guild_id is not None:
            request = await self.requests.live_for_member(guild_id, user_id)
        if request is None:
            live = await self.live_anywhere(user_id)
            request = live[-1] if live else None
        if request is None or not request.live:
            raise NotFoundError(N_("There is no open support conversation here to close."))
        return request

    async def after_close(self, closed: RequestRow) -> CloseFollowUp | None:
        """What follows a close: nothing more for a request no peer ever held."""
        cfg = await self.config(closed.guild_id, require=False)
        if closed.claimed_by is None:
            return None
        return CloseFollowUp(
            request=closed,
            member_id=closed.requester_id,
            peer_id=closed.claimed_by,
            send_transcript=closed.transcript,
            ask_feedback=cfg.feedback,
            tell_quiet_close=closed.relay and closed.close_reason == "idle",
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

    async def stats(self, guild_id: int, days: int) -> Stats:
        if not 1 <= days <= MAX_STATS_DAYS:  # Discord enforces the range; don't rely on it
            raise InvalidInputError(N_("Choose between 1 and {days} days."), days=MAX_STATS_DAYS)
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
            busiest_hours_utc=data["busiest_hours_utc"],
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
