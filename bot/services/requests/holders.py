"""Whether the peer holding a request is still a peer supporter.

Part of :class:`bot.services.requests.RequestService` (a mixin). Kindred has no members
intent, so it never sees a role taken away as it happens: the holder's roles are known when
they act (a request button, a peer command), when they write in the conversation (the message
carries them), and when the Discord layer looks them up, at a timer of the request or, at most
every :data:`HOLDER_RECHECK`, when the member writes. Someone found without the peer role, or
no longer in the server, gives back everything they hold by the ordinary unclaim (escalation
restarts) and goes off duty, so no member waits on someone who can't answer; the crisis alerts
they were reaching out on are offered to the other peers again (the safety feature's hook).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.errors import InvalidInputError, KindredError, PermissionDeniedError
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.peers.duty import DutyService, stop_duty
from bot.services.requests.timers import Requeued
from bot.timers import Scheduler

# A holder seen with the peer role is not looked up again for this long when the member
# writes (one REST call at most this often per peer, however much the member writes).
HOLDER_RECHECK = timedelta(minutes=10)


class NotAPeerError(PermissionDeniedError):
    """Someone acted as a peer without the peer role. Their duty has ended, and the requests
    they held went back to the queue (``requeued``): the Discord layer tells those members,
    pings the on-duty peers and closes the old conversation before showing the message."""

    def __init__(self, requeued: list[Requeued]) -> None:
        if requeued:
            super().__init__(
                N_(
                    "You no longer have the peer supporter role here, so the requests you held "
                    "({requests}) are back in the queue and another peer will pick them up. "
                    "Thank you for the support you gave."
                ),
                requests=", ".join(f"#{back.request.id}" for back in requeued),
            )
        else:
            super().__init__(N_("Only peer supporters can do that."))
        self.requeued = requeued


class NoLongerAPeerError(InvalidInputError):
    """The on-duty peer chosen to take a request over no longer has the peer role (or left the
    server): the request stays with its peer, and the one chosen lost the role as at a peer
    action (off duty; what they held, ``requeued``, back in the queue for the Discord layer to
    announce)."""

    def __init__(self, peer_id: int, requeued: list[Requeued]) -> None:
        super().__init__(
            N_(
                "<@{peer}> no longer has the peer supporter role here, so they can't take this "
                "request over. It stays with you; you can choose another on-duty peer."
            ),
            peer=peer_id,
        )
        self.requeued = requeued


class Holders:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    duty: DutyService
    scheduler: Scheduler
    clock: Clock
    # (guild, peer) -> when they were last seen with the peer role: in this process only, it
    # spares look-ups and decides nothing
    peers_seen: dict[tuple[int, int], datetime]
    # what else a peer held that others must take over when they lose the role (the safety
    # feature's alerts they said "I'll reach out" on): called with (guild, peer)
    role_lost_hooks: list[Callable[[int, int], Awaitable[object]]]

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def release(self, request_id: int, peer_id: int) -> Requeued: ...

    def _seen_as_peer(self, guild_id: int, user_id: int) -> None:
        now = self.clock()
        seen = self.peers_seen
        for key in [k for k, at in seen.items() if now - at >= HOLDER_RECHECK]:
            del seen[key]
        seen[(guild_id, user_id)] = now

    def _look_up_due(self, guild_id: int, user_id: int) -> bool:
        """Whether the Discord layer should look this peer up now: not seen with the peer role
        for :data:`HOLDER_RECHECK`. The look-up counts as seeing them until its answer comes."""
        seen = self.peers_seen.get((guild_id, user_id))
        if seen is not None and self.clock() - seen < HOLDER_RECHECK:
            return False
        self._seen_as_peer(guild_id, user_id)
        return True

    async def require_peer(
        self, guild_id: int, user_id: int, role_ids: Collection[int] | None
    ) -> None:
        """Peer actions need the peer role (``role_ids``: the member's roles, None when they
        are not a member here). Losing the role ends duty: it is checked at every action,
        and a duty end time they had set is forgotten with it (no "your time on duty has
        ended" later to someone who is no longer a peer)."""
        cfg = await self.config(guild_id)
        if role_ids is None or cfg.peer_role_id not in role_ids:
            raise NotAPeerError(await self.lost_role(guild_id, user_id))
        self._seen_as_peer(guild_id, user_id)

    async def lost_role(self, guild_id: int, user_id: int) -> list[Requeued]:
        """Someone who no longer has the peer role: off duty (a duty end time forgotten with
        it), and every request they hold goes back to the queue by the ordinary unclaim (the
        escalation chain starts again), so no member waits on someone who can't answer; so do
        the crisis alerts they were reaching out on (``role_lost_hooks``)."""
        self.peers_seen.pop((guild_id, user_id), None)
        await stop_duty(self.duty, self.scheduler, guild_id, user_id)
        for hook in self.role_lost_hooks:
            await hook(guild_id, user_id)
        requeued = []
        for request in await self.requests.claimed_by(guild_id, user_id):
            with contextlib.suppress(KindredError):  # closed or transferred meanwhile
                requeued.append(await self.release(request.id, user_id))
        return requeued

    async def holder_to_check(
        self, request_id: int, *, member_wrote: bool = False
    ) -> RequestRow | None:
        """The claimed request whose holder the Discord layer should look up now, or None
        (nobody holds it). At a timer of the request: always. When the member wrote
        (``member_wrote``): only if the holder hasn't been seen with the peer role for
        :data:`HOLDER_RECHECK`; the look-up counts as seeing them until its answer comes."""
        request = await self.requests.get(request_id)
        if request is None or request.status != "claimed" or request.claimed_by is None:
            return None
        if member_wrote and not self._look_up_due(request.guild_id, request.claimed_by):
            return None
        return request

    def on_duty_to_check(self, guild_id: int, peer_ids: Collection[int]) -> list[int]:
        """Of the peers an escalation would ping, those the Discord layer should look up now:
        the ones not seen with the peer role for :data:`HOLDER_RECHECK` (the look-up counts
        as seeing them until its answer comes)."""
        return [user_id for user_id in peer_ids if self._look_up_due(guild_id, user_id)]

    async def check_on_duty(
        self, guild_id: int, user_id: int, role_ids: Collection[int] | None
    ) -> list[Requeued] | None:
        """A peer's roles as Discord has them now (``None``: not a member any more), looked up
        or carried by a message of theirs. None while they are still a peer (seen so now), or
        when peer support has no role to judge by; else they lose it as at a peer action, and
        what they held goes back to the queue (returned, for the Discord layer to announce)."""
        cfg = await self.config(guild_id, require=False)
        if cfg.peer_role_id is None:
            return None
        if role_ids is not None and cfg.peer_role_id in role_ids:
            self._seen_as_peer(guild_id, user_id)
            return None
        return await self.lost_role(guild_id, user_id)

    async def check_holder(
        self, request_id: int, holder_id: int, role_ids: Collection[int] | None
    ) -> list[Requeued]:
        """:meth:`check_on_duty` for the peer holding ``request_id``: everything they hold goes
        back to the queue when they lost the role. Nothing happens when they no longer hold
        this request."""
        request = await self.requests.get(request_id)
        if request is None or request.status != "claimed" or request.claimed_by != holder_id:
            return []
        return await self.check_on_duty(request.guild_id, holder_id, role_ids) or []
