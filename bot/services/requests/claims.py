"""Peers' actions on a request: claim, unclaim, give back to the queue, transfer, ask for
backup (the peer-role check of holders: :mod:`bot.services.requests.holders`).

Part of :class:`bot.services.requests.RequestService` (a mixin).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.crashpoints import crash_point
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.errors import (
    ConflictError,
    InvalidInputError,
    LimitReachedError,
    NotFoundError,
    PermissionDeniedError,
)
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService
from bot.services.requests.holders import NoLongerAPeerError
from bot.services.requests.rules import require_holder
from bot.services.requests.timers import Requeued


class Claims:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    duty: DutyService
    clock: Clock

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def _get(self, request_id: int) -> RequestRow: ...
        async def _cancel(self, request_id: int, *what: str) -> None: ...
        async def _arm_open_check(self, request: RequestRow) -> None: ...
        async def _arm_handover(
            self, request: RequestRow, from_peer: int, to_peer: int
        ) -> None: ...
        async def _restart_escalation(self, request: RequestRow) -> None: ...
        async def _schedule_idle(
            self, request: RequestRow, cfg: PeerSettings, *, reminded: bool
        ) -> object: ...
        async def peers_to_ping(
            self, request: RequestRow, *, besides: int | None = None, to_claim: bool = True
        ) -> list[int]: ...
        async def check_on_duty(
            self, guild_id: int, user_id: int, role_ids: Collection[int] | None
        ) -> list[Requeued] | None: ...

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
