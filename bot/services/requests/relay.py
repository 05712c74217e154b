"""Where a claimed request's conversation happens, and the anonymous DM relay.

Part of :class:`bot.services.requests.RequestService` (a mixin). A conversation is a private
thread with the member and the peer, or a relay: the peer writes in a private thread of
their own, the member in DMs with Kindred, and Kindred carries each message across so the
peer never learns who the member is. Relay text is stored only when the member asked for a
transcript.

Each direction of a relay (to the member, to the peer) is carried in order and once, a
message Discord refuses for a moment waiting in a stored retry: :mod:`.relay_retry`
(:class:`RelayRetries`, inherited here).

What was written while Kindred was away (a restart) is read back once it is ready: for each
relayed conversation active within the retention period, the messages of each direction after
the last one Kindred relayed (or after the claim), at most :data:`CATCH_UP_MAX`, carried the
same way (:meth:`Conversations.relay_catch_ups`, :meth:`Conversations.relay_missed`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.relay_copies import WELCOME
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.errors import ConflictError, KindredError, NotFoundError
from bot.i18n import N_
from bot.services.dm_asks import plea_language, professional_language
from bot.services.peers import PeerSettings
from bot.services.requests.relay_retry import (
    TO_MEMBER,
    TO_PEER,
    RelayRetries,
)
from bot.services.requests.rules import relay_transcript
from bot.services.requests.timers import Requeued, timer_key
from bot.services.settings import GuildSettingsService
from bot.timers import Scheduler

MAX_RELAY_TEXT = 4000  # Discord's longest message (with Nitro): a stored line is never cut
# A member writing while their relayed request waits is told so at most this often per request
# (every DM of a long message, or of someone who keeps writing, would otherwise get the note).
WAITING_NOTE_EVERY = timedelta(minutes=10)
# After a start, at most this many messages of one conversation and direction written while
# Kindred was away are carried across (read back from Discord by id).
CATCH_UP_MAX = 50
_DISCORD_EPOCH_MS = 1420070400000


def first_id_after(when: datetime) -> int:
    """The smallest Discord id (a snowflake) of a message written after ``when``."""
    return (int(when.timestamp() * 1000) - _DISCORD_EPOCH_MS) << 22


@dataclass(frozen=True)
class CatchUp:
    """One direction of a relayed conversation to read back after a start: ``to``
    :data:`TO_PEER` reads the member's DMs, :data:`TO_MEMBER` the peer's relay thread."""

    request: RequestRow
    to: str
    started: datetime  # when this process started: what was written after it came live
    # TO_PEER: every relayed conversation of the member going on (``request`` is the latest);
    # with two or more, each DM goes where a live one would (a reply to its conversation,
    # any other held and the member asked once)
    relays: tuple[RequestRow, ...] = ()

    @property
    def conversations(self) -> tuple[RequestRow, ...]:
        """The conversations this read back may carry words to."""
        return self.relays or (self.request,)


@dataclass(frozen=True)
class MissedRelay:
    """What one direction of a conversation missed while Kindred was away: ``ids`` to carry
    (oldest first, at most :data:`CATCH_UP_MAX`), ``left`` missed ones read back but beyond
    that limit, and ``unread`` when the read back stopped before the last message relayed (or
    the claim), so earlier ones may have been missed too. Ids and counts only."""

    ids: list[int]
    left: int = 0
    unread: bool = False

    @property
    def lost(self) -> bool:
        """Some missed words will not be carried: both people are to be told."""
        return self.left > 0 or self.unread


@dataclass(frozen=True)
class DmRoute:
    """What a member's DM to Kindred is: a relay message to carry to ``relay_to``'s thread;
    words for a relayed request that no peer is connected to yet (``waiting``: nobody can
    read them, so tell the member, with their ``position`` in the queue while it is open; at
    most every :data:`WAITING_NOTE_EVERY` per request, and in between nothing);
    a plea to answer with the request form (``offer_intake``, in ``lang``), or a wish to see
    a therapist or counsellor (``professional``: Kindred can't connect anyone with one, says so
    and offers a peer, in ``lang``); words Kindred holds (ids only) until the member says
    which of their relayed conversations they are for (``choose``: ask them, naming each
    conversation's server); or none of these."""

    relay_to: RequestRow | None = None
    offer_intake: bool = False
    professional: bool = False
    lang: str | None = None
    waiting: RequestRow | None = None
    position: int | None = None
    choose: tuple[RequestRow, ...] = ()


@dataclass(frozen=True)
class GoneConversation:
    """A claimed request whose conversation thread was deleted, back in the queue: the
    ``request`` as it is now (open), the on-duty peers to ping (``ping``, not the peer who
    held it) and that peer (``peer_id``), who is told privately."""

    request: RequestRow
    ping: list[int]
    peer_id: int


class Conversations(RelayRetries):
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    settings: GuildSettingsService
    scheduler: Scheduler
    clock: Clock
    # request id -> when its member was last told it still waits for a peer: in this process
    # only (DMs all reach one process), it spares repeating the note and decides nothing else
    waiting_told: dict[int, datetime]

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def _get(self, request_id: int) -> RequestRow: ...
        async def release(self, request_id: int, peer_id: int) -> Requeued: ...
        async def copy_made(
            self, request: RequestRow, copy_id: int, source_id: int, channel_id: int
        ) -> None: ...
        async def _schedule_idle(
            self, request: RequestRow, cfg: PeerSettings, *, reminded: bool
        ) -> object: ...

    async def attach_conversation(
        self, request_id: int, thread_id: int | None, *, relay: bool | None = None
    ) -> RequestRow:
        """Record where the conversation happens; ``relay=True`` when it became a DM relay
        (so the member's DMs are carried to the peer's relay thread)."""
        if relay is None:
            await self.requests.update(request_id, thread_id=thread_id)
        else:
            await self.requests.update(request_id, thread_id=thread_id, relay=int(relay))
        if thread_id is not None:
            await self.scheduler.cancel(timer_key(request_id, "open"))
        return await self._get(request_id)

    async def conversation_opened(
        self, request_id: int, peer_id: int, thread_id: int, *, relay: bool
    ) -> bool:
        """The conversation a claim opened, recorded as ``attach_conversation`` does, but
        only while ``peer_id`` still holds the request: False when it ended (the member
        cancelled, a moderator closed it) or went elsewhere while the thread was being made,
        and then nothing is recorded (the caller takes the thread down)."""
        if not await self.requests.attach_held(request_id, peer_id, thread_id, relay):
            return False
        await self.scheduler.cancel(timer_key(request_id, "open"))
        return True

    async def conversation_goes_on(self, request_id: int, peer_id: int, thread_id: int) -> bool:
        """Whether the conversation a claim opened is still the request's: ``peer_id`` holds
        it, talking in ``thread_id``. False once it ended (the member cancelled, a moderator
        closed it) or moved on while Kindred was still welcoming the two there."""
        request = await self.requests.get(request_id)
        return (
            request is not None
            and request.status == "claimed"
            and request.claimed_by == peer_id
            and request.thread_id == thread_id
        )

    async def activity(self, request_id: int) -> None:
        request = await self._get(request_id)
        await self.requests.touch(request_id, self.clock())
        if request.status == "claimed":
            cfg = await self.config(request.guild_id, require=False)
            await self._schedule_idle(request, cfg, reminded=False)

    async def record_relay(
        self, request: RequestRow, author: str, content: str, source_id: int | None = None
    ) -> None:
        """Relay text is kept only if the member asked for a transcript (a message without
        words, a picture or a sticker, which is not passed on, leaves no line), with its
        message (``source_id``): its writer's edit or deletion reaches the line too."""
        await self.activity(request.id)
        if request.transcript and content.strip():
            await self.requests.add_relay_message(
                request.id, author, content[:MAX_RELAY_TEXT], self.clock(), source_id
            )

    async def _first_sight(self, message_id: int | None, request: RequestRow) -> bool:
        """False when this Discord message was already relayed (a duplicate event)."""
        if message_id is None:
            return True
        return await self.requests.claim_relay(message_id, request.id, self.clock())

    async def thread_message(
        self, thread_id: int, author_id: int, content: str, message_id: int | None = None
    ) -> RequestRow | None:
        """Someone wrote in a conversation thread. It counts as activity; in a relay thread
        the peer's words are recorded and the request returned: carry them to the member
        (once per ``message_id``: a second delivery of the same message returns None)."""
        request = await self.requests.by_thread(thread_id)
        if request is None or not request.live:
            return None
        if request.relay and author_id == request.claimed_by:
            if not await self._first_sight(message_id, request):
                return None
            await self.record_relay(request, "peer", content, message_id)
            return request
        await self.activity(request.id)
        return None

    async def route_dm(
        self,
        user_id: int,
        content: str,
        message_id: int | None = None,
        reply_to: int | None = None,
    ) -> DmRoute:
        """A member's DM: part of their relayed conversation (recorded, once per
        ``message_id``), words for a relayed request still waiting for its peer (not kept:
        the member is told to write again once a peer is connected, at most every
        :data:`WAITING_NOTE_EVERY`), or a plea like "I need to talk" to answer with the
        request form, or "I need to see a therapist" to answer honestly with the same form.
        With two or more relayed conversations going on (in different servers), a Discord
        reply (``reply_to``: the message it answers) goes to the conversation of the message
        it answers; any other DM is never guessed: it is held (its id) and the member asked
        which conversation it is for (once for the DMs held together)."""
        live = await self.requests.live_for_user_anywhere(user_id)
        relayed = [r for r in live if r.relay and r.status == "claimed" and r.thread_id]
        if relayed:
            request = relayed[-1]
            if len(relayed) > 1:
                answered = await self._answered(relayed, reply_to)
                if answered is None:
                    return await self._hold_dm(user_id, relayed, message_id)
                request = answered
            if not await self._first_sight(message_id, request):
                return DmRoute()
            await self.record_relay(request, "member", content, message_id)
            return DmRoute(relay_to=request)
        waiting = [r for r in live if r.relay]
        if waiting:
            request = waiting[-1]
            if not self._tell_waiting(request.id):
                return DmRoute()
            position = (
                await self.requests.queue_position(request) if request.status == "open" else None
            )
            lang = plea_language(content) or professional_language(content)
            return DmRoute(waiting=request, position=position, lang=lang)
        return _plea_route(content)

    async def plea_route(self, user_id: int, content: str) -> DmRoute:
        """A DM the crisis detector left unanswered (``kindred_unanswered_dm``): the route
        of a plea ("I need to talk": ``offer_intake``) or a wish for a professional
        (``professional``) outside any relayed request, as :meth:`route_dm` gives it; an empty
        route for any other DM, or while a relayed request is live (``route_dm`` answers
        those: the conversation, or its waiting note)."""
        live = await self.requests.live_for_user_anywhere(user_id)
        if any(r.relay for r in live):
            return DmRoute()
        return _plea_route(content)

    async def _answered(self, relayed: list[RequestRow], reply_to: int | None) -> RequestRow | None:
        """The relayed conversation of the message a DM replies to (a peer's words Kindred
        carried, or the member's own relayed DM), when it is one of ``relayed``."""
        if reply_to is None:
            return None
        request_id = await self.requests.relayed_request_of(reply_to)
        return next((r for r in relayed if r.id == request_id), None)

    async def _hold_dm(
        self, user_id: int, relayed: list[RequestRow], message_id: int | None
    ) -> DmRoute:
        """Hold a DM whose conversation the member is to choose: ask them (``choose``) unless
        DMs asked about already wait with it, or this one was held already."""
        if message_id is None:
            return DmRoute(choose=tuple(relayed))
        earlier = await self.requests.held_dms(user_id)
        if not await self.requests.hold_dm(message_id, relayed[-1].id, self.clock()):
            return DmRoute()
        return DmRoute() if earlier else DmRoute(choose=tuple(relayed))

    async def choose_relay(self, user_id: int, request_id: int) -> tuple[RequestRow, list[int]]:
        """The member chose the conversation for their held DMs: that request and the held
        DMs' ids this caller is to carry there, oldest first (none when they went already)."""
        request = await self.requests.get(request_id)
        if request is None or request.requester_id != user_id:
            raise NotFoundError(N_("That conversation has ended."))
        target = await self.relay_target(request_id)
        if target is None:
            raise ConflictError(
                N_(
                    "That conversation has ended, so nothing was passed on there. Your words "
                    "are still in your DMs; choose another conversation or write again."
                )
            )
        return target, await self.requests.release_held_dms(await self.requests.held_dms(user_id))

    async def relay_chosen(self, request: RequestRow, message_id: int, content: str) -> bool:
        """A held DM, now carried to the conversation its member chose: recorded as any relayed
        DM; False when it was relayed already."""
        if not await self._first_sight(message_id, request):
            return False
        await self.record_relay(request, "member", content, message_id)
        return True

    async def relayed_copy(
        self, request: RequestRow, message_id: int, source_id: int = 0, dm_id: int = 0
    ) -> None:
        """Kindred's DM carrying the peer's words to the member (``message_id``, in the DM
        channel ``dm_id``): a reply to it belongs to this conversation, and an edit or the
        deletion of the peer's message ``source_id`` reaches it. Its ids only."""
        await self.requests.add_relay_copy(message_id, request.id, self.clock())
        if source_id:
            await self.copy_made(request, message_id, source_id, dm_id)

    async def relayed_to_peer(
        self, request: RequestRow, message_id: int, thread_id: int, source_id: int = 0
    ) -> bool:
        """Kindred's message carrying the member's words (their DM ``source_id``) into the
        relay thread: its ids, for /forgetme to delete it and for an edit or the deletion of
        the DM to reach it. False when the member forgot meanwhile (delete it now)."""
        if source_id:
            await self.copy_made(request, message_id, source_id, thread_id)
        return await self.requests.add_thread_copy(message_id, request.id, thread_id, self.clock())

    async def relay_welcomed(self, request: RequestRow, message_id: int, thread_id: int) -> bool:
        """Kindred's welcome in the relay thread, naming a member who isn't anonymous: its
        ids, for /forgetme to edit it to a line naming nobody. False when the member forgot
        meanwhile (edit it now)."""
        return await self.requests.add_thread_copy(
            message_id, request.id, thread_id, self.clock(), WELCOME
        )

    async def conversation_gone(self, thread_id: int) -> GoneConversation | None:
        """The thread where a claimed request's conversation happened (the private thread
        with the member, or the peer's relay thread) is gone: deleted by a moderator (the
        thread-deletion event), or found missing when the member wrote (an event missed, a
        restart). Nobody can talk there any more, so the request goes back to the queue by
        the ordinary unclaim: it keeps its place (the queue goes by request number), its
        escalation starts again, and the next peer who claims opens a new conversation.
        None when no claimed request talks there (closed, already back in the queue, or a
        new thread since), or when it changed meanwhile (a second delivery of the event)."""
        request = await self.requests.by_thread(thread_id)
        if request is None or request.status != "claimed" or request.claimed_by is None:
            return None
        try:
            back = await self.release(request.id, request.claimed_by)
        except KindredError:  # closed, unclaimed or transferred meanwhile
            return None
        return GoneConversation(back.request, back.ping, request.claimed_by)

    # -- what was written while Kindred was away ------------------------------------------------
    async def relay_catch_ups(
        self,
        retention: timedelta,
        started: datetime,
        owns: Callable[[int | None], bool] | None = None,
    ) -> list[CatchUp]:
        """After a start: the relayed conversations going on and active within ``retention``
        (older ones have no record of what was relayed) whose words written before this
        process ``started`` it reads back (``owns(guild_id)``: its shards, by default the
        scheduler's). The member's DMs where DMs arrive (shard 0), once per member, with all
        their relayed conversations going on (``relays``: a DM goes where a live one would),
        the peer's relay thread where its server's messages arrive."""
        if owns is None:
            cluster = self.scheduler.cluster
            owns = cluster.shards.owns if cluster is not None else (lambda _guild: True)
        since = self.clock() - retention
        relays = await self.requests.live_relays()
        by_member: dict[int, list[RequestRow]] = {}
        for request in relays:  # oldest first: the last one is the latest
            by_member.setdefault(request.requester_id, []).append(request)
        found: list[CatchUp] = []
        for request in relays:
            theirs = by_member[request.requester_id]
            active = any(r.last_activity >= since for r in theirs)
            if owns(None) and theirs[-1].id == request.id and active:
                found.append(CatchUp(request, TO_PEER, started, tuple(theirs)))
            if owns(request.guild_id) and request.last_activity >= since:
                found.append(CatchUp(request, TO_MEMBER, started))
        return found

    async def relay_missed(self, catch_up: CatchUp, recent: Sequence[tuple[int, int]]) -> list[int]:
        """The ids :meth:`relay_missed_all` would carry."""
        return (await self.relay_missed_all(catch_up, recent)).ids

    async def relay_missed_all(
        self, catch_up: CatchUp, recent: Sequence[tuple[int, int]], *, complete: bool = True
    ) -> MissedRelay:
        """Which of a conversation's ``recent`` messages ((message id, author id), read back
        from the member's DMs or the relay thread) Kindred missed, oldest first: the writer's
        (the member in DMs, the peer who holds it in the thread), written after the claim and
        after the last one Kindred relayed (or holds for a retry) before it started, and not
        carried since, at most :data:`CATCH_UP_MAX`, with how many more were missed (``left``)
        and whether the read back (``complete`` False: Discord gave as many as were asked for)
        stopped short of the landmark, so earlier ones may be missed too. Ids only."""
        request = catch_up.request
        writer = request.requester_id if catch_up.to == TO_PEER else request.claimed_by
        # the member's DMs: from the claim of their earliest relayed conversation going on
        floor = min(first_id_after(r.claimed_at or r.created_at) for r in catch_up.conversations)
        theirs = sorted(m for m, author in recent if author == writer and m >= floor)
        handled = await self.requests.relayed_among(theirs)
        if catch_up.to == TO_PEER:  # held for the member's choice: not missed, not guessed
            handled |= set(await self.requests.held_dms(request.requester_id))
        # what came live since the start is no landmark: words missed before it still count
        live_from = first_id_after(catch_up.started)
        last = max((m for m in handled if m < live_from), default=0)
        missed = [m for m in theirs if m > last and m not in handled]
        # the read reached back to the landmark: the last relayed, or a message before the claim
        reached = complete or last > 0 or any(m < floor for m, _ in recent)
        return MissedRelay(
            missed[:CATCH_UP_MAX], max(0, len(missed) - CATCH_UP_MAX), unread=not reached
        )

    def _tell_waiting(self, request_id: int) -> bool:
        """Whether to tell the member now that their request still waits: not if they were
        told within :data:`WAITING_NOTE_EVERY`. Only the request id and a time are kept."""
        now = self.clock()
        told = self.waiting_told
        for key in [k for k, at in told.items() if now - at >= WAITING_NOTE_EVERY]:
            del told[key]
        if request_id in told:
            return False
        told[request_id] = now
        return True

    async def support_guilds(self) -> list[int]:
        """Guilds where peer support is set up (a DM plea may be offered their form)."""
        configured = await self.settings.guilds_with(PeerSettings, "peer_channel_id")
        return [g for g in configured if (await self.config(g, require=False)).configured]

    async def transcript(self, request_id: int) -> list[tuple[str, str, datetime]]:
        return await self.requests.relay_messages(request_id)

    async def relay_transcript(self, request_id: int, lang: str = "en") -> list[str]:
        """The stored relay lines as the member reads them (labelled in their ``lang``)."""
        return relay_transcript(await self.transcript(request_id), lang)


def _plea_route(content: str) -> DmRoute:
    """The offer a DM's words ask for outside any relayed request: a peer ("I need to
    talk"), honestly a professional ("I need to see a therapist"), or none."""
    lang = plea_language(content)
    if lang is None and (lang := professional_language(content)) is not None:
        return DmRoute(professional=True, lang=lang)
    return DmRoute(offer_intake=lang is not None, lang=lang)
