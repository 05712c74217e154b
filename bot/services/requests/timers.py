"""The stored timers of a support request, and what each one decides when it fires.

Part of :class:`bot.services.requests.RequestService` (a mixin): the service arms and cancels
these timers; the Discord layer registers a handler per kind that calls ``on_<kind>`` here
and delivers the outcome. Kinds and keys are stored in the database: never rename them.

- ``request.escalate``: an unclaimed request escalates in a chain of steps. Level 1 re-pings
  matching peers, level 2 pings every on-duty peer, level 3 alerts moderators.
- ``request.open_check``: a claim whose conversation never opened goes back to the queue.
- ``request.handover``: a transfer interrupted before the new peer was brought in.
- ``request.idle``: a quiet conversation is first reminded, later closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.core import TimerRow
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.errors import NotFoundError
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService
from bot.services.requests.rules import others_than_member
from bot.timers import Scheduler

ESCALATE = "request.escalate"
IDLE = "request.idle"
OPEN_CHECK = "request.open_check"
HANDOVER = "request.handover"
HANDOVER_GRACE = timedelta(seconds=30)  # an interrupted transfer is finished after this
OPEN_GRACE = timedelta(minutes=3)  # a claim whose conversation never opened goes back


def timer_key(request_id: int, what: str) -> str:
    """The key of a request's timer: one of each kind per request."""
    return f"request:{request_id}:{what}"


@dataclass(frozen=True)
class EscalationStep:
    request: RequestRow
    level: int
    ping: list[int]
    alert_moderators: bool
    position: int
    on_duty: list[int]
    next_at: datetime | None
    waited_minutes: int = 0
    repost_card: bool = False  # the card never made it (channel gone, permissions): post it
    #: a later step of the chain will alert the moderators (the server has a moderator
    #: channel and this is not the last step): what the member may be told before it runs
    moderators_ahead: bool = False

    @property
    def others_on_duty(self) -> list[int]:
        """The peers on duty but the member (a peer asking for support can't take their own
        request): what the member's own update counts."""
        return others_than_member(self.request, self.on_duty)

    @property
    def others_pinged(self) -> list[int]:
        """The peers pinged at this step but the member (an anonymous request pings every
        free peer on duty, its member too, so that peers can't tell who asked)."""
        return others_than_member(self.request, self.ping)

    @property
    def on_duty_for_moderators(self) -> list[int]:
        """Whom the moderators' alert counts as on duty: never the member who asked, except
        for an anonymous request, whose count must not depend on who asked (moderators see
        the on-duty list beside it)."""
        return self.on_duty if self.request.anonymous else self.others_on_duty


@dataclass(frozen=True)
class Requeued:
    """A request back in the queue, and who to ping about it."""

    request: RequestRow
    ping: list[int]


@dataclass(frozen=True)
class Handover:
    request: RequestRow
    from_peer: int
    to_peer: int


@dataclass(frozen=True)
class IdleOutcome:
    """``remind``: DM ``remind``; ``closed``: the request was closed for inactivity."""

    stage: str
    request: RequestRow
    remind: list[int]


class RequestTimers:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    duty: DutyService
    scheduler: Scheduler
    clock: Clock

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def _get(self, request_id: int) -> RequestRow: ...
        async def _matching(
            self, guild_id: int, request: RequestRow, on_duty: list[int]
        ) -> list[int]: ...
        async def _free(self, request: RequestRow, on_duty: list[int]) -> list[int]: ...
        async def peers_to_ping(
            self, request: RequestRow, *, besides: int | None = None
        ) -> list[int]: ...

    async def _cancel(self, request_id: int, *what: str) -> None:
        for name in what:
            await self.scheduler.cancel(timer_key(request_id, name))

    # -- escalation -------------------------------------------------------------------------
    async def _schedule_escalation(
        self, request: RequestRow, cfg: PeerSettings, level: int, base: datetime | None = None
    ) -> TimerRow | None:
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
            key=timer_key(request.id, "escalate"),
        )

    async def _restart_escalation(self, request: RequestRow) -> None:
        """Back in the queue: no idle timer for nobody, and the chain starts again now."""
        cfg = await self.config(request.guild_id, require=False)
        await self._cancel(request.id, "idle")
        await self._schedule_escalation(request, cfg, level=1, base=self.clock())

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
            ping = await self._free(request, on_duty)
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
            waited_minutes=int((self.clock() - fresh.created_at) / timedelta(minutes=1)),
            repost_card=fresh.card_message_id is None,
            moderators_ahead=level < 3 and cfg.mod_channel_id is not None,
        )

    async def on_escalate(self, timer: TimerRow) -> EscalationStep | None:
        base = timer.payload.get("base")
        return await self.escalate(
            timer.payload["request_id"],
            timer.payload["level"],
            datetime.fromisoformat(base) if base else None,
        )

    # -- the open check ---------------------------------------------------------------------
    async def _arm_open_check(self, request: RequestRow) -> None:
        """Stored before a claim commits: if the process dies between the claim and the
        conversation opening, this check (run at start-up when overdue) gives the request
        back to the queue instead of leaving it claimed with nowhere to talk."""
        await self.scheduler.schedule_once(
            OPEN_CHECK,
            self.clock() + OPEN_GRACE,
            {"request_id": request.id},
            guild_id=request.guild_id,
            key=timer_key(request.id, "open"),
        )

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
        await self._restart_escalation(fresh)
        return fresh

    async def on_open_check(self, timer: TimerRow) -> Requeued | None:
        fresh = await self.recover_unopened(int(timer.payload["request_id"]))
        if fresh is None:
            return None
        return Requeued(fresh, await self.peers_to_ping(fresh))

    # -- the hand-over of a transfer ----------------------------------------------------------
    async def _arm_handover(self, request: RequestRow, from_peer: int, to_peer: int) -> None:
        """Stored before a transfer commits: if the process dies before the new peer is in
        the conversation, start-up finishes the hand-over (adding someone twice is harmless)."""
        await self.scheduler.schedule_once(
            HANDOVER,
            self.clock() + HANDOVER_GRACE,
            {"request_id": request.id, "from_peer": from_peer, "to_peer": to_peer},
            guild_id=request.guild_id,
            key=timer_key(request.id, "handover"),
        )

    async def handover_done(self, request_id: int) -> None:
        await self._cancel(request_id, "handover")

    async def pending_handover(self, request_id: int, to_peer: int) -> RequestRow | None:
        """The request if a stored hand-over to ``to_peer`` still needs finishing."""
        try:
            request = await self._get(request_id)
        except NotFoundError:
            return None
        if request.status != "claimed" or request.claimed_by != to_peer:
            return None
        return request

    async def on_handover(self, timer: TimerRow) -> Handover | None:
        """A transfer whose hand-over was interrupted: what is left to finish, if anything."""
        payload = timer.payload
        moved = await self.pending_handover(int(payload["request_id"]), int(payload["to_peer"]))
        if moved is None:
            return None
        return Handover(moved, int(payload["from_peer"]), int(payload["to_peer"]))

    # -- idle conversations -----------------------------------------------------------------
    async def _schedule_idle(
        self, request: RequestRow, cfg: PeerSettings, *, reminded: bool
    ) -> TimerRow:
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
            key=timer_key(request.id, "idle"),
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

    async def on_idle(self, timer: TimerRow) -> IdleOutcome | None:
        outcome = await self.idle(timer.payload["request_id"], timer.payload["stage"])
        if outcome is None:
            return None
        stage, request = outcome
        remind = []
        if stage == "remind":
            remind = [u for u in (request.requester_id, request.claimed_by) if u is not None]
        return IdleOutcome(stage, request, remind)
