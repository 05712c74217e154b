"""Closing a request and what follows it: the member's transcript and feedback question,
the peer's thank-you; the member's own cancel, feedback (counts only) and transcript wish.

Part of :class:`bot.services.requests.RequestService` (a mixin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.crashpoints import crash_point
from bot.db.repositories.requests import RequestRepository, RequestRow
from bot.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from bot.i18n import N_
from bot.services.peers import PeerSettings
from bot.services.requests.rules import already_closed

FEEDBACK = ("helped", "somewhat", "not_really")


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


class Closing:
    """Mixin of RequestService; the host provides the attributes and lookups below."""

    requests: RequestRepository
    clock: Clock

    if TYPE_CHECKING:

        async def config(self, guild_id: int, *, require: bool = True) -> PeerSettings: ...
        async def _get(self, request_id: int) -> RequestRow: ...
        async def _cancel(self, request_id: int, *what: str) -> None: ...
        async def live_anywhere(self, requester_id: int) -> list[RequestRow]: ...

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

    async def close_for_departure(self, guild_id: int, reason: str) -> list[RequestRow]:
        """The server removed Kindred: its open and claimed requests close (no one's doing;
        ``closed_by`` empty). The requests closed now, as they were (whose member and peer
        are to be told); one a press closed meanwhile is left out."""
        closed = []
        for request in await self.requests.live_all():
            if request.guild_id != guild_id:
                continue
            if await self.requests.close(
                request.id,
                "closed",
                None,
                reason,
                self.clock(),
                expect_status=request.status,
                expect_claimed_by=request.claimed_by,
            ):
                await self._cancel(request.id, "escalate", "idle", "open")
                closed.append(request)
        return closed

    async def closed_at_departure(
        self, guild_id: int, reason: str, since: datetime
    ) -> list[RequestRow]:
        """The requests :meth:`close_for_departure` closed since the server left, whose cards
        (posted while Kindred was there, never edited since) still show their live buttons."""
        return await self.requests.closed_since(guild_id, reason, since)

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
