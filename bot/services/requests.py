"""Private support requests: intake, the queue, claiming, escalation and closing.

The rules live here; the Discord layer (cogs/support.py) shows cards, threads and messages.
Nothing in this module knows about discord.py, so each rule has a fast unit test.

Escalation of an unclaimed request is a chain of stored timers (``request.escalate``):
level 1 re-pings matching peers, level 2 pings every on-duty peer, level 3 alerts moderators.
Because the timers are rows in the database, a restart between steps loses none of them.
"""

from __future__ import annotations

import contextlib
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock, utcnow
from bot.crashpoints import crash_point
from bot.db.repositories.blocks import BlockRepository
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
from bot.scheduling import Scheduler
from bot.services.duty import DutyService
from bot.services.peers import PeerSettings
from bot.services.settings import GuildSettingsService

ESCALATE = "request.escalate"
IDLE = "request.idle"
OPEN_CHECK = "request.open_check"
HANDOVER = "request.handover"
HANDOVER_GRACE = timedelta(seconds=30)  # an interrupted transfer is finished after this
OPEN_GRACE = timedelta(minutes=3)  # a claim whose conversation never opened goes back
MAX_TOPIC = 100
MAX_SUMMARY = 1000
MAX_TAGS = 5
FEEDBACK = ("helped", "somewhat", "not_really")


class BlockedError(KindredError):
    """A blocked member still gets kindness and crisis resources, never silence."""


class AlreadyOpenError(ConflictError):
    def __init__(self, request: RequestRow) -> None:
        super().__init__(
            f"You already have an open request (#{request.id}). "
            "Use `/support action:cancel` if you want to withdraw it, or wait a little: it is "
            "still in front of the peers."
        )
        self.request = request


MAX_STATS_DAYS = 365


@dataclass(frozen=True)
class Intake:
    request: RequestRow
    position: int
    on_duty: list[int]
    ping: list[int]
    estimate: timedelta | None
    next_peer_at: datetime | None
    office_open: bool | None


@dataclass(frozen=True)
class EscalationStep:
    request: RequestRow
    level: int
    ping: list[int]
    alert_moderators: bool
    position: int
    on_duty: list[int]
    next_at: datetime | None


@dataclass(frozen=True)
class ClaimResult:
    request: RequestRow


@dataclass
class Stats:
    opened: int
    claimed: int
    closed: int
    cancelled: int
    past_threshold: int
    median_claim: timedelta | None
    feedback: dict[str, int] = field(default_factory=dict)
    busiest_hours_utc: list[tuple[int, int]] = field(default_factory=list)


NOT_SET_UP = (
    "Peer support isn't set up in this server yet. A moderator can set it up with "
    "`/peers setup`. If you need someone right now, `/crisis` shows lines you can reach."
)


class RequestService:
    def __init__(
        self,
        requests: RequestRepository,
        tags: TagRepository,
        blocks: BlockRepository,
        duty: DutyService,
        settings: GuildSettingsService,
        scheduler: Scheduler,
        clock: Clock = utcnow,
    ) -> None:
        self.requests = requests
        self.tags = tags
        self.blocks = blocks
        self.duty = duty
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock

    async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings:
        cfg = await self.settings.get(guild_id, PeerSettings)
        if require and not cfg.configured:
            raise NotConfiguredError(NOT_SET_UP)
        return cfg

    # -- intake -----------------------------------------------------------------------------
    async def open(
        self,
        guild_id: int,
        requester_id: int,
        *,
        topic: str = "",
        tags: list[str] | None = None,
        summary: str | None = None,
        anonymous: bool = False,
        ask_previous_peer: bool = False,
        source: str = "command",
    ) -> Intake:
        cfg = await self.config(guild_id)
        if await self.blocks.is_blocked(guild_id, requester_id):
            raise BlockedError(
                "I can't open a peer request for you in this server right now. "
                "You still matter, and you can reach the lines below at any time."
            )
        topic = (topic or "").strip()[:MAX_TOPIC]
        summary = (summary or "").strip()[:MAX_SUMMARY] or None
        wanted = await self._valid_tags(guild_id, tags or [])
        existing = await self.requests.live_for_member(guild_id, requester_id)
        if existing is not None:
            raise AlreadyOpenError(existing)
        now = self.clock()
        if (
            await self.requests.count_since(guild_id, requester_id, now - timedelta(days=1))
            >= cfg.max_requests_per_day
        ):
            raise LimitReachedError(
                "You've opened the most requests this server allows in a day. "
                "If you need someone right now, `/crisis` shows lines you can reach any time."
            )
        preferred = None
        if ask_previous_peer:
            preferred = await self.requests.last_peer_for(guild_id, requester_id)
        request = await self.requests.create(
            guild_id=guild_id,
            requester_id=requester_id,
            topic=topic,
            tags=wanted,
            summary=summary,
            anonymous=anonymous,
            preferred_peer=preferred,
            source=source,
            relay=anonymous or cfg.conversation == "relay",
            now=now,
        )
        if request is None:  # lost a race with a second intake from the same member
            existing = await self.requests.live_for_member(guild_id, requester_id)
            assert existing is not None
            raise AlreadyOpenError(existing)
        on_duty = [row.user_id for row in await self.duty.on_duty(guild_id)]
        ping = await self._matching(guild_id, request, on_duty)
        await self._schedule_escalation(request, cfg, level=1)
        return Intake(
            request=request,
            position=await self.requests.queue_position(request),
            on_duty=on_duty,
            ping=ping,
            estimate=await self.estimate(guild_id),
            next_peer_at=None if on_duty else await self.next_peer_at(guild_id),
            office_open=self.office_open(cfg, now),
        )

    async def _valid_tags(self, guild_id: int, tags: list[str]) -> list[str]:
        known = {t.lower(): t for t in await self.tags.guild_tags(guild_id)}
        cleaned: list[str] = []
        for tag in tags:
            key = tag.strip().lower()
            if not key:
                continue
            if key not in known:
                choices = ", ".join(known.values()) or "none yet"
                raise InvalidInputError(f"`{tag}` is not a tag here. Tags: {choices}.")
            if known[key] not in cleaned:
                cleaned.append(known[key])
        return cleaned[:MAX_TAGS]

    async def _matching(self, guild_id: int, request: RequestRow, on_duty: list[int]) -> list[int]:
        """Who to ping first: the member's previous peer, then peers sharing a tag."""
        candidates = ping_list(request, on_duty)
        if request.preferred_peer in candidates:
            return [request.preferred_peer]
        if request.tags:
            tagged = await self.tags.peers_with_any(guild_id, list(request.tags))
            matched = [p for p in candidates if p in tagged]
            if matched:
                return matched
        return candidates

    async def estimate(self, guild_id: int) -> timedelta | None:
        samples = await self.requests.recent_claim_seconds(guild_id)
        if len(samples) < 3:
            return None
        return timedelta(seconds=round(statistics.median(samples)))

    def office_open(self, cfg: PeerSettings, now: datetime) -> bool | None:
        hours = _office_hours(cfg)
        return None if hours is None else hours.is_open(now, _tz(cfg.office_tz))

    async def next_peer_at(self, guild_id: int) -> datetime | None:
        """The honest answer to "when is someone back?": the rota, else office hours."""
        now = self.clock()
        candidates: list[datetime] = []
        shift = await self.duty.next_shift_start(guild_id, now)
        if shift is not None:
            candidates.append(shift[0])
        cfg = await self.settings.get(guild_id, PeerSettings)
        hours = _office_hours(cfg)
        if hours is not None:
            opens = hours.next_open(now, _tz(cfg.office_tz))
            if opens is not None:
                candidates.append(opens)
        return min(candidates) if candidates else None

    # -- escalation -------------------------------------------------------------------------
    async def _schedule_escalation(
        self, request: RequestRow, cfg: PeerSettings, level: int, base: datetime | None = None
    ):
        """Store the next step. Steps are timed from ``base``: when the request arrived, or
        when it came back to the queue after an unclaim (so the chain restarts, not fires)."""
        minutes = {1: cfg.reping_minutes, 2: cfg.all_peers_minutes, 3: cfg.moderator_minutes}
        if level not in minutes:
            return None
        base = base or request.created_at
        due = max(base + timedelta(minutes=minutes[level]), self.clock())
        return await self.scheduler.schedule_once(
            ESCALATE,
            due,
            {"request_id": request.id, "level": level, "base": base.isoformat()},
            guild_id=request.guild_id,
            key=f"request:{request.id}:escalate",
        )

    async def escalate(
        self, request_id: int, level: int, base: datetime | None = None
    ) -> EscalationStep | None:
        """Run one escalation step; None when the request no longer waits."""
        request = await self.requests.get(request_id)
        if request is None or request.status != "open":
            return None
        cfg = await self.config(request.guild_id, require=False)
        await self.requests.update(request.id, escalation=max(level, request.escalation))
        on_duty = [r.user_id for r in await self.duty.on_duty(request.guild_id)]
        if level == 1:
            ping = await self._matching(request.guild_id, request, on_duty)
        else:
            ping = ping_list(request, on_duty)
        timer = await self._schedule_escalation(request, cfg, level + 1, base)
        fresh = await self.requests.get(request.id)
        assert fresh is not None
        return EscalationStep(
            request=fresh,
            level=level,
            ping=ping,
            alert_moderators=level >= 3,
            position=await self.requests.queue_position(fresh),
            on_duty=on_duty,
            next_at=None if timer is None else timer.due_at,
        )

    # -- claiming ---------------------------------------------------------------------------
    async def claim(self, request_id: int, peer_id: int) -> RequestRow:
        request = await self._get(request_id)
        cfg = await self.config(request.guild_id)
        # Stored before the claim commits: if the process dies between the claim and the
        # conversation opening, this check (run at start-up when overdue) gives the request
        # back to the queue instead of leaving it claimed with nowhere to talk.
        await self.scheduler.schedule_once(
            OPEN_CHECK,
            self.clock() + OPEN_GRACE,
            {"request_id": request_id},
            guild_id=request.guild_id,
            key=f"request:{request_id}:open",
        )
        outcome = await self.requests.claim(
            request_id, peer_id, cfg.max_open_per_peer, self.clock()
        )
        if outcome == "own":
            raise PermissionDeniedError("This is your own request; another peer will take it.")
        if outcome == "limit":
            raise LimitReachedError(
                f"You already hold {cfg.max_open_per_peer} open requests, the most this server "
                "allows per peer. Look after yourself: close or hand one on first."
            )
        if outcome != "ok":
            await self.scheduler.cancel(f"request:{request_id}:open")
        if outcome == "missing":
            raise NotFoundError("That request no longer exists.")
        fresh = await self._get(request_id)
        if outcome == "taken":
            if fresh.status == "claimed":
                raise ConflictError(f"Already claimed by <@{fresh.claimed_by}>.")
            raise ConflictError("This request is no longer open.")
        crash_point("claim.committed")
        await self.scheduler.cancel(f"request:{request_id}:escalate")
        await self._schedule_idle(fresh, cfg, reminded=False)
        return fresh

    async def unclaim(self, request_id: int, peer_id: int) -> RequestRow:
        request = await self._get(request_id)
        if request.claimed_by != peer_id:
            raise PermissionDeniedError("Only the peer who claimed this request can unclaim it.")
        if not await self.requests.unclaim(request_id, peer_id, self.clock()):
            raise ConflictError("This request changed meanwhile; it is no longer yours.")
        fresh = await self._get(request_id)
        cfg = await self.config(request.guild_id, require=False)
        await self.scheduler.cancel(f"request:{request_id}:idle")
        await self._schedule_escalation(fresh, cfg, level=1, base=self.clock())
        return fresh

    async def transfer(self, request_id: int, from_peer: int, to_peer: int) -> RequestRow:
        request = await self._get(request_id)
        cfg = await self.config(request.guild_id)
        if request.claimed_by != from_peer:
            raise PermissionDeniedError("Only the peer who holds this request can transfer it.")
        if to_peer == from_peer:
            raise InvalidInputError("Choose another peer to transfer to.")
        # The requester gets the same answer as anyone off duty: a different message would
        # tell the peer who an anonymous member is.
        if to_peer == request.requester_id or not await self.duty.is_on_duty(
            request.guild_id, to_peer
        ):
            raise InvalidInputError(f"<@{to_peer}> is not on duty right now.")
        if len(await self.requests.claimed_by(request.guild_id, to_peer)) >= cfg.max_open_per_peer:
            raise LimitReachedError(f"<@{to_peer}> already holds the most requests allowed.")
        # Stored before the transfer commits: if the process dies before the new peer is in
        # the conversation, start-up finishes the hand-over (adding someone twice is harmless).
        key = f"request:{request_id}:handover"
        await self.scheduler.schedule_once(
            HANDOVER,
            self.clock() + HANDOVER_GRACE,
            {"request_id": request_id, "from_peer": from_peer, "to_peer": to_peer},
            guild_id=request.guild_id,
            key=key,
        )
        if not await self.requests.transfer(request_id, from_peer, to_peer, self.clock()):
            await self.scheduler.cancel(key)
            raise ConflictError("This request changed meanwhile; nothing was transferred.")
        crash_point("transfer.committed")
        return await self._get(request_id)

    async def handover_done(self, request_id: int) -> None:
        await self.scheduler.cancel(f"request:{request_id}:handover")

    async def pending_handover(self, request_id: int, to_peer: int) -> RequestRow | None:
        """The request if a stored hand-over to ``to_peer`` still needs finishing."""
        try:
            request = await self._get(request_id)
        except NotFoundError:
            return None
        if request.status != "claimed" or request.claimed_by != to_peer:
            return None
        return request

    # -- the conversation -------------------------------------------------------------------
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
            await self.scheduler.cancel(f"request:{request_id}:open")
        return await self._get(request_id)

    async def recover_unopened(self, request_id: int) -> RequestRow | None:
        """The open check: a request still claimed with no conversation goes back to the
        queue (escalation restarts). Returns it, or None when nothing needed doing."""
        try:
            request = await self._get(request_id)
        except NotFoundError:
            return None
        if request.status != "claimed" or request.thread_id is not None:
            return None
        if request.claimed_by is None or not await self.requests.unclaim(
            request_id, request.claimed_by, self.clock()
        ):
            return None
        fresh = await self._get(request_id)
        cfg = await self.config(request.guild_id, require=False)
        await self.scheduler.cancel(f"request:{request_id}:idle")
        await self._schedule_escalation(fresh, cfg, level=1, base=self.clock())
        return fresh

    async def attach_card(self, request_id: int, channel_id: int, message_id: int) -> None:
        await self.requests.update(
            request_id, card_channel_id=channel_id, card_message_id=message_id
        )

    async def activity(self, request_id: int) -> None:
        request = await self._get(request_id)
        await self.requests.touch(request_id, self.clock())
        if request.status == "claimed":
            cfg = await self.config(request.guild_id, require=False)
            await self._schedule_idle(request, cfg, reminded=False)

    async def _schedule_idle(self, request: RequestRow, cfg: PeerSettings, *, reminded: bool):
        now = self.clock()
        if reminded:
            due = now + timedelta(hours=max(cfg.idle_close_hours - cfg.idle_remind_hours, 1))
        else:
            due = now + timedelta(hours=cfg.idle_remind_hours)
        return await self.scheduler.schedule_once(
            IDLE,
            due,
            {"request_id": request.id, "stage": "close" if reminded else "remind"},
            guild_id=request.guild_id,
            key=f"request:{request.id}:idle",
        )

    async def idle(self, request_id: int, stage: str) -> tuple[str, RequestRow] | None:
        """Idle timer: 'remind' both sides, later 'close' the request."""
        request = await self.requests.get(request_id)
        if request is None or request.status != "claimed":
            return None
        cfg = await self.config(request.guild_id, require=False)
        if stage == "remind":
            await self._schedule_idle(request, cfg, reminded=True)
            return "remind", request
        await self.requests.close(request.id, "closed", None, "idle", self.clock())
        return "closed", await self._get(request.id)

    async def close(
        self, request_id: int, by_user: int, *, is_moderator: bool = False, reason: str = "closed"
    ) -> RequestRow:
        request = await self._get(request_id)
        if by_user not in (request.requester_id, request.claimed_by) and not is_moderator:
            raise PermissionDeniedError(
                "Only the member or the peer in this conversation can close it."
            )
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
            raise ConflictError(
                "This request changed meanwhile (claimed, transferred or closed); please try again."
            )
        crash_point("close.committed")
        await self.scheduler.cancel(f"request:{request_id}:escalate")
        await self.scheduler.cancel(f"request:{request_id}:idle")
        await self.scheduler.cancel(f"request:{request_id}:open")
        return await self._get(request_id)

    async def cancel_own(self, guild_id: int, requester_id: int) -> RequestRow:
        request = await self.requests.live_for_member(guild_id, requester_id)
        if request is None:
            raise NotFoundError("You have no open request here.")
        return await self.close(request.id, requester_id, reason="cancelled")

    async def feedback(self, request_id: int, requester_id: int, rating: str) -> None:
        request = await self._get(request_id)
        if request.requester_id != requester_id:
            raise PermissionDeniedError("Only the member who asked can give this feedback.")
        if rating not in FEEDBACK:
            raise InvalidInputError("Choose helped, somewhat or not really.")
        if request.status not in ("closed", "cancelled"):
            raise ConflictError("Feedback opens once the conversation is closed.")
        await self.requests.update(request_id, feedback=rating)

    async def request_transcript(self, request_id: int, requester_id: int) -> RequestRow:
        request = await self._get(request_id)
        if request.requester_id != requester_id:
            raise PermissionDeniedError("Only the member can ask for a transcript.")
        await self.requests.update(request_id, transcript=1)
        return await self._get(request_id)

    async def transcript(self, request_id: int) -> list[tuple[str, str, datetime]]:
        return await self.requests.relay_messages(request_id)

    async def live_anywhere(self, requester_id: int) -> list[RequestRow]:
        return await self.requests.live_for_user_anywhere(requester_id)

    async def record_relay(self, request: RequestRow, author: str, content: str) -> None:
        """Relay text is kept only if the member asked for a transcript."""
        await self.activity(request.id)
        if request.transcript:
            await self.requests.add_relay_message(request.id, author, content[:2000], self.clock())

    # -- lookups ----------------------------------------------------------------------------
    async def get(self, request_id: int) -> RequestRow:
        return await self._get(request_id)

    async def _get(self, request_id: int) -> RequestRow:
        request = await self.requests.get(request_id)
        if request is None:
            raise NotFoundError("That request no longer exists (it may have been deleted).")
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

    async def stats(self, guild_id: int, days: int) -> Stats:
        if not 1 <= days <= MAX_STATS_DAYS:  # Discord enforces the range; don't rely on it
            raise InvalidInputError(f"Choose between 1 and {MAX_STATS_DAYS} days.")
        data = await self.requests.stats(guild_id, self.clock() - timedelta(days=days))
        waits = data["claim_seconds"]
        return Stats(
            opened=data.get("opened", 0),
            claimed=data.get("claimed", 0),
            closed=data.get("closed", 0),
            cancelled=data.get("cancelled", 0),
            past_threshold=data.get("past_threshold", 0),
            median_claim=timedelta(seconds=round(statistics.median(waits))) if waits else None,
            feedback={k: data.get(k, 0) for k in FEEDBACK},
            busiest_hours_utc=data["busiest_hours_utc"],
        )

    # -- moderation and privacy (blocking: bot/services/blocks.py) -----------------------------
    async def peers_to_ping(self, request: RequestRow, *, besides: int | None = None) -> list[int]:
        """The one rule for who is pinged about a request (unclaim, backup, shift hand-off,
        escalation): on-duty peers by :func:`ping_list`, minus the peer who is acting."""
        on_duty = [r.user_id for r in await self.duty.on_duty(request.guild_id)]
        return [p for p in ping_list(request, on_duty) if p != besides]

    async def forget(self, user_id: int) -> int:
        for request in await self.requests.live_for_user_anywhere(user_id):
            await self.scheduler.cancel_prefix(f"request:{request.id}:")
        removed = await self.requests.delete_member(user_id)
        # as a peer: requests they still hold go back to the queue (the chain restarts)...
        for request in await self.requests.live_claimed_by_anywhere(user_id):
            with contextlib.suppress(KindredError):
                await self.unclaim(request.id, user_id)
        # ...and their id leaves everyone else's requests
        return removed + await self.requests.forget_peer(user_id)


def ping_list(request: RequestRow, on_duty: list[int]) -> list[int]:
    """On-duty peers to ping about a request. The requester is left out, except when they
    asked to stay anonymous: leaving them out would let peers compare the ping list with the
    on-duty list and see who the member is. (They cannot claim their own request.)"""
    if request.anonymous:
        return list(on_duty)
    return [p for p in on_duty if p != request.requester_id]


def _tz(name: str):
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def _office_hours(cfg: PeerSettings):
    if not cfg.office_hours:
        return None
    from bot.schedules import WeeklyHours

    return WeeklyHours.parse(cfg.office_hours)
